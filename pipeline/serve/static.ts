/**
 * The static server of `mediastrends serve` (node:http, nothing else): the built site with the
 * right content types, `index.html` for folders (a folder without its trailing slash is
 * redirected to it, as GitHub Pages does), the site's `404.html` with status 404, ETag /
 * If-None-Match, GET and HEAD only. A request that climbs out of the site (`..`, encoded or not,
 * a NUL byte, a symbolic link pointing outside) is refused with 400; dotfiles are not served.
 *
 * The root is asked for on every request (`root()`), so a new build swapped in (see build.ts)
 * is served from the next request on. Extra routes (the health endpoint) are answered first.
 */
import { createReadStream, type Stats } from 'node:fs'
import { realpath, stat } from 'node:fs/promises'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { extname, join, sep } from 'node:path'

export const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.rss': 'application/rss+xml; charset=utf-8',
  '.atom': 'application/atom+xml; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.wasm': 'application/wasm',
  '.pdf': 'application/pdf',
}

export const contentTypeOf = (file: string): string =>
  CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream'

export type Route = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>

export interface SiteServerOptions {
  /** The folder served (asked for on each request); undefined: no site yet (503). */
  root: () => string | undefined
  /** The base path the site was built for ("/" or "/repo/"): stripped from requests. */
  base?: () => string
  host?: string
  port?: number
  /** Exact paths answered before the site (e.g. /healthz). */
  routes?: Record<string, Route>
}

export interface SiteServer {
  url: string
  port: number
  server: Server
  close(): Promise<void>
}

/** Split a request path into safe segments, or undefined when it tries to leave the root. */
export function safeSegments(pathname: string): string[] | undefined {
  let decoded: string
  try {
    decoded = decodeURIComponent(pathname)
  } catch {
    return undefined
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined
  const segments = decoded.split('/').filter((s) => s !== '' && s !== '.')
  if (segments.some((s) => s === '..')) return undefined
  return segments
}

function send(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    'x-content-type-options': 'nosniff',
    ...headers,
  })
  res.end(res.req.method === 'HEAD' ? undefined : text)
}

async function statOrUndefined(p: string): Promise<Stats | undefined> {
  try {
    return await stat(p)
  } catch {
    return undefined
  }
}

function sendFile(req: IncomingMessage, res: ServerResponse, file: string, st: Stats, status = 200): void {
  const etag = `W/"${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"`
  const type = contentTypeOf(file)
  const headers: Record<string, string> = {
    'content-type': type,
    etag,
    'last-modified': st.mtime.toUTCString(),
    // pages change after every run; hashed assets (/_astro/) never do
    'cache-control': file.includes(`${sep}_astro${sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache',
    'x-content-type-options': 'nosniff',
  }
  if (status === 200 && req.headers['if-none-match'] === etag) {
    res.writeHead(304, headers)
    res.end()
    return
  }
  res.writeHead(status, { ...headers, 'content-length': String(st.size) })
  if (req.method === 'HEAD') {
    res.end()
    return
  }
  const stream = createReadStream(file)
  stream.on('error', () => res.destroy())
  stream.pipe(res)
}

/** The request handler (exported for tests that want it without a socket). */
export function siteHandler(opts: SiteServerOptions): Route {
  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    const route = opts.routes?.[url.pathname]
    if (route) return route(req, res)
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return send(res, 405, 'method not allowed\n', { allow: 'GET, HEAD' })
    // The raw path too: URL parsing would quietly resolve "/../" and "/%2e%2e/" away.
    const raw = (req.url ?? '/').split(/[?#]/)[0] ?? '/'
    const segments = safeSegments(raw) && safeSegments(url.pathname)
    if (!segments) return send(res, 400, 'bad request: path outside the site\n')
    const root = opts.root()
    if (!root) return send(res, 503, 'the site is not built yet: the first run is under way\n', { 'retry-after': '60' })
    let realRoot: string
    try {
      realRoot = await realpath(root)
    } catch {
      return send(res, 503, 'the site is not built yet\n', { 'retry-after': '60' })
    }
    const notFound = async () => {
      const page = join(realRoot, '404.html')
      const st = await statOrUndefined(page)
      if (st?.isFile()) return sendFile(req, res, page, st, 404)
      return send(res, 404, 'not found\n')
    }
    // Strip the base path the site was built for (a project page: /repo/).
    const baseSegments = (opts.base?.() ?? '/').split('/').filter(Boolean)
    if (baseSegments.length) {
      const under = baseSegments.every((b, i) => segments[i] === b)
      if (!under) {
        if (segments.length === 0) return send(res, 302, 'see the site\n', { location: `/${baseSegments.join('/')}/` })
        return notFound()
      }
      segments.splice(0, baseSegments.length)
    }
    if (segments.some((s) => s.startsWith('.') && s !== '.well-known')) return notFound()
    let file = join(realRoot, ...segments)
    let st = await statOrUndefined(file)
    if (st?.isDirectory()) {
      if (!url.pathname.endsWith('/')) {
        return send(res, 301, 'moved\n', { location: `${url.pathname}/${url.search}` })
      }
      file = join(file, 'index.html')
      st = await statOrUndefined(file)
    } else if (!st && !extname(file)) {
      // /page served from page.html (Astro's build.format 'file')
      const html = `${file}.html`
      const hs = await statOrUndefined(html)
      if (hs?.isFile()) {
        file = html
        st = hs
      }
    }
    if (!st?.isFile()) return notFound()
    // A symbolic link inside the site must not lead out of it.
    let real: string
    try {
      real = await realpath(file)
    } catch {
      return notFound()
    }
    if (real !== realRoot && !real.startsWith(realRoot + sep))
      return send(res, 400, 'bad request: path outside the site\n')
    sendFile(req, res, real, st)
  }
}

export async function startSiteServer(opts: SiteServerOptions): Promise<SiteServer> {
  const handler = siteHandler(opts)
  const server = createServer((req, res) => {
    Promise.resolve(handler(req, res)).catch(() => {
      if (!res.headersSent) send(res, 500, 'internal error\n')
      else res.destroy()
    })
  })
  // Idle keep-alive sockets must not hold a stopping server open.
  server.keepAliveTimeout = 5000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const port = (server.address() as AddressInfo).port
  const host = opts.host ?? '127.0.0.1'
  const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host
  return {
    url: `http://${shown}:${port}`,
    port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeIdleConnections()
      }),
  }
}
