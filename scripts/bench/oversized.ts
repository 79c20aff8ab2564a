/**
 * `npm run bench -- oversized`: memory stays bounded whatever a server sends. A Torznab server
 * streams a 200 MB feed and an HTTP tracker an endless scrape reply; `torrents add` and
 * `torrents stats` must cut them at their size limits ([requests] max_feed_bytes, 1 MiB for a
 * scrape) and say so in one line. Printed: each step's error line, wall time, and the peak RSS of
 * this process (goal: under 300 MB). Run alone (bench.ts gives each benchmark its own process).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { stringify } from 'yaml'
import { startMisbehavingTracker } from '../../devkit/servers/misbehaving-tracker.ts'
import { startTorznabServer } from '../../devkit/servers/torznab.ts'
import { randomInfoHash } from '../../devkit/servers/tracker.ts'
import { torrentsStats } from '../../pipeline/collect/command.ts'
import { loadConfig } from '../../pipeline/config/load.ts'
import { makeContext } from '../../pipeline/context.ts'
import { fixedClock } from '../../pipeline/core/clock.ts'
import { memoryLog } from '../../pipeline/core/log.ts'
import { torrentsAdd } from '../../pipeline/ingest/command.ts'

const FEED_BYTES = Number(process.env.BENCH_FEED_BYTES ?? 200_000_000)
const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`
const rss = () => process.resourceUsage().maxRSS // KB, peak so far

const dir = mkdtempSync(join(tmpdir(), 'mediastrends-bench-oversized-'))
const torznab = await startTorznabServer({
  flavor: 'jackett',
  apikey: 'bench-key-123456',
  indexers: { huge: { items: [], fault: { streamBytes: FEED_BYTES } } },
})
const tracker = await startMisbehavingTracker('http', { behave: () => 'huge' })
try {
  writeFileSync(
    join(dir, 'mediastrends.bench.ini'),
    `[requests]\nuser_agent = bench\n[retry]\ntries = 1\n${torznab.iniSection().replace(/apikey = .*/, 'apikey = bench-key-123456')}`,
  )
  writeFileSync(join(dir, 'indexers.yaml'), stringify({ huge: { movies: { params: { cat: 2000 } } } }))
  writeFileSync(
    join(dir, 'trackers.yaml'),
    stringify({ huge: { scheme: 'http', netloc: `127.0.0.1:${tracker.port}`, path: '/announce' } }),
  )
  const logs = memoryLog()
  const ctx = makeContext({
    clock: fixedClock(new Date('2026-01-15T12:00:00Z')),
    loadConfig: () => loadConfig({ mode: 'bench', configDir: dir, env: {}, cwd: dir, home: dir, systemDirs: [] }),
    log: logs.log,
  })
  const base = rss()
  console.log(`start: peak RSS ${mb(base)}`)
  let t0 = performance.now()
  const add = await torrentsAdd(ctx, { categories: ['movies'] })
  console.log(
    `torrents add, a ${(FEED_BYTES / 1e6).toFixed(0)} MB feed: ${((performance.now() - t0) / 1000).toFixed(2)} s, peak RSS ${mb(rss())}\n  ${add.errors.join('\n  ')}`,
  )
  const db = ctx.db()
  const trackerId = Number(
    db.$client.prepare("SELECT id FROM trackers WHERE name = 'huge'").pluck().get() ??
      db.$client
        .prepare(
          "INSERT INTO trackers (name, scheme, netloc, path) VALUES ('huge', 'http', ?, '/announce') RETURNING id",
        )
        .pluck()
        .get(`127.0.0.1:${tracker.port}`),
  )
  const ins = db.$client.prepare(
    "INSERT INTO torrents (info_hash, name, pub_date, added_at, status) VALUES (?, 'x', 0, 0, 'follow') RETURNING id",
  )
  const link = db.$client.prepare('INSERT INTO torrent_trackers (torrent_id, tracker_id) VALUES (?, ?)')
  for (let i = 0; i < 3; i++) link.run(ins.pluck().get(randomInfoHash()), trackerId)
  t0 = performance.now()
  const stats = await torrentsStats(ctx, { categories: [] })
  console.log(
    `torrents stats, an endless scrape reply: ${((performance.now() - t0) / 1000).toFixed(2)} s, peak RSS ${mb(rss())}\n  ${stats.errors.join('\n  ')}`,
  )
  const peak = rss()
  console.log(`peak RSS ${mb(peak)} [goal < 300 MB]${peak > 300 * 1024 ? '  ← over the goal' : ''}`)
  ctx.close()
} finally {
  await torznab.close()
  await tracker.close()
  rmSync(dir, { recursive: true, force: true })
}
