/**
 * A Torznab server on loopback that answers like Jackett or Prowlarr: feeds in either shape, the
 * download links they hand out (.torrent files, 302 redirects to magnets), and the ways real ones
 * fail (Torznab <error> replies, 429 with Retry-After, 5xx, slow replies, malformed XML). Used by
 * the ingest tests, the ingest benchmark and the demo.
 *
 *   const srv = await startTorznabServer({ flavor: 'jackett', apikey: 'k3y', indexers: { ygg: { items } } })
 *   // config: [jackettapi] scheme = http, netloc = srv.netloc, path = srv.path, apikey = k3y
 *   await srv.close()
 *
 * As Prowlarr does, the prowlarr flavor rewrites both `link` and `magneturl` to its `/download`
 * endpoint (each call there is a grab: count `requests` of kind 'download'), and that endpoint
 * 301-redirects to the magnet. An indexer with `caps` answers an unsupported cat with an empty
 * feed, a page of at most `limits max` items, and nothing past offset 0 unless it pages.
 *
 * Routes (both flavors are always served; `flavor` decides the XML shape and the links):
 *   Jackett   GET /api/v2.0/indexers/{id}/results/torznab[/api]?t=…&apikey=…   download GET /dl/{id}/?jackett_apikey=…&path={n}&file=…
 *   Prowlarr  GET /{id}/api?t=…&apikey=…                                      download GET /{id}/download?apikey=…&link={n}&file=…
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export type Flavor = 'jackett' | 'prowlarr'

/** What an item's download link serves. */
export type Download =
  /** A .torrent file (application/x-bittorrent). */
  | { torrent: Uint8Array }
  /** A 302 redirect to this magnet URI (what Jackett does for magnet-only sites). */
  | { magnet: string }
  /** Any body (invalid bencode, an HTML login page…) with an optional status. */
  | { body: Uint8Array | string; status?: number; contentType?: string }
  /** An HTTP error, with Retry-After (seconds) when given. */
  | { status: number; retryAfter?: number }
  /** Wait, then serve `serve` (a slow reply; the client may time out first). */
  | { delayMs: number; serve: Download }

export interface TorznabItemSpec {
  title: string
  /** Default: the details URL. */
  guid?: string
  /** Details page. Default https://indexer.example/torrent/{indexer}/{n}. Set to null for none. */
  comments?: string | null
  /** Unix seconds, Date or a ready RFC 822 string. */
  pubDate?: number | Date | string
  size?: number
  /** Torznab categories, e.g. [2000, 102183]. */
  categories?: number[]
  seeders?: number
  leechers?: number
  grabs?: number
  files?: number
  /** Sent as the infohash attribute. */
  infoHash?: string
  /** Sent as the magneturl attribute. */
  magnet?: string
  /** "tt0111161" or 111161: Jackett sends imdb + imdbid, Prowlarr imdb only. */
  imdb?: string | number
  tmdb?: number
  /** Which attribute name carries tmdb (default tmdbid). */
  tmdbAttr?: 'tmdbid' | 'tmdb'
  tvdb?: number
  coverUrl?: string
  year?: number
  /** What the item's link serves; no <link>/<enclosure> when undefined. */
  download?: Download
  /** Extra XML inserted inside <item>. */
  extraXml?: string
  /** Replaces the whole <item>…</item> as is (for malformed items). */
  rawXml?: string
}

/** A feed request answered with a problem instead of the feed. */
export type FeedFault =
  | { error: { code: number | string; description: string; status?: number } }
  | { status: number; retryAfter?: number | string; body?: string }
  | { raw: string; status?: number; contentType?: string }
  | { delayMs: number }
  /** A chunked body of about this many bytes (no Content-Length): a feed that never ends, near enough. */
  | { streamBytes: number }

export interface CapsSpec {
  /** Category ids the indexer lists (default 2000 and 5000 with a few subcategories). */
  categories?: number[]
  /** `<limits max>` (default 100); a feed never holds more items. */
  limitsMax?: number
  /** `<limits default>` (default 100): items of a feed asked without `limit`. */
  limitsDefault?: number
  /** The indexer answers `offset` > 0 (most Jackett/Prowlarr indexers do not: empty). */
  pages?: boolean
}

