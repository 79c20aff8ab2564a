/**
 * `npm run bench -- score`: trend compute over 10k torrents × 31 days × 6 scrapes/day × 2
 * trackers (≈ 3.7 M stats rows) in a temp database, every engine in the same run, through the real
 * command (load the window, score, rank, write the run). Goal: ≤ 3 s per compute.
 * Options: --torrents N --days N --scrapes-per-day N.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { rng } from '../../devkit/sim/rng.ts'
import { loadConfig } from '../../pipeline/config/load.ts'
import { makeContext } from '../../pipeline/context.ts'
import { fixedClock } from '../../pipeline/core/clock.ts'
import { tx } from '../../pipeline/db/client.ts'
import { trendsCompute } from '../../pipeline/score/command.ts'

const { values } = parseArgs({
  options: {
    torrents: { type: 'string', default: '10000' },
    days: { type: 'string', default: '31' },
    'scrapes-per-day': { type: 'string', default: '6' },
  },
})
const N = Number(values.torrents)
const DAYS = Number(values.days)
const PER_DAY = Number(values['scrapes-per-day'])
const DAY = 86_400
const end = Date.UTC(2026, 1, 1) / 1000
const start = end - DAYS * DAY + DAY / PER_DAY

const dir = mkdtempSync(join(tmpdir(), 'mediastrends-bench-score-'))
try {
  writeFileSync(join(dir, 'mediastrends.bench.ini'), '[requests]\nuser_agent = bench\n')
  const ctx = makeContext({
    clock: fixedClock(new Date(end * 1000)),
    loadConfig: () => loadConfig({ mode: 'bench', configDir: dir, env: {}, cwd: dir, home: dir, systemDirs: [] }),
  })
  const db = ctx.db()
  const s = db.$client

  let t = performance.now()
  const r = rng(1)
  tx(db, () => {
    s.prepare(
      "INSERT INTO trackers (id, name, scheme, netloc) VALUES (1, 'a', 'http', 'a.example:80'), (2, 'b', 'udp', 'b.example:6969')",
    ).run()
    const ins = s.prepare(
      "INSERT INTO torrents (id, info_hash, name, pub_date, status, category, added_at) VALUES (?, ?, ?, ?, 'follow', 'movies', ?)",
    )
    for (let i = 1; i <= N; i++) ins.run(i, i.toString(16).padStart(40, '0'), `Bench.Torrent.${i}.1080p`, start, start)
  })
  const stat = s.prepare(
    'INSERT INTO stats (torrent_id, time, tracker_id, seeders, leechers, completed) VALUES (?, ?, ?, ?, ?, ?)',
  )
  const steps = DAYS * PER_DAY
  let rows = 0
  // one transaction per 1000 torrents: bounded WAL, rows in primary-key order
  for (let from = 1; from <= N; from += 1000) {
    tx(db, () => {
      for (let id = from; id < Math.min(N + 1, from + 1000); id++) {
        const rate = r.logUniform(0.1, 100)
        let c1 = 0
        let c2 = 0
        for (let k = 0; k < steps; k++) {
          const time = start + Math.round((k * DAY) / PER_DAY / 60) * 60
          c1 += Math.round(rate * (24 / PER_DAY) * r.uniform(0.5, 1.5))
          c2 += Math.round(rate * (12 / PER_DAY) * r.uniform(0.5, 1.5))
          stat.run(id, time, 1, Math.round(rate * 5), Math.round(rate), c1)
          stat.run(id, time, 2, Math.round(rate * 3), Math.round(rate / 2), k % 7 ? c2 : null)
          rows += 2
        }
      }
    })
  }
  console.log(
    `generated ${N} torrents, ${rows.toLocaleString('en')} stats rows in ${((performance.now() - t) / 1000).toFixed(1)} s`,
  )

  for (const engine of ['nowcast', 'velocity', 'normalized'] as const) {
    t = performance.now()
    const res = await trendsCompute(ctx, { engine })
    const secs = (performance.now() - t) / 1000
    console.log(
      `trends compute --engine ${engine}: ${secs.toFixed(2)} s (${res.counts.stats?.toLocaleString('en')} rows, ${res.counts.scored} scored, ${res.counts.trending} trending; goal ≤ 3 s)`,
    )
  }
  ctx.close()
} finally {
  rmSync(dir, { recursive: true, force: true })
}
