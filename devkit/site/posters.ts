/**
 * Locally generated posters, for the test database, the benchmark and the demo (no network):
 * `posterImage(title, n)` draws a poster-like PNG with sharp (a gradient, a shape, the title), and
 * `startPosterServer()` serves them on 127.0.0.1 at /p/N/TITLE.png (a 404 for /missing/…), as TMDB's
 * image server would, so the site's build-time fetch (site/lib/posters.ts) is exercised for real.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import sharp from 'sharp'

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] ?? c)

/** Break a title into lines of about 12 characters (at most 4). */
function lines(title: string): string[] {
  const out: string[] = []
  for (const w of title.split(/\s+/).filter(Boolean)) {
    const last = out[out.length - 1]
    if (last !== undefined && (last + w).length < 12) out[out.length - 1] = `${last} ${w}`
    else out.push(w.slice(0, 16))
  }
  return out.slice(0, 4)
}

export async function posterImage(title: string, n: number): Promise<Buffer> {
  const hue = (n * 47) % 360
  const hue2 = (hue + 40) % 360
  const shape =
    n % 3 === 0
      ? `<circle cx="170" cy="190" r="${90 + (n % 5) * 10}" fill="hsl(${hue2},70%,65%)" opacity="0.55"/>`
      : n % 3 === 1
        ? `<polygon points="0,460 180,120 342,460" fill="hsl(${hue2},60%,30%)" opacity="0.7"/>`
        : `<rect x="40" y="80" width="262" height="262" rx="30" fill="hsl(${hue2},65%,55%)" opacity="0.45" transform="rotate(${n % 30} 171 211)"/>`
  const text = lines(title)
    .map((l, i) => `<text x="24" y="${372 + i * 30}">${esc(l)}</text>`)
    .join('')
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="342" height="513">
<defs><linearGradient id="g" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="hsl(${hue},55%,45%)"/><stop offset="1" stop-color="hsl(${hue},60%,12%)"/></linearGradient></defs>
<rect width="342" height="513" fill="url(#g)"/>${shape}
<g font-family="DejaVu Sans, sans-serif" font-weight="bold" font-size="28" fill="#fff">${text}</g>
<rect x="24" y="490" width="80" height="4" fill="#fff" opacity="0.6"/></svg>`
  return sharp(Buffer.from(svg)).png({ compressionLevel: 9 }).toBuffer()
}

export interface PosterServer {
  url: string
  /** Images served so far. */
  served(): number
  stop(): Promise<void>
}

/** Serve generated posters on 127.0.0.1 (port 0: a free one). */
export async function startPosterServer(port = 0): Promise<PosterServer> {
  let served = 0
  const server = createServer((req, res) => {
    const m = /^\/p\/(\d+)\/([^/]+)\.png$/.exec(req.url ?? '')
    if (!m) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found')
      return
    }
    posterImage(decodeURIComponent(m[2] as string), Number(m[1])).then(
      (png) => {
        served++
        res.writeHead(200, { 'content-type': 'image/png', 'content-length': png.length }).end(png)
      },
      (err) => res.writeHead(500).end(String(err)),
    )
  })
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r))
  const { port: p } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${p}`,
    served: () => served,
    stop: () => new Promise<void>((r) => server.close(() => r())),
  }
}

/** The URL the test database gives medium number `n`'s poster (every 11th is a 404). */
export function seedPosterUrl(base: string, n: number, title: string): string {
  const b = base.replace(/\/$/, '')
  return n % 11 === 6 ? `${b}/missing/${n}.png` : `${b}/p/${n}/${encodeURIComponent(title)}.png`
}