export interface IndexerSpec {
  /** The feed's items, newest first (or a function of the request's query, e.g. to honour cat). */
  items: TorznabItemSpec[] | ((query: URLSearchParams) => TorznabItemSpec[])
  /** Its caps; the feed then honours them as Jackett and Prowlarr do (unsupported cat → empty, limit, offset). */
  caps?: CapsSpec
  /** Served once each, in order, by the next feed requests (e.g. one 429, then the feed). */
  faults?: FeedFault[]
  /** Served on every feed request (after `faults`). */
  fault?: FeedFault
  /** Display name. */
  title?: string
}

export interface TorznabServerOptions {
  flavor?: Flavor
  /** When set, feeds and downloads without this key get an error. */
  apikey?: string
  indexers: Record<string, IndexerSpec>
  /** Default 127.0.0.1. */
  host?: string
  /** Default 0 (any free port). */
  port?: number
}

export interface ServedRequest {
  kind: 'feed' | 'download' | 'caps' | 'other'
  indexer?: string
  path: string
  query: URLSearchParams
  /** HTTP status sent (0 while the reply is pending or when the client left first). */
  status: number
  /** Wall-clock ms when the request arrived. */
  time: number
}

export interface TorznabServer {
  flavor: Flavor
  origin: string
  port: number
  /** host:port, for [jackettapi] netloc. */
  netloc: string
  /** [jackettapi] path for this flavor (with {indexer}). */
  path: string
  /** The [jackettapi] section pointing at this server. */
  iniSection(): string
  /** Every request served, in order. */
  requests: ServedRequest[]
  /** Add or replace an indexer. */
  setIndexer(name: string, spec: IndexerSpec): void
  close(): Promise<void>
}

const TORZNAB_NS = 'http://torznab.com/schemas/2015/feed'

export function escapeXml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] as string,
  )
}

/** RFC 822 as Jackett and Prowlarr write it: "Tue, 24 Nov 2026 10:00:00 +0000". */
export function rfc822(v: number | Date | string): string {
  if (typeof v === 'string') return v
  const d = typeof v === 'number' ? new Date(v * 1000) : v
  return d.toUTCString().replace('GMT', '+0000')
}

const imdbDigits = (v: string | number): string => String(v).replace(/^tt/i, '').padStart(7, '0')

function renderItem(
  flavor: Flavor,
  indexer: string,
  title: string,
  n: number,
  it: TorznabItemSpec,
  link?: string,
): string {
  if (it.rawXml !== undefined) return it.rawXml
  const details = it.comments === undefined ? `https://indexer.example/torrent/${indexer}/${n}` : it.comments
  const el = (name: string, v: string | number | undefined | null) =>
    v === undefined || v === null ? '' : `      <${name}>${escapeXml(String(v))}</${name}>\n`
  const attr = (name: string, v: string | number | undefined) =>
    v === undefined ? '' : `      <torznab:attr name="${name}" value="${escapeXml(String(v))}" />\n`
  const cats = it.categories ?? []
  const peers =
    it.seeders !== undefined || it.leechers !== undefined ? (it.seeders ?? 0) + (it.leechers ?? 0) : undefined
  let x = '    <item>\n'
  x += el('title', it.title)
  if (flavor === 'prowlarr') x += '      <description />\n'
  x += el('guid', it.guid ?? details ?? `${indexer}-${n}`)
  x +=
    flavor === 'jackett'
      ? `      <jackettindexer id="${escapeXml(indexer)}">${escapeXml(title)}</jackettindexer>\n      <type>public</type>\n`
      : `      <prowlarrindexer id="${escapeXml(indexer)}" type="public">${escapeXml(title)}</prowlarrindexer>\n`
  x += el('comments', details)
  x += el('pubDate', it.pubDate === undefined ? undefined : rfc822(it.pubDate))
  x += el('size', it.size)
  if (flavor === 'jackett') {
    x += el('files', it.files)
    x += el('grabs', it.grabs)
    x += '      <description />\n'
  }
  x += el('link', link)
  for (const c of cats) x += el('category', c)
  if (link) {
    x += `      <enclosure url="${escapeXml(link)}" length="${it.size ?? 0}" type="application/x-bittorrent" />\n`
  }
  for (const c of cats) x += attr('category', c)
  if (flavor === 'jackett') {
    x += attr('seeders', it.seeders)
    x += attr('peers', peers)
    x += attr('infohash', it.infoHash)
    x += attr('magneturl', it.magnet)
    if (it.imdb !== undefined) x += attr('imdb', imdbDigits(it.imdb)) + attr('imdbid', `tt${imdbDigits(it.imdb)}`)
    x += attr(it.tmdbAttr ?? 'tmdbid', it.tmdb)
    x += attr('tvdbid', it.tvdb)
  } else {
    if (it.imdb !== undefined) x += attr('imdb', imdbDigits(it.imdb))
    x += attr(it.tmdbAttr ?? 'tmdbid', it.tmdb)
    x += attr('tvdbid', it.tvdb)
    x += attr('seeders', it.seeders)
    x += attr('files', it.files)
    x += attr('grabs', it.grabs)
    x += attr('peers', peers)
    x += attr('infohash', it.infoHash)
    // Prowlarr rewrites magneturl to its own /download link too (NewznabController): no magnet: in the feed
    x += attr('magneturl', it.magnet ? link : undefined)
  }
  x += attr('coverurl', it.coverUrl)
  x += attr('year', it.year)
  x += attr('downloadvolumefactor', 1)
  x += attr('uploadvolumefactor', 1)
  x += it.extraXml ?? ''
  x += '    </item>\n'
  return x
}

