/**
 * Torznab, the pure part: request URLs, feed parsing (fast-xml-parser) into typed items, the
 * category rule and the id normalisation. No I/O here.
 *
 * Real servers differ and this parser takes both shapes:
 * - Jackett sends `<size>`, `<grabs>` (and sometimes `<files>`) as plain elements, `peers` =
 *   seeders + leechers, and `imdbid` ("tt0111161") and/or `imdb` ("0111161").
 * - Prowlarr sends grabs/files as `torznab:attr`, `imdb` (digits) and not `imdbid`, and `tmdbid`;
 *   some indexers send `tmdb` / `tvdb` instead of `tmdbid` / `tvdbid`.
 * - Both answer a problem with `<error code="…" description="…"/>`, whatever the HTTP status.
 * - Sites with their own Torznab API (Anime Tosho, bitmagnet's examples) put the details page in
 *   `<link>` and the .torrent in an `<enclosure type="application/x-bittorrent">`, next to an NZB
 *   enclosure; the typed .torrent enclosure is the download link then.
 * - Elements may repeat (Jackett's aggregate feed has been seen with two `<pubDate>`): the first wins.
 * - The checks against replies captured from real servers are in test/ingest/real-feeds.test.ts.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser'
import type { Category } from '../../schema/tables.ts'
import { type FeedCategory, feedCategoryOf } from '../config/schema.ts'
import { normalizeHash, parseMagnet } from './torrent.ts'

/** One feed item, typed. `link` may embed the API key: it is used to download, never stored. */
export interface FeedItem {
  title: string
  guid?: string
  /** Download URL (the item's <link>, else its enclosure): a .torrent, or a redirect to a magnet. */
  link?: string
  /** The details page (<comments>). */
  comments?: string
  /** Unix seconds. */
  pubDate?: number
  size?: number
  /** Every category the item carries (<category> elements and category attrs), in order, deduplicated. */
  categories: number[]
  /**
   * 40 lowercase hex: the magnet's hash when the item has a readable magnet (the swarm a client
   * joins), else the infohash attribute (hex or base32).
   */
  infoHash?: string
  magnetUrl?: string
  seeders?: number
  peers?: number
  leechers?: number
  grabs?: number
  /** tt + at least 7 digits. */
  imdbId?: string
  tmdbId?: number
  tvdbId?: number
  coverUrl?: string
  year?: number
  files?: number
}

export type TorznabReply =
  | { kind: 'feed'; items: FeedItem[] /** why some items could not be read (malformed XML) */; bad: string[] }
  | { kind: 'error'; code: string; description: string }

/** The body is not a Torznab feed nor a Torznab error (HTML page, truncated XML…). */
export class FeedFormatError extends Error {
  override name = 'FeedFormatError'
}

// ---------------------------------------------------------------- request

export interface FeedRequest {
  scheme: string
  netloc: string
  /** Path with an `{indexer}` placeholder: Jackett `/api/v2.0/indexers/{indexer}/results/torznab/`, Prowlarr `/{indexer}/api`. */
  path: string
  apikey?: string
  indexer: string
  /** Torznab function: search, tvsearch, movie. */
  action: string
  /** Extra query parameters from indexers.yaml (cat, limit…); they may override `t` and `q`. */
  params: Record<string, string>
}

/** The feed URL. `q` is empty: both Jackett and Prowlarr then answer with their newest uploads. */
export function feedUrl(r: FeedRequest): string {
  const path = r.path.split('{indexer}').join(encodeURIComponent(r.indexer))
  const url = new URL(`${r.scheme}://${r.netloc}${path.startsWith('/') ? '' : '/'}${path}`)
  url.searchParams.set('t', r.action)
  url.searchParams.set('q', '')
  for (const [k, v] of Object.entries(r.params)) url.searchParams.set(k, v)
  if (r.apikey) url.searchParams.set('apikey', r.apikey)
  return url.toString()
}

// ---------------------------------------------------------------- parsing

const ARRAY_TAGS = new Set(['item', 'category', 'attr', 'enclosure'])
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: true, // torznab:attr and newznab:attr both become attr
  parseTagValue: false, // keep strings: an all-digit info hash must not become a number
  parseAttributeValue: false,
  trimValues: true,
  isArray: (tagName) => ARRAY_TAGS.has(tagName),
  // a feed has no business declaring entities: bound what a DOCTYPE may expand to (billion laughs)
  processEntities: {
    enabled: true,
    maxEntityCount: 100,
    maxEntitySize: 10_000,
    maxTotalExpansions: 10_000,
    maxExpandedLength: 100_000,
  },
})

type Node = Record<string, unknown>
const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v)

/**
 * Text of an element that may carry attributes (`<guid isPermaLink="true">x</guid>`). A repeated
 * element (fast-xml-parser gives an array) reads as its first non-empty occurrence.
 */
