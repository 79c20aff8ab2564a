/**
 * A small static file server for dist/ on 127.0.0.1 (port 0 = any free port): directory index,
 * 404.html for missing paths, no caching. Used by the Playwright setup and the site benchmark.
 */
import { createReadStream, existsSync, statSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { extname, join, normalize, resolve } from 'node:path'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.xml': 'application/xml',
  '.svg': 'image/svg+xml',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
}

export interface StaticServer {
  url: string
  server: Server
  close(): Promise<void>
}

export function resolveFile(root: string, urlPath: string): string | null {
  let p: string
  try {
    p = decodeURIComponent(urlPath.split('?')[0] ?? '/')
  } catch {
    return null
  }
  const file = normalize(join(root, p))
  if (!file.startsWith(root)) return null
  if (existsSync(file) && statSync(file).isDirectory()) {
    const index = join(file, 'index.html')
    return existsSync(index) ? index : null
  }
  return existsSync(file) ? file : null
}

export function serveStatic(dir: string, port = 0): Promise<StaticServer> {
  const root = resolve(dir)
  const server = createServer((req, res) => {
    const file = resolveFile(root, req.url ?? '/')
    const notFound = join(root, '404.html')
    const target = file ?? (existsSync(notFound) ? notFound : null)
    if (!target) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found')
      return
    }
    res.writeHead(file ? 200 : 404, {
      'Content-Type': TYPES[extname(target)] ?? 'application/octet-stream',
      'Cache-Control': 'no-store',
    })
    createReadStream(target).pipe(res)
  })
  return new Promise((ok, fail) => {
    server.once('error', fail)
    server.listen(port, '127.0.0.1', () => {
      const { port: p } = server.address() as AddressInfo
      ok({
        url: `http://127.0.0.1:${p}`,
        server,
        close: () => new Promise((done) => server.close(() => done())),
      })
    })
  })
}

// `tsx test/e2e/static-server.ts DIR [PORT]`: serve until killed (Playwright's webServer uses this).
if (process.argv[1]?.endsWith('static-server.ts')) {
  const dir = process.argv[2] ?? 'dist'
  serveStatic(dir, Number(process.argv[3] ?? 0)).then((s) => console.log(`serving ${dir} at ${s.url}`))
}
