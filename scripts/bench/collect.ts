/**
 * Benchmark of `torrents stats` (collect): a loopback tracker (bittorrent-tracker's Server, see
 * devkit/servers/tracker.ts) holds N swarms; N followed torrents linked to it sit in a fresh
 * SQLite file; the stats step scrapes them all and writes the rows. Printed: wall time and hashes/s
 * of the step (DB reads and writes included), per transport, for N = 10 000 and 100 000.
 *
 * Population: `tracker.populate()` drives the server's own Swarm objects with the same announces a
 * client would send (started / completed / stopped), in-process: the scraper then reads real
 * swarm state over real HTTP and UDP, without 500k announces over loopback first.
 *
 *   npm run bench -- collect            BENCH_SIZES=1000,5000 npm run bench -- collect
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { stringify } from 'yaml'
import { randomInfoHash, startTracker } from '../../devkit/servers/tracker.ts'
import { torrentsStats } from '../../pipeline/collect/command.ts'
import { loadConfig } from '../../pipeline/config/load.ts'
import { makeContext } from '../../pipeline/context.ts'
import { fixedClock } from '../../pipeline/core/clock.ts'

const sizes = (process.env.BENCH_SIZES ?? '10000,100000').split(',').map(Number)
const transports = (process.env.BENCH_TRANSPORTS ?? 'udp,http').split(',') as ('udp' | 'http')[]

const tracker = await startTracker()
const maxN = Math.max(...sizes)
const hashes = Array.from({ length: maxN }, randomInfoHash)
let t0 = performance.now()
hashes.forEach((h, i) => {
  if (i % 10 !== 9) tracker.populate(h, { seeders: i % 5, leechers: (i * 7) % 4, completed: (i * 3) % 9 })
})
console.log(
  `tracker: ${hashes.length} hashes (9 in 10 with a swarm) populated in ${((performance.now() - t0) / 1000).toFixed(2)} s`,
)

try {
  for (const n of sizes) {
    for (const transport of transports) {
      const dir = mkdtempSync(join(tmpdir(), 'mediastrends-bench-collect-'))
      try {
        const announce = new URL(
          (transport === 'udp' ? tracker.udpAnnounce : tracker.httpAnnounce).replace(/^udp:/, 'http:'),
        )
        writeFileSync(join(dir, 'mediastrends.bench.ini'), '[requests]\nuser_agent = mediastrends-bench\n')
        writeFileSync(
          join(dir, 'trackers.yaml'),
          stringify({
            loop: { scheme: transport, netloc: announce.host, path: transport === 'udp' ? '' : announce.pathname },
          }),
        )
        const ctx = makeContext({
          clock: fixedClock(new Date('2026-01-15T12:00:00Z')),
          loadConfig: () => loadConfig({ mode: 'bench', configDir: dir, env: {}, cwd: dir, home: dir, systemDirs: [] }),
        })
        const db = ctx.db()
        const trackerId = Number(
          db.$client
            .prepare("INSERT INTO trackers (name, scheme, netloc, path) VALUES ('loop', ?, ?, ?) RETURNING id")
            .pluck()
            .get(transport, announce.host, transport === 'udp' ? '' : announce.pathname),
        )
        const addTorrent = db.$client.prepare(
          "INSERT INTO torrents (info_hash, name, pub_date, added_at, status, category) VALUES (?, ?, 1768000000, 1768000000, 'follow', 'movies') RETURNING id",
        )
        const link = db.$client.prepare('INSERT INTO torrent_trackers (torrent_id, tracker_id) VALUES (?, ?)')
        db.$client.transaction(() => {
          for (const h of hashes.slice(0, n)) link.run(addTorrent.pluck().get(h, `bench ${h}`), trackerId)
        })()

        t0 = performance.now()
        const r = await torrentsStats(ctx, { categories: [] })
        const s = (performance.now() - t0) / 1000
        const rows = db.$client.prepare('SELECT count(*) FROM stats').pluck().get()
        ctx.close()
        console.log(
          `${transport.padEnd(4)} ${String(n).padStart(6)} torrents: ${s.toFixed(2)} s, ${Math.round(n / s)} hashes/s` +
            ` (answered ${r.counts.answered}, unknown ${r.counts.unknown}, failed ${r.counts.failed}; ${rows} rows stored)`,
        )
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    }
  }
} finally {
  await tracker.close()
}