/** A whole feed in the flavor's shape. `linkFor(n)` gives item n's download URL (or none). */
export function renderFeed(
  flavor: Flavor,
  indexer: string,
  title: string,
  items: TorznabItemSpec[],
  selfUrl: string,
  linkFor: (n: number, it: TorznabItemSpec) => string | undefined,
): string {
  const head =
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:torznab="${TORZNAB_NS}">\n` +
    '  <channel>\n' +
    `    <atom:link href="${escapeXml(selfUrl)}" rel="self" type="application/rss+xml" />\n` +
    `    <title>${escapeXml(title)}</title>\n` +
    `    <description>${escapeXml(title)} feed</description>\n` +
    '    <link>https://indexer.example/</link>\n' +
    '    <language>en-US</language>\n' +
    (flavor === 'jackett' ? '    <category>search</category>\n' : '')
  const body = items.map((it, i) => renderItem(flavor, indexer, title, i + 1, it, linkFor(i + 1, it))).join('')
  return `${head}${body}  </channel>\n</rss>\n`
}

export function torznabErrorXml(code: number | string, description: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<error code="${escapeXml(String(code))}" description="${escapeXml(description)}" />\n`
}

const DEFAULT_CATEGORIES = [2000, 2010, 2030, 2040, 2045, 5000, 5030, 5040]

function capsXml(caps: CapsSpec = {}): string {
  const cats = caps.categories ?? DEFAULT_CATEGORIES
  const parents = cats.filter((c) => c % 1000 === 0 || c >= 100_000)
  const subs = (p: number) => cats.filter((c) => c !== p && c < 100_000 && Math.floor(c / 1000) * 1000 === p)
  const category = (p: number) => {
    const s = subs(p)
    return s.length
      ? `    <category id="${p}" name="Cat ${p}">\n${s.map((c) => `      <subcat id="${c}" name="Cat ${c}" />\n`).join('')}    </category>\n`
      : `    <category id="${p}" name="Cat ${p}" />\n`
  }
  const params = (base: string) => (caps.pages ? `${base},offset` : base)
  return `<?xml version="1.0" encoding="UTF-8"?>
<caps>
  <server title="mediastrends test indexer" />
  <limits default="${caps.limitsDefault ?? 100}" max="${caps.limitsMax ?? 100}" />
  <searching>
    <search available="yes" supportedParams="${params('q')}" />
    <tv-search available="yes" supportedParams="${params('q,season,ep,imdbid,tvdbid')}" />
    <movie-search available="yes" supportedParams="${params('q,imdbid,tmdbid')}" />
  </searching>
  <categories>
${parents.map(category).join('')}  </categories>
</caps>
`
}

