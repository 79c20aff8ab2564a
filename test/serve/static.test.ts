/** The static server of `mediastrends serve` on loopback: types, folders, 404 page, no way out of the site. */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type SiteServer, startSiteServer } from '../../pipeline/serve/static.ts'

let dir: string
let site: string
let server: SiteServer
let base = '/'

/** A raw request: the path is sent exactly as given (no client-side normalisation). */
function get(
  path: string,
  opts: { method?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: server.port, path, method: opts.method ?? 'GET', headers: opts.headers },
      (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (d) => {
          body += d
        })
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
      },
    )
    req.on('error', reject)
    req.end()
  })
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mediastrends-static-'))
  site = join(dir, 'site')
  mkdirSync(join(site, 'movies', 'neon-orchard'), { recursive: true })
  mkdirSync(join(site, '_astro'), { recursive: true })
  mkdirSync(join(site, 'pagefind'), { recursive: true })
  writeFileSync(join(site, 'index.html'), '<h1>Trending</h1>')
  writeFileSync(join(site, '404.html'), '<h1>Not here</h1>')
  writeFileSync(join(site, 'movies', 'neon-orchard', 'index.html'), '<h1>Neon Orchard</h1>')
  writeFileSync(join(site, '_astro', 'app.1234.css'), 'body{}')
  writeFileSync(join(site, '_astro', 'app.1234.js'), 'export {}')
  writeFileSync(join(site, 'rss.xml'), '<rss/>')
  writeFileSync(join(site, 'pagefind', 'pagefind.wasm'), 'x')
  writeFileSync(join(site, '.secret'), 'nope')
  writeFileSync(join(dir, 'outside.txt'), 'OUTSIDE')
  symlinkSync(join(dir, 'outside.txt'), join(site, 'link.txt'))
  server = await startSiteServer({
    root: () => site,
    base: () => base,
    routes: {
      '/ping': (_q, r) => {
        r.end('pong')
      },
    },
  })
})
afterAll(async () => {
  await server.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('static server', () => {
  it('serves the index and pages with their content types', async () => {
    const home = await get('/')
    expect(home.status).toBe(200)
    expect(home.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(home.body).toBe('<h1>Trending</h1>')
    expect(home.headers['cache-control']).toBe('no-cache')
    expect((await get('/movies/neon-orchard/')).body).toBe('<h1>Neon Orchard</h1>')
    const css = await get('/_astro/app.1234.css')
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8')
    expect(css.headers['cache-control']).toContain('immutable')
    expect((await get('/_astro/app.1234.js')).headers['content-type']).toBe('text/javascript; charset=utf-8')
    expect((await get('/rss.xml')).headers['content-type']).toBe('application/xml; charset=utf-8')
    expect((await get('/pagefind/pagefind.wasm')).headers['content-type']).toBe('application/wasm')
    expect((await get('/ping')).body).toBe('pong')
  })

  it('redirects a folder to its trailing slash, answers HEAD and If-None-Match', async () => {
    const r = await get('/movies/neon-orchard?x=1')
    expect(r.status).toBe(301)
    expect(r.headers.location).toBe('/movies/neon-orchard/?x=1')
    const head = await get('/', { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(head.body).toBe('')
    expect(head.headers['content-length']).toBe(String('<h1>Trending</h1>'.length))
    const etag = String(head.headers.etag)
    expect((await get('/', { headers: { 'if-none-match': etag } })).status).toBe(304)
    expect((await get('/', { method: 'POST' })).status).toBe(405)
  })

  it('answers a missing page with the site’s 404 page and status 404', async () => {
    const r = await get('/movies/nothing-here/')
    expect(r.status).toBe(404)
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(r.body).toBe('<h1>Not here</h1>')
    expect((await get('/.secret')).status).toBe(404)
  })

  it('refuses every way out of the site', async () => {
    for (const p of [
      '/../outside.txt',
      '/movies/../../outside.txt',
      '/%2e%2e/outside.txt',
      '/%2E%2E%2Foutside.txt',
      '/..%2foutside.txt',
      '/movies/..%5c..%5coutside.txt',
      '/index.html%00.css',
      '/%zz',
    ]) {
      const r = await get(p)
      expect(r.status, p).toBe(400)
      expect(r.body).not.toContain('OUTSIDE')
    }
    const link = await get('/link.txt')
    expect(link.status).toBe(400)
    expect(link.body).not.toContain('OUTSIDE')
  })

  it('strips the base path the site was built for (a project page)', async () => {
    base = '/mediastrends/'
    try {
      expect((await get('/mediastrends/')).body).toBe('<h1>Trending</h1>')
      expect((await get('/mediastrends/movies/neon-orchard/')).body).toBe('<h1>Neon Orchard</h1>')
      const root = await get('/')
      expect(root.status).toBe(302)
      expect(root.headers.location).toBe('/mediastrends/')
      expect((await get('/movies/neon-orchard/')).status).toBe(404)
    } finally {
      base = '/'
    }
  })
})