function text(v: unknown): string | undefined {
  if (typeof v === 'string') return v.trim() || undefined
  if (typeof v === 'number') return String(v)
  if (isNode(v)) return text(v['#text'])
  if (Array.isArray(v)) {
    for (const x of v) {
      const t = text(x)
      if (t !== undefined) return t
    }
  }
  return undefined
}

function attrOf(v: unknown, name: string): string | undefined {
  return isNode(v) ? text(v[`@_${name}`]) : undefined
}

/** A whole non-negative number, or undefined ("", "-1", "1.5", "abc" → undefined). */
export function toCount(v: string | undefined): number | undefined {
  if (v === undefined || !/^\d+$/.test(v.trim())) return undefined
  const n = Number(v.trim())
  return Number.isSafeInteger(n) ? n : undefined
}

/** RFC 822 (RSS) or ISO date → Unix seconds. */
export function toUnixSeconds(v: string | undefined): number | undefined {
  if (!v) return undefined
  const t = Date.parse(v)
  return Number.isNaN(t) ? undefined : Math.floor(t / 1000)
}

/** "tt0111161", "0111161", "111161", 111161 → "tt0111161"; 0, "", junk → undefined. */
export function normalizeImdb(v: string | undefined): string | undefined {
  const m = v?.trim().match(/^(?:tt)?0*([1-9]\d*)$/i)
  if (!m?.[1]) return undefined
  return `tt${m[1].padStart(7, '0')}`
}

/** A positive number ("0" means "none" in Torznab feeds). */
function positiveId(v: string | undefined): number | undefined {
  const n = toCount(v)
  return n ? n : undefined
}

function httpUrl(v: string | undefined): string | undefined {
  return v && /^https?:\/\//i.test(v) ? v : undefined
}

function magnetHash(uri: string | undefined): string | undefined {
  if (!uri) return undefined
  try {
    return parseMagnet(uri).infoHash
  } catch {
    return undefined
  }
}

/**
 * The download URL: an http(s) enclosure typed as a torrent first (some sites put their details
 * page in <link>), else <link>, else an http(s) enclosure that is not an NZB.
 */
function downloadLink(link: string | undefined, enclosures: unknown[]): string | undefined {
  const urls = (keep: (type: string) => boolean) =>
    enclosures.filter((e) => keep(attrOf(e, 'type') ?? '')).map((e) => httpUrl(attrOf(e, 'url')))
  return urls((t) => /bittorrent/i.test(t)).find(Boolean) ?? httpUrl(link) ?? urls((t) => !/nzb/i.test(t)).find(Boolean)
}

function readItem(node: Node): FeedItem {
  const attrs = new Map<string, string[]>()
  for (const a of (node.attr as unknown[] | undefined) ?? []) {
    const name = attrOf(a, 'name')?.toLowerCase()
    const value = attrOf(a, 'value')
    if (!name || value === undefined) continue
    attrs.set(name, [...(attrs.get(name) ?? []), value])
  }
  const attr = (...names: string[]): string | undefined => {
    for (const n of names) {
      const v = attrs.get(n)?.[0]
      if (v !== undefined && v !== '') return v
    }
    return undefined
  }
  const enclosures = (node.enclosure as unknown[] | undefined) ?? []
  const categories: number[] = []
  for (const c of [...((node.category as unknown[] | undefined) ?? []).map(text), ...(attrs.get('category') ?? [])]) {
    const n = toCount(c)
    if (n !== undefined && !categories.includes(n)) categories.push(n)
  }
  const infoHashAttr = attr('infohash')
  // some servers put the magnet in <link> or an enclosure instead of a magneturl attribute
  const magnet = [attr('magneturl'), text(node.link), ...enclosures.map((e) => attrOf(e, 'url'))].find((v) =>
    v?.startsWith('magnet:'),
  )
  return {
    title: text(node.title) ?? '',
    guid: text(node.guid),
    link: downloadLink(text(node.link), enclosures),
    comments: httpUrl(text(node.comments)),
    pubDate: toUnixSeconds(text(node.pubDate)),
    // 0 means "unknown" in feeds (no torrent is empty)
    size:
      positiveId(text(node.size)) ??
      positiveId(attr('size')) ??
      enclosures.map((e) => positiveId(attrOf(e, 'length'))).find((n) => n !== undefined),
    categories,
    infoHash: magnetHash(magnet) ?? (infoHashAttr ? normalizeHash(infoHashAttr) : undefined),
    magnetUrl: magnet,
    seeders: toCount(attr('seeders')),
    peers: toCount(attr('peers')),
    leechers: toCount(attr('leechers')),
    grabs: toCount(text(node.grabs)) ?? toCount(attr('grabs')),
    imdbId: normalizeImdb(attr('imdbid', 'imdb')),
    tmdbId: positiveId(attr('tmdbid', 'tmdb')),
    tvdbId: positiveId(attr('tvdbid', 'tvdb')),
    coverUrl: httpUrl(attr('coverurl')),
    year: positiveId(attr('year')),
    files: toCount(text(node.files)) ?? toCount(attr('files')),
  }
}

