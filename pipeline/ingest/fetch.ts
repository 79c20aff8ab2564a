/**
 * Ingest's network side: one feed request, and the download of an item's `link` (a .torrent, or
 * an HTTP redirect to a magnet). Every request goes through core/http.ts (timeout, retries,
 * Retry-After); every message is redacted (the API key is in both URLs).
 */
import { HttpError, type HttpPolicy, httpGet, readCapped, TooLarge } from '../core/http.ts'
import { redact } from '../core/log.ts'
import { parseMagnet, parseTorrentBytes, type TorrentMeta } from './torrent.ts'
import { FeedFormatError, type FeedItem, parseTorznab, type TorznabReply } from './torznab.ts'

/** A feed that could not be read: HTTP error, Torznab <error>, unreadable body. */
export class FeedError extends Error {
  override name = 'FeedError'
  constructor(
    message: string,
    readonly torznabCode?: string,
  ) {
    super(redact(message))
  }
}

function torznabError(body: string | undefined): { code: string; description: string } | undefined {
  if (!body || !/<error\b/i.test(body)) return undefined
  try {
    const r = parseTorznab(body)
    return r.kind === 'error' ? r : undefined
  } catch {
    return undefined
  }
}

/**
 * GET and parse one feed. A Torznab <error> is an error whatever the HTTP status; HTTP errors
 * keep the Torznab code/description when the body has one. The reply is read up to `maxBytes`
 * (memory stays bounded whatever the server sends). Throws FeedError, whose message names the feed.
 */
export async function fetchFeed(
  url: string,
  policy: HttpPolicy,
  what: string,
  maxBytes: number,
): Promise<Extract<TorznabReply, { kind: 'feed' }>> {
  let res: Response
  try {
    res = await httpGet(url, policy, {
      what,
      headers: { accept: 'application/rss+xml, application/xml, text/xml, */*' },
    })
  } catch (err) {
    const e = err as HttpError
    const tz = torznabError(e.body)
    if (tz) throw new FeedError(`${what}: Torznab error ${tz.code}: ${tz.description} (HTTP ${e.status})`, tz.code)
    throw new FeedError(e.message)
  }
  let body: string
  try {
    body = new TextDecoder().decode(await readCapped(res, maxBytes, 'the reply'))
  } catch (err) {
    if (err instanceof TooLarge) {
      throw new FeedError(
        `${what}: ${err.message}; if this indexer's feeds really are that large, raise [requests] max_feed_bytes`,
      )
    }
    const e = err as Error
    throw new FeedError(
      `${what}: reading the reply failed: ${e.name === 'TimeoutError' ? `timed out after ${policy.timeoutMs} ms` : e.message}`,
    )
  }
  const tz = torznabError(body)
  if (tz) throw new FeedError(`${what}: Torznab error ${tz.code}: ${tz.description} (HTTP ${res.status})`, tz.code)
  if (!res.ok) throw new FeedError(`${what}: HTTP ${res.status} ${res.statusText}`.trim())
  let r: TorznabReply
  try {
    r = parseTorznab(body)
  } catch (err) {
    // FeedFormatError, or the XML parser's own refusals (entity limits, external entities…)
    throw new FeedError(`${what}: ${err instanceof FeedFormatError ? '' : 'unreadable XML: '}${(err as Error).message}`)
  }
  if (r.kind === 'error') throw new FeedError(`${what}: Torznab error ${r.code}: ${r.description}`, r.code)
  return r
}

const MAX_REDIRECTS = 5
/** A .torrent larger than this is refused (real ones are well under 10 MB). */
const MAX_TORRENT_BYTES = 32 * 1024 * 1024

/**
 * Download an item's link and read it: a .torrent file, a redirect (HTTP → HTTP, or → magnet:),
 * or a magnet URI sent as text. Throws an Error with a redacted, one-line message.
 */
export async function downloadMeta(link: string, policy: HttpPolicy, what: string): Promise<TorrentMeta> {
  let url = link
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    let res: Response
    try {
      res = await httpGet(url, policy, { redirect: 'manual', what })
    } catch (err) {
      throw new Error(redact(err instanceof HttpError ? err.message : `${what}: ${(err as Error).message}`))
    }
    if (res.status >= 300 && res.status < 400) {
      await res.body?.cancel().catch(() => {})
      const location = res.headers.get('location')
      if (!location) throw new Error(`${what}: HTTP ${res.status} without a Location`)
      if (location.startsWith('magnet:')) return parseMagnet(location)
      url = new URL(location, url).toString()
      if (!/^https?:/i.test(url)) throw new Error(redact(`${what}: redirect to an unsupported URL ${url.slice(0, 40)}`))
      continue
    }
    if (!res.ok) {
      await res.body?.cancel().catch(() => {})
      throw new Error(`${what}: HTTP ${res.status} ${res.statusText}`.trim())
    }
    let bytes: Uint8Array
    try {
      bytes = await readCapped(res, MAX_TORRENT_BYTES, 'the .torrent file')
    } catch (err) {
      const e = err as Error
      throw new Error(`${what}: ${e.name === 'TimeoutError' ? `timed out after ${policy.timeoutMs} ms` : e.message}`)
    }
    try {
      return await parseTorrentBytes(bytes)
    } catch (err) {
      throw new Error(`${what}: ${(err as Error).message}`)
    }
  }
  throw new Error(`${what}: more than ${MAX_REDIRECTS} redirects`)
}

/**
 * The info hash and trackers of a feed item: from its magneturl/infohash attributes when they are
 * enough, else the trackers an indexer declares in indexers.yaml (`declared`), else from its
 * download link — the last resort, since through Prowlarr every download is a grab on the user's
 * account. Throws when nothing gives an info hash. `downloaded` says whether the link was fetched.
 */
export async function resolveItem(
  item: FeedItem,
  policy: HttpPolicy,
  what: string,
  declared: readonly string[] = [],
): Promise<{ meta: TorrentMeta; downloaded: boolean }> {
  let meta: TorrentMeta | undefined
  let magnetProblem: string | undefined
  if (item.magnetUrl) {
    try {
      meta = parseMagnet(item.magnetUrl)
    } catch (err) {
      magnetProblem = (err as Error).message
    }
  }
  if (!meta && item.infoHash) meta = { infoHash: item.infoHash, announce: [] }
  if (meta && meta.announce.length > 0) return { meta, downloaded: false }
  if (meta && declared.length > 0) return { meta: { ...meta, announce: [...declared] }, downloaded: false }
  if (item.link) {
    const dl = await downloadMeta(item.link, policy, what)
    // The downloaded file is the authority; keep the feed's trackers too when it has none.
    return { meta: { ...dl, announce: dl.announce.length ? dl.announce : (meta?.announce ?? []) }, downloaded: true }
  }
  if (meta) return { meta, downloaded: false } // a hash without trackers: nothing to follow (counted as skipped)
  throw new Error(`${what}: ${magnetProblem ?? 'no info hash, no magnet and no download link'}`)
}
