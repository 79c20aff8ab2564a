/**
 * `npm run bench -- site`: seed a database of 1,000 movies, 100 series and 10,000 torrents (14 days
 * of scrapes, 10 trend runs; posters from a loopback poster server, devkit/site/posters.ts), build
 * the site from it twice (Astro's build() with Pagefind inside, as `mediastrends site build`): the
 * first build fetches and resizes every poster, the second finds them in the poster cache. Prints
 * both build times, dist/'s size and pages, and the home page's transferred size: HTML + the CSS
 * and JS it loads gzip'd, plus every poster thumbnail it shows (WebP, as served).
 * Goals: build ≤ 90 s with posters cached; home ≤ 150 KB with thumbnails, no JS needed;
 * dist/ ≤ 300 MB at 100,000 torrents ever seen (torrent pages bounded by [site] torrent_page_days).
 * Options: --movies N --series N --torrents N --days N --page-days N --old N (releases let go long
 * ago, on top: `--old 90000` is the 100,000-torrents-ever-seen budget) --keep (keep the temp dir).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { gzipSync } from 'node:zlib'
import { buildSiteApart } from '../../devkit/site/build.ts'
import { startPosterServer } from '../../devkit/site/posters.ts'
import { seedSiteDb } from '../../devkit/site/seed-db.ts'

const { values } = parseArgs({
  options: {
    movies: { type: 'string', default: '1000' },
    series: { type: 'string', default: '100' },
    torrents: { type: 'string', default: '10000' },
    days: { type: 'string', default: '14' },
    'page-days': { type: 'string', default: '30' },
    /** Releases let go long ago on top of --torrents (the "ever seen" of the bounded-site budget). */
    old: { type: 'string', default: '0' },
    keep: { type: 'boolean', default: false },
  },
})

const dir = mkdtempSync(join(tmpdir(), 'mediastrends-bench-site-'))
const db = join(dir, 'bench.db')
const out = join(dir, 'dist')
const posters = await startPosterServer()
try {
  const t0 = performance.now()
  const s = seedSiteDb(db, {
    movies: Number(values.movies),
    series: Number(values.series),
    torrents: Number(values.torrents),
    days: Number(values.days),
    torrentPageDays: Number(values['page-days']),
    oldTorrents: Number(values.old),
    posterBase: posters.url,
  })
  const seedS = (performance.now() - t0) / 1000
  console.log(
    `seed: ${s.media} media, ${s.torrents} torrents, ${s.stats.toLocaleString('en-US')} stats rows, ${s.trends.toLocaleString('en-US')} trend rows in ${seedS.toFixed(1)} s (${(statSync(db).size / 1e6).toFixed(0)} MB), of which site data (full) ${s.siteDataSeconds.toFixed(1)} s`,
  )
  const cold = await buildSiteApart(db, out)
  const fetched = posters.served()
  const b = await buildSiteApart(db, out)
  const refetched = posters.served() - fetched

  let pages = 0
  let torrentPages = 0
  let bytes = 0
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name)
      if (e.isDirectory()) walk(p)
      else {
        bytes += statSync(p).size
        if (e.name.endsWith('.html')) {
          pages++
          if (p.includes('/torrent/')) torrentPages++
        }
      }
    }
  }
  walk(out)

  // The home page and what it loads: stylesheets, scripts, icons (gzip'd) and poster thumbnails (as is).
  const html = readFileSync(join(out, 'index.html'), 'utf8')
  const assets = [
    ...html.matchAll(/<link[^>]+rel="(?:stylesheet|icon)"[^>]*href="([^"]+)"/g),
    ...html.matchAll(/<link[^>]+href="([^"]+)"[^>]*rel="(?:stylesheet|icon)"/g),
    ...html.matchAll(/<script[^>]+src="([^"]+)"/g),
  ].map((m) => m[1] as string)
  const scripts = [...html.matchAll(/<script/g)].length
  const images = [...new Set([...html.matchAll(/<img[^>]+src="([^"]+)"/g)].map((m) => m[1] as string))]
  const gz = (buf: Buffer | string) => gzipSync(buf, { level: 6 }).length
  let homeBytes = gz(html)
  const parts = [`html ${(gz(html) / 1024).toFixed(1)} KB`]
  for (const a of new Set(assets)) {
    const size = gz(readFileSync(join(out, a.replace(/^\//, ''))))
    homeBytes += size
    parts.push(`${a} ${(size / 1024).toFixed(1)} KB`)
  }
  let imageBytes = 0
  for (const i of images) imageBytes += statSync(join(out, i.replace(/^\//, ''))).size
  homeBytes += imageBytes
  parts.push(`${images.length} poster thumbnails ${(imageBytes / 1024).toFixed(1)} KB`)
  console.log(
    `build: ${cold.seconds.toFixed(1)} s fetching ${fetched} posters, ${b.seconds.toFixed(1)} s with posters cached (${refetched} fetched again; of which pagefind ${b.pagefindSeconds?.toFixed(1) ?? '?'} s; CPU of the build process ${b.cpuSeconds?.toFixed(1) ?? '?'} s; load average ${loadavg()[0]?.toFixed(1)})  [goal ≤ 90 s]`,
  )
  console.log(
    `dist/: ${pages} pages (${torrentPages} torrent pages of ${s.torrents} torrents, [site] torrent_page_days = ${values['page-days']}), ${(bytes / 1e6).toFixed(0)} MB`,
  )
  console.log(
    `home page: ${(homeBytes / 1024).toFixed(1)} KB transferred (${parts.join(', ')}), ${scripts} scripts  [goal ≤ 150 KB, 0 JS]`,
  )
  const torrentDir = readdirSync(join(out, 'torrent'))[0]
  const moviePage = readFileSync(join(out, 'movie', '1', 'index.html'))
  const torrentPage = torrentDir ? readFileSync(join(out, 'torrent', torrentDir, 'index.html')) : Buffer.alloc(0)
  console.log(
    `a movie page: ${(moviePage.length / 1024).toFixed(1)} KB (${(gz(moviePage) / 1024).toFixed(1)} KB gzip'd); a torrent page: ${(torrentPage.length / 1024).toFixed(1)} KB (${(gz(torrentPage) / 1024).toFixed(1)} KB gzip'd)`,
  )
} finally {
  await posters.stop()
  if (values.keep) console.log(`kept ${dir}`)
  else rmSync(dir, { recursive: true, force: true })
}
