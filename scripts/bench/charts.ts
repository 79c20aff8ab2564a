/**
 * `npm run bench -- charts`: the cost of one run's charts (pipeline/publish/charts.ts) does not
 * grow with the history. Two databases of 1,000 movies and 200 series, one with 30 days and one
 * with 365 days of daily activity and of charts (a run every 4 h: day, week and rising, top 100
 * per kind), then the latest run's charts written 5 times (idempotent); prints the median.
 * Options: --movies N --series N.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { closeDb, openDb, tx } from '../../pipeline/db/client.ts'
import { writeCharts } from '../../pipeline/publish/charts.ts'

const { values } = parseArgs({
  options: { movies: { type: 'string', default: '1000' }, series: { type: 'string', default: '200' } },
})
const MOVIES = Number(values.movies)
const SERIES = Number(values.series)
const DAY = 86_400
const END = Date.UTC(2026, 10, 20, 22) / 1000

function measure(days: number): { rows: number; chartRows: number; ms: number } {
  const dir = mkdtempSync(join(tmpdir(), 'mediastrends-bench-charts-'))
  const db = openDb(join(dir, 'b.db'))
  try {
    const c = db.$client
    tx(db, () => {
      const m = c.prepare(`INSERT INTO media (id, kind, key, title, updated_at) VALUES (?, ?, ?, ?, 0)`)
      for (let i = 1; i <= MOVIES + SERIES; i++) m.run(i, i <= MOVIES ? 'movie' : 'series', `k${i}`, `T${i}`)
      const a = c.prepare(
        'INSERT INTO media_activity (media_id, day, seeders, leechers, peers, downloads) VALUES (?, ?, 1, 1, 2, ?)',
      )
      const today = END - (END % DAY)
      for (let i = 1; i <= MOVIES + SERIES; i++)
        for (let d = 0; d <= days; d++) a.run(i, today - d * DAY, ((i * 7919 + d * 104_729) % 1000) + 10)
      const t = c.prepare(
        `INSERT INTO media_trends (media_id, time, engine, score, rank, torrents) VALUES (?, ?, 'velocity', ?, ?, 1)`,
      )
      for (let i = 1; i <= MOVIES + SERIES; i++) t.run(i, END, 10_000 - i, i)
      // Charts of every earlier run (every 4 h), top 100 of each window and kind.
      c.exec(`
        WITH RECURSIVE runs(t) AS (SELECT ${END - 4 * 3600} UNION ALL SELECT t - 14400 FROM runs WHERE t > ${END - days * DAY}),
          ranks(r) AS (SELECT 1 UNION ALL SELECT r + 1 FROM ranks WHERE r < 100),
          windows(w) AS (VALUES ('day'), ('week'), ('rising')),
          kinds(k, base, n) AS (VALUES ('movie', 0, ${MOVIES}), ('series', ${MOVIES}, ${SERIES}))
        INSERT INTO charts ("window", kind, time, media_id, rank, value, last_rank, periods, peak_rank, reentry)
        SELECT w, k, t, base + 1 + ((r * 37 + t / 14400) % n), r, 1000 - r, NULL, 1, r, 0
        FROM runs, ranks, windows, kinds WHERE r <= n
        ON CONFLICT DO NOTHING`)
    })
    const rows = c.prepare('SELECT COUNT(*) FROM media_activity').pluck().get() as number
    const chartRows = c.prepare('SELECT COUNT(*) FROM charts').pluck().get() as number
    c.exec('ANALYZE')
    const times: number[] = []
    for (let k = 0; k < 5; k++) {
      const t0 = performance.now()
      tx(db, () => writeCharts(db, 'velocity', END, END))
      times.push(performance.now() - t0)
    }
    times.sort((x, y) => x - y)
    return { rows, chartRows, ms: times[2] ?? 0 }
  } finally {
    closeDb(db)
    rmSync(dir, { recursive: true, force: true })
  }
}

for (const days of [30, 365]) {
  const r = measure(days)
  console.log(
    `charts: ${MOVIES} movies + ${SERIES} series, ${days} days of history (${r.rows.toLocaleString('en-US')} activity rows, ${r.chartRows.toLocaleString('en-US')} chart rows): one run's charts in ${r.ms.toFixed(0)} ms (median of 5)`,
  )
}