function describeInvalid(v: ReturnType<typeof XMLValidator.validate>): string {
  return v === true ? 'valid' : `${v.err.msg} (line ${v.err.line}, column ${v.err.col})`
}

/**
 * Parse a Torznab reply. A well-formed feed gives every item; a malformed one is read item by
 * item, so one broken item (an unescaped "&", a bad tag) costs only that item. Throws
 * FeedFormatError when nothing Torznab-like can be read at all.
 */
export function parseTorznab(body: string): TorznabReply {
  const valid = XMLValidator.validate(body)
  if (valid === true) {
    const doc = parser.parse(body) as Node
    const err = doc.error
    if (err !== undefined) {
      return {
        kind: 'error',
        code: attrOf(err, 'code') ?? '?',
        description: attrOf(err, 'description') ?? text(err) ?? '',
      }
    }
    const channel = isNode(doc.rss) ? doc.rss.channel : undefined
    if (!isNode(channel) && channel !== '') {
      throw new FeedFormatError(
        `not a Torznab feed (root element: ${Object.keys(doc).filter((k) => k !== '?xml')[0] ?? 'none'})`,
      )
    }
    const items = isNode(channel) ? ((channel.item as unknown[] | undefined) ?? []) : []
    return { kind: 'feed', items: items.filter(isNode).map(readItem), bad: [] }
  }
  // Malformed: a Torznab error with junk around it, or items one by one.
  const errTag = body.match(/<error\b[^>]*>/i)?.[0]
  if (errTag && !/<item\b/i.test(body)) {
    const code = errTag.match(/\bcode\s*=\s*"([^"]*)"/i)?.[1] ?? '?'
    const description = errTag.match(/\bdescription\s*=\s*"([^"]*)"/i)?.[1] ?? ''
    return { kind: 'error', code, description }
  }
  if (!/<rss\b/i.test(body) || !/<channel\b/i.test(body)) {
    throw new FeedFormatError(`malformed XML: ${describeInvalid(valid)}`)
  }
  const chunks = body.match(/<item\b[\s\S]*?<\/item\s*>/gi) ?? []
  const items: FeedItem[] = []
  const bad: string[] = []
  chunks.forEach((chunk, i) => {
    const v = XMLValidator.validate(chunk)
    if (v !== true) {
      const title = chunk.match(/<title>([\s\S]*?)<\/title>/i)?.[1]?.trim()
      bad.push(`item ${i + 1}${title ? ` "${title.slice(0, 120)}"` : ''}: malformed XML: ${describeInvalid(v)}`)
      return
    }
    const doc = parser.parse(chunk) as Node
    const node = (doc.item as unknown[] | undefined)?.[0]
    if (isNode(node)) items.push(readItem(node))
  })
  if (items.length === 0 && bad.length === 0) throw new FeedFormatError(`malformed XML: ${describeInvalid(valid)}`)
  return { kind: 'feed', items, bad }
}

// ---------------------------------------------------------------- categories

/** Torznab standard categories (config's feedCategoryOf); anything else is unknown. */
export const standardCategory = (n: number): Category => feedCategoryOf(n) ?? 'unknown'

/**
 * The item's category. A standard category (< 100000) decides: 2000–2999 movies, 5000–5999
 * series, anything else unknown. An item with only site-specific categories (≥ 100000, Jackett's
 * and Prowlarr's "100000 + site id") belongs to the parent the feed was asked for: the
 * indexers.yaml entry (movies/series) whose request returned it. Without that, unknown.
 * `feedCategory` is the number stored as sent (the standard one when there is one).
 */
export function categorize(
  categories: number[],
  requested?: FeedCategory,
): { category: Category; feedCategory: number | null } {
  const standard = categories.find((c) => c > 0 && c < 100_000)
  if (standard !== undefined) return { category: standardCategory(standard), feedCategory: standard }
  const site = categories[0]
  return { category: site !== undefined && requested ? requested : 'unknown', feedCategory: site ?? null }
}

// ---------------------------------------------------------------- URLs to keep

/** Query parameters that carry credentials on indexer and tracker sites. */
const SECRET_PARAMS =
  /^(api_?key|jackett_apikey|passkey|pass_key|authkey|auth_key|rsskey|torrent_pass|token|access_token|uid)$/i

/**
 * The details URL as it may be stored: http(s) only, credential parameters and user:password
 * removed. `isSecretFree` is the last check (registered secrets anywhere, e.g. in the path): a
 * URL that fails it is not kept at all.
 */
export function safeDetailsUrl(url: string | undefined, isSecretFree: (s: string) => boolean): string | undefined {
  if (!url) return undefined
  let u: URL
  try {
    u = new URL(url)
  } catch {
    return undefined
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined
  for (const k of [...u.searchParams.keys()]) if (SECRET_PARAMS.test(k)) u.searchParams.delete(k)
  u.username = ''
  u.password = ''
  const s = u.toString()
  return isSecretFree(s) ? s : undefined
}
