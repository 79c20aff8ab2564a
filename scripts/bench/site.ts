/**
 * `npm run bench -- site`: seed a database of 1,000 movies, 100 series and 10,000 torrents (14 days
 * of scrapes, 10 trend runs), build the site from it (Astro's build() with Pagefind inside, as
 * `mediastrends site build`),
 * and print the build time and the home page's transferred size: HTML + the CSS and JS it loads,
 * each gzip'd, posters excluded. Goals: ≤ 90 s and ≤ 60 KB.
 * Options: --movies N --series N --torrents N --days N --keep (keep the temp dir).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { gzipSync } from 'node:zlib'
import { buildSiteApart } from '../../devkit/site/build.ts'
import { seedSiteDb } from '../../devkit/site/seed-db.ts'

const { values } = parseArgs({
  options: {
    movies: { type: 'string', default: '1000' },
    series: { type: 'string', default: '100' },
    torrents: { type: 'string', default: '10000' },
    days: { type: 'string', default: '14' },
    keep: { type: 'boolean', default: false },
  },
})

const dir = mkdtempSync(join(tmpdir(), 'mediastrends-bench-site-'))
const db = join(dir, 'bench.db')
const out = join(dir, 'dist')
try {
  const t0 = performance.now()
  const s = seedSiteDb(db, {
    movies: Number(values.movies),
    series: Number(values.series),
    torrents: Number(values.torrents),
    days: Number(values.days),
  })
  const seedS = (performance.now() - t0) / 1000
  console.log(
    `seed: ${s.media} media, ${s.torrents} torrents, ${s.stats.toLocaleString('en-US')} stats rows, ${s.trends.toLocaleString('en-US')} trend rows in ${seedS.toFixed(1)} s (${(statSync(db).size / 1e6).toFixed(0)} MB), of which site data (full) ${s.siteDataSeconds.toFixed(1)} s`,
  )
  const b = buildSiteApart(db, out)

  let pages = 0
  let bytes = 0
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name)
      if (e.isDirectory()) walk(p)
      else {
        bytes += statSync(p).size
        if (e.name.endsWith('.html')) pages++
      }
    }
  }
  walk(out)

  // The home page and what it loads (stylesheets, scripts, icons; not posters).
  const html = readFileSync(join(out, 'index.html'), 'utf8')
  const assets = [
    ...html.matchAll(/<link[^>]+rel="(?:stylesheet|icon)"[^>]*href="([^"]+)"/g),
    ...html.matchAll(/<link[^>]+href="([^"]+)"[^>]*rel="(?:stylesheet|icon)"/g),
    ...html.matchAll(/<script[^>]+src="([^"]+)"/g),
  ].map((m) => m[1] as string)
  const gz = (buf: Buffer | string) => gzipSync(buf, { level: 6 }).length
  let homeGz = gz(html)
  const parts = [`html ${(gz(html) / 1024).toFixed(1)} KB`]
  for (const a of new Set(assets)) {
    const file = join(out, a.replace(/^\//, ''))
    const size = gz(readFileSync(file))
    homeGz += size
    parts.push(`${a} ${(size / 1024).toFixed(1)} KB`)
  }
  console.log(
    `build: ${b.seconds.toFixed(1)} s (of which pagefind ${b.pagefindSeconds?.toFixed(1) ?? '?'} s), ${pages} pages, ${(bytes / 1e6).toFixed(0)} MB in dist/  [goal ≤ 90 s]`,
  )
  console.log(
    `home page: ${(homeGz / 1024).toFixed(1)} KB gzip'd (${parts.join(', ')}), posters excluded  [goal ≤ 60 KB]`,
  )
  const torrentPage = readFileSync(join(out, 'torrent', '1', 'index.html'))
  const moviePage = readFileSync(join(out, 'movie', '1', 'index.html'))
  console.log(
    `a movie page: ${(gz(moviePage) / 1024).toFixed(1)} KB gzip'd; a torrent page: ${(gz(torrentPage) / 1024).toFixed(1)} KB gzip'd`,
  )
} finally {
  if (values.keep) console.log(`kept ${dir}`)
  else rmSync(dir, { recursive: true, force: true })
}
