/**
 * `npm run bench -- ingest`: `torrents add` on a 1,000-item feed served from loopback, into a
 * temporary database. Three runs, each printed as items/s:
 *   magnets    every item carries infohash + magneturl (no download: parse + match + write)
 *   downloads  every item must be downloaded (.torrent files, [requests] concurrency = 4)
 *   re-run     the same download feed again: everything is already known
 */

import { startTorznabServer, type TorznabItemSpec } from '../../devkit/servers/torznab.ts'
import { fakeHash, makeMagnet, makeTorrent } from '../../devkit/torrent-file.ts'
import { makeContext } from '../../pipeline/context.ts'
import { fixedClock } from '../../pipeline/core/clock.ts'
import { torrentsAdd } from '../../pipeline/ingest/command.ts'
import { makeConfigDir } from '../../test/helpers/config.ts'

const N = 1000
const APIKEY = 'bench-apikey-0123456789'
const trackers = {
  ygg: { active: true, scheme: 'http', netloc: 'tracker.ygg.example:8080', path: '/announce' },
  open: { active: true, scheme: 'udp', netloc: 'open.example:6969', path: '/announce' },
}
const announceOf = (i: number) =>
  i % 10 === 0
    ? ['udp://unknown.example:1337/announce'] // 10 % skipped: no known tracker
    : i % 2
      ? ['http://tracker.ygg.example:8080/pk123/announce']
      : ['udp://open.example:6969/announce', 'http://tracker.ygg.example:8080/pk/announce']
const t0 = Date.parse('2026-11-24T12:00:00Z') / 1000

const magnetItems: TorznabItemSpec[] = Array.from({ length: N }, (_, i) => {
  const hash = fakeHash(`bench-magnet-${i}`)
  const title = `Bench.Magnet.Movie.${i}.2026.1080p.WEB-DL.H.264-GRP`
  return {
    title,
    categories: [2000, 102183],
    size: 1_000_000_000 + i,
    pubDate: t0 - i * 60,
    seeders: i % 50,
    leechers: i % 7,
    grabs: i,
    imdb: 1_000_000 + i,
    infoHash: hash,
    magnet: makeMagnet(hash, { name: title, trackers: announceOf(i) }),
  }
})
const downloadItems: TorznabItemSpec[] = Array.from({ length: N }, (_, i) => {
  const title = `Bench.Download.Movie.${i}.2026.1080p.BluRay.x264-GRP`
  const t = makeTorrent({ name: title, length: 2_000_000_000 + i, announce: announceOf(i), creationDate: t0 })
  return { title, categories: [2000], seeders: i % 30, leechers: i % 5, grabs: i, download: { torrent: t.bytes } }
})

if (process.env.BENCH_VERBOSE) (await import('../../pipeline/core/log.ts')).setVerbosity(1)
const srv = await startTorznabServer({
  flavor: 'jackett',
  apikey: APIKEY,
  indexers: { magnets: { items: magnetItems }, downloads: { items: downloadItems } },
})
const dir = makeConfigDir({
  ini: `concurrency = 4\n${srv.iniSection()}`,
  trackers,
  indexers: { magnets: { movies: { params: { cat: 2000 } } }, downloads: { movies: { params: { cat: 2000 } } } },
})
const ctx = makeContext({ clock: fixedClock(new Date(t0 * 1000)), loadConfig: () => dir.load() })

async function measure(label: string, indexer: string): Promise<void> {
  const start = performance.now()
  const r = await torrentsAdd(ctx, { categories: ['movies'], indexer })
  const s = (performance.now() - start) / 1000
  const c = r.counts
  console.log(
    `${label.padEnd(10)} ${N} items in ${s.toFixed(2)} s = ${Math.round(N / s)} items/s` +
      `  (kept ${c.kept}, duplicates ${c.duplicates}, skipped ${c.skipped}, failed ${c.failed})`,
  )
}

try {
  ctx.db() // open + migrate before timing
  await measure('magnets', 'magnets')
  await measure('downloads', 'downloads')
  await measure('re-run', 'downloads')
} finally {
  ctx.close()
  dir.cleanup()
  await srv.close()
}
