/**
 * Torznab capabilities (`t=caps`), read once per indexer per run: which categories and search
 * functions the indexer supports, and how many results one page may hold. Jackett and Prowlarr
 * answer an unsupported `cat` with an empty feed and no error, so a configured category the caps
 * do not list is worth a warning; and a page of `limits max` items (100 for most indexers, 1000
 * for Jackett's `all`) is as much as a feed can give.
 */
import { XMLParser } from 'fast-xml-parser'
import type { Context } from '../context.ts'
import { type HttpPolicy, httpGet, readCapped } from '../core/http.ts'
import { redact } from '../core/log.ts'
import { type FeedRequest, feedUrl } from './torznab.ts'

export interface Caps {
  limitsMax?: number
  limitsDefault?: number
  /** Every category id the indexer lists, subcategories included. */
  categories: Set<number>
  /** search / tvsearch / movie → available and its supported parameters. */
  functions: Map<string, { available: boolean; params: string[] }>
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseAttributeValue: false,
  isArray: (name) => name === 'category' || name === 'subcat',
  processEntities: false,
})

/** The searching element names of the Torznab functions we call. */
const FUNCTION_ELEMENT: Record<string, string> = { search: 'search', tvsearch: 'tv-search', movie: 'movie-search' }

type Node = Record<string, unknown>
const node = (v: unknown): Node => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Node) : {})
const count = (v: unknown): number | undefined => {
  const n = Number(v)
  return Number.isInteger(n) && n > 0 ? n : undefined
}

/** Parse a caps reply; throws when it is not one. Pure. */
export function parseCaps(xml: string): Caps {
  const doc = node(parser.parse(xml))
  if (!('caps' in doc)) throw new Error('not a Torznab caps reply')
  const caps = node(doc.caps)
  const limits = node(caps.limits)
  const categories = new Set<number>()
  for (const c of (node(caps.categories).category as unknown[] | undefined) ?? []) {
    const id = count(node(c).id)
    if (id) categories.add(id)
    for (const s of (node(c).subcat as unknown[] | undefined) ?? []) {
      const sid = count(node(s).id)
      if (sid) categories.add(sid)
    }
  }
  const functions = new Map<string, { available: boolean; params: string[] }>()
  const searching = node(caps.searching)
  for (const [fn, element] of Object.entries(FUNCTION_ELEMENT)) {
    const e = searching[element]
    if (e === undefined) continue
    const attrs = node(e)
    functions.set(fn, {
      available: String(attrs.available ?? 'yes').toLowerCase() === 'yes',
      params: String(attrs.supportedParams ?? '')
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean),
    })
  }
  return { limitsMax: count(limits.max), limitsDefault: count(limits.default), categories, functions }
}

/**
 * What is wrong with asking this feed of an indexer with these caps, one line each: a `cat` it
 * does not list (categories and subcategories), a search function it does not offer.
 */
export function capsProblems(caps: Caps, action: string, params: Record<string, string>): string[] {
  const problems: string[] = []
  const fn = caps.functions.get(action)
  if (fn && !fn.available) problems.push(`the indexer does not offer t=${action}`)
  if (caps.categories.size > 0) {
    for (const c of (params.cat ?? '')
      .split(',')
      .map((x) => Number(x.trim()))
      .filter(Number.isFinite)) {
      if (c && !caps.categories.has(c)) {
        problems.push(`cat ${c} is not among its categories (it would answer an empty feed)`)
      }
    }
  }
  return problems
}

const cache = new WeakMap<Context, Map<string, Promise<Caps | undefined>>>()

/**
 * The caps of an indexer, fetched once per context (one run), or undefined when they cannot be
 * read (then logged once at debug level: caps only refine the feed request).
 */
export function indexerCaps(
  ctx: Context,
  request: Omit<FeedRequest, 'action' | 'params'>,
  policy: HttpPolicy,
): Promise<Caps | undefined> {
  let byIndexer = cache.get(ctx)
  if (!byIndexer) {
    byIndexer = new Map()
    cache.set(ctx, byIndexer)
  }
  const key = `${request.scheme}://${request.netloc}|${request.indexer}`
  let caps = byIndexer.get(key)
  if (!caps) {
    caps = (async () => {
      const url = feedUrl({ ...request, action: 'caps', params: {} })
      try {
        const res = await httpGet(url, { ...policy, tries: 1 }, { what: `caps of ${request.indexer}` })
        if (!res.ok) throw new Error(`HTTP ${res.status}`)
        return parseCaps(new TextDecoder().decode(await readCapped(res, 1024 * 1024, 'the caps reply')))
      } catch (err) {
        ctx.log('ingest').debug(redact(`${request.indexer}: no caps (${(err as Error).message}); asking as configured`))
        return undefined
      }
    })()
    byIndexer.set(key, caps)
  }
  return caps
}