/** What a feed request gets from an indexer with these caps: Jackett's and Prowlarr's rules. */
export function applyCaps(items: TorznabItemSpec[], caps: CapsSpec, q: URLSearchParams): TorznabItemSpec[] {
  const known = new Set(caps.categories ?? DEFAULT_CATEGORIES)
  const asked = (q.get('cat') ?? '').split(',').filter(Boolean).map(Number)
  if (asked.length && !asked.some((c) => known.has(c))) return [] // unsupported cat: silently empty
  const offset = Number(q.get('offset') ?? 0)
  if (offset > 0 && !caps.pages) return []
  const max = caps.limitsMax ?? 100
  const limit = Math.min(Number(q.get('limit') ?? caps.limitsDefault ?? 100) || max, max)
  return items.slice(offset, offset + limit)
}

export async function startTorznabServer(opts: TorznabServerOptions): Promise<TorznabServer> {
  const flavor = opts.flavor ?? 'jackett'
  const indexers = new Map(Object.entries(opts.indexers))
  const pendingFaults = new Map<string, FeedFault[]>([...indexers].map(([k, v]) => [k, [...(v.faults ?? [])]]))
  const downloads = new Map<string, Download>() // `${indexer}/${n}` → what to serve
  const timers = new Set<NodeJS.Timeout>()
  const requests: ServedRequest[] = []
  let origin = ''

  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t)
        resolve()
      }, ms)
      timers.add(t)
    })

  const send = (
    res: ServerResponse,
    status: number,
    body: string | Uint8Array,
    headers: Record<string, string> = {},
  ) => {
    if (res.destroyed) return
    res.writeHead(status, {
      'content-type': typeof body === 'string' ? 'application/rss+xml; charset=utf-8' : 'application/x-bittorrent',
      'content-length': String(Buffer.byteLength(body)),
      ...headers,
    })
    res.end(body)
  }

  const linkFor = (indexer: string, n: number, it: TorznabItemSpec): string | undefined => {
    if (!it.download) return undefined
    const key = opts.apikey ?? ''
    const file = encodeURIComponent(it.title)
    return flavor === 'jackett'
      ? `${origin}/dl/${encodeURIComponent(indexer)}/?jackett_apikey=${encodeURIComponent(key)}&path=${n}&file=${file}`
      : `${origin}/${encodeURIComponent(indexer)}/download?apikey=${encodeURIComponent(key)}&link=${n}&file=${file}`
  }

  async function serveFault(res: ServerResponse, f: FeedFault): Promise<number | undefined> {
    if ('streamBytes' in f) {
      const total = (f as { streamBytes: number }).streamBytes
      res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8' })
      res.write('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>\n')
      const item = Buffer.from(`<item><title>${'x'.repeat(900)}</title></item>\n`)
      let sent = 0
      await new Promise<void>((done) => {
        const pump = () => {
          while (sent < total && !res.destroyed) {
            sent += item.length
            if (!res.write(item)) return void res.once('drain', pump)
          }
          if (!res.destroyed) res.end('</channel></rss>\n')
          done()
        }
        res.once('close', () => done())
        pump()
      })
      return 200
    }
    if ('delayMs' in f) {
      await wait(f.delayMs)
      return undefined // then the feed
    }
    if ('error' in f) {
      const status = f.error.status ?? 200
      send(res, status, torznabErrorXml(f.error.code, f.error.description))
      return status
    }
    if ('raw' in f) {
      const status = f.status ?? 200
      send(res, status, f.raw, f.contentType ? { 'content-type': f.contentType } : {})
      return status
    }
    send(res, f.status, f.body ?? '', f.retryAfter !== undefined ? { 'retry-after': String(f.retryAfter) } : {})
    return f.status
  }

  async function serveDownload(res: ServerResponse, d: Download): Promise<number> {
    if ('delayMs' in d) {
      await wait(d.delayMs)
      return serveDownload(res, d.serve)
    }
    if ('torrent' in d) {
      send(res, 200, d.torrent, { 'content-disposition': 'attachment; filename="file.torrent"' })
      return 200
    }
    if ('magnet' in d) {
      // Jackett answers 302, Prowlarr 301 (DownloadController)
      const status = flavor === 'prowlarr' ? 301 : 302
      send(res, status, '', { location: d.magnet, 'content-type': 'text/plain' })
      return status
    }
    if ('body' in d) {
      const status = d.status ?? 200
      send(res, status, d.body, d.contentType ? { 'content-type': d.contentType } : {})
      return status
    }
    send(res, d.status, '', d.retryAfter !== undefined ? { 'retry-after': String(d.retryAfter) } : {})
    return d.status
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost')
    const q = url.searchParams
    const p = url.pathname
    // Recorded on arrival (so a slow reply still shows when it was asked); kind/status filled in later.
    const rec: ServedRequest = { kind: 'other', path: p, query: q, status: 0, time: Date.now() }
    requests.push(rec)
    const record = (kind: ServedRequest['kind'], status: number, indexer?: string) => {
      Object.assign(rec, { kind, status, indexer })
    }

    const feedMatch =
      p.match(/^\/api\/v2\.0\/indexers\/([^/]+)\/results\/torznab(?:\/api)?\/?$/) ?? p.match(/^\/([^/]+)\/api\/?$/)
    if (feedMatch?.[1]) {
      const indexer = decodeURIComponent(feedMatch[1])
      Object.assign(rec, { kind: q.get('t') === 'caps' ? 'caps' : 'feed', indexer })
      if (opts.apikey !== undefined && q.get('apikey') !== opts.apikey) {
        send(res, 401, torznabErrorXml(100, 'Invalid API Key'))
        return void record('feed', 401, indexer)
      }
      const spec = indexers.get(indexer)
      if (!spec) {
        send(res, 404, torznabErrorXml(201, `Indexer is not configured: ${indexer}`))
        return void record('feed', 404, indexer)
      }
      if (q.get('t') === 'caps') {
        send(res, 200, capsXml(spec.caps))
        return void record('caps', 200, indexer)
      }
      const fault = pendingFaults.get(indexer)?.shift() ?? spec.fault
      if (fault) {
        const status = await serveFault(res, fault)
        if (status !== undefined) return void record('feed', status, indexer)
      }
      const all = typeof spec.items === 'function' ? spec.items(q) : spec.items
      const items = (spec.caps ? applyCaps(all, spec.caps, q) : all).map((it) =>
        // Prowlarr serves a magnet-only item through its /download endpoint (a redirect to the magnet)
        flavor === 'prowlarr' && it.magnet && !it.download ? { ...it, download: { magnet: it.magnet } } : it,
      )
      items.forEach((it, i) => {
        if (it.download) downloads.set(`${indexer}/${i + 1}`, it.download)
      })
      const xml = renderFeed(flavor, indexer, spec.title ?? indexer, items, `${origin}${p}`, (n, it) =>
        linkFor(indexer, n, it),
      )
      send(res, 200, xml)
      return void record('feed', 200, indexer)
    }

    const dl = p.match(/^\/dl\/([^/]+)\/?$/) ?? p.match(/^\/([^/]+)\/download\/?$/)
    if (dl?.[1]) {
      const indexer = decodeURIComponent(dl[1])
      Object.assign(rec, { kind: 'download', indexer })
      const key = q.get('jackett_apikey') ?? q.get('apikey')
      if (opts.apikey !== undefined && key !== opts.apikey) {
        send(res, 401, 'Unauthorized', { 'content-type': 'text/plain' })
        return void record('download', 401, indexer)
      }
      const d = downloads.get(`${indexer}/${q.get('path') ?? q.get('link') ?? ''}`)
      if (!d) {
        send(res, 404, 'Not found', { 'content-type': 'text/plain' })
        return void record('download', 404, indexer)
      }
      const status = await serveDownload(res, d)
      return void record('download', status, indexer)
    }
    send(res, 404, 'Not found', { 'content-type': 'text/plain' })
    record('other', 404)
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      if (!res.headersSent) send(res, 500, String(err), { 'content-type': 'text/plain' })
      else res.destroy()
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve())
  })
  const addr = server.address() as AddressInfo
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address
  origin = `http://${host}:${addr.port}`
  const path = flavor === 'jackett' ? '/api/v2.0/indexers/{indexer}/results/torznab/' : '/{indexer}/api'

  return {
    flavor,
    origin,
    port: addr.port,
    netloc: `${host}:${addr.port}`,
    path,
    iniSection: () =>
      [
        '[jackettapi]',
        'scheme = http',
        `domain = ${host}`,
        `port = ${addr.port}`,
        `netloc = ${host}:${addr.port}`,
        `path = ${path}`,
        `apikey = ${opts.apikey ?? ''}`,
        '',
      ].join('\n'),
    requests,
    setIndexer(name, spec) {
      indexers.set(name, spec)
      pendingFaults.set(name, [...(spec.faults ?? [])])
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t)
        timers.clear()
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}
