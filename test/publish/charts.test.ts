/**
 * The charts `site data` writes per run (pipeline/publish/charts.ts), on small hand-made data:
 * the weekly chart's ranks, last week's rank, weeks on chart, peak and re-entries; the rising list
 * picking a breakout over a steady blockbuster, with a decaying peak; idempotence; and a run with
 * nothing to rank leaving the previous charts the latest.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { closeDb, type Db, openDb } from '../../pipeline/db/client.ts'
import { decayed, RISING, risingScore, writeCharts } from '../../pipeline/publish/charts.ts'
import { refreshSite } from '../../pipeline/publish/store.ts'

const DAY = 86_400
/** A Monday noon, UTC. */
const T0 = Date.UTC(2026, 0, 5, 12) / 1000
const D0 = T0 - (T0 % DAY)

const open: { db: Db; dir: string }[] = []
afterEach(() => {
  for (const o of open.splice(0)) {
    closeDb(o.db)
    rmSync(o.dir, { recursive: true, force: true })
  }
})

function fresh(): Db {
  const dir = mkdtempSync(join(tmpdir(), 'mediastrends-charts-'))
  const db = openDb(join(dir, 'm.db'))
  open.push({ db, dir })
  db.$client.exec(`INSERT INTO media (id, kind, key, title, updated_at) VALUES
    (1, 'movie', 'a', 'A', 0), (2, 'movie', 'b', 'B', 0), (3, 'movie', 'c', 'C', 0), (4, 'series', 'd', 'D', 0),
    (5, 'movie', 'e', 'E', 0)`)
  return db
}

function downloads(db: Db, mediaId: number, day: number, n: number): void {
  db.$client
    .prepare(
      `INSERT INTO media_activity (media_id, day, seeders, leechers, peers, downloads) VALUES (?, ?, 1, 1, 2, ?)
       ON CONFLICT (media_id, day) DO UPDATE SET downloads = excluded.downloads`,
    )
    .run(mediaId, day, n)
}

function trend(db: Db, mediaId: number, time: number, score: number, rank: number): void {
  db.$client
    .prepare(
      `INSERT INTO media_trends (media_id, time, engine, score, rank, torrents) VALUES (?, ?, 'velocity', ?, ?, 1)`,
    )
    .run(mediaId, time, score, rank)
}

type Row = {
  media_id: number
  rank: number
  value: number
  last_rank: number | null
  periods: number
  peak_rank: number
  reentry: number
}
const chart = (db: Db, window: string, kind: string, time: number): Row[] =>
  db.$client
    .prepare(
      `SELECT media_id, rank, value, last_rank, periods, peak_rank, reentry FROM charts
       WHERE "window" = ? AND kind = ? AND time = ? ORDER BY rank`,
    )
    .all(window, kind, time) as Row[]
const times = (db: Db, window: string, kind: string): number[] =>
  (
    db.$client
      .prepare(`SELECT DISTINCT time FROM charts WHERE "window" = ? AND kind = ? ORDER BY time`)
      .all(window, kind) as { time: number }[]
  ).map((r) => r.time)

describe('week chart', () => {
  it('ranks downloads over 7 days, with last week’s rank, weeks on chart, peak and re-entries', () => {
    const db = fresh()
    const week = (k: number) => T0 + k * 7 * DAY
    const day = (k: number) => D0 + k * 7 * DAY - DAY // the day before each chart's day
    // Week 0: A 700, B 350, C 70 (over two days for A: the window sums days).
    downloads(db, 1, day(0), 400)
    downloads(db, 1, day(0) - 3 * DAY, 300)
    downloads(db, 2, day(0), 350)
    downloads(db, 3, day(0), 70)
    downloads(db, 4, day(0), 90) // a series: its own chart
    downloads(db, 5, day(0) - 7 * DAY, 9999) // 8 days before the chart's day: outside the week
    writeCharts(db, 'velocity', week(0), week(0))
    expect(chart(db, 'week', 'movie', week(0))).toEqual([
      { media_id: 1, rank: 1, value: 700, last_rank: null, periods: 1, peak_rank: 1, reentry: 0 },
      { media_id: 2, rank: 2, value: 350, last_rank: null, periods: 1, peak_rank: 2, reentry: 0 },
      { media_id: 3, rank: 3, value: 70, last_rank: null, periods: 1, peak_rank: 3, reentry: 0 },
    ])
    expect(chart(db, 'week', 'series', week(0)).map((r) => [r.media_id, r.rank, r.value])).toEqual([[4, 1, 90]])

    // A run 3 days later: compared with no chart 7 days earlier (there is none): all new.
    downloads(db, 3, day(0) + DAY, 5000)
    writeCharts(db, 'velocity', week(0) + 3 * DAY, week(0) + 3 * DAY)
    expect(chart(db, 'week', 'movie', week(0) + 3 * DAY).map((r) => [r.media_id, r.last_rank, r.periods])).toEqual([
      [3, null, 1],
      [1, null, 1],
      [2, null, 1],
    ])

    // Week 1: B 1000, A 500, C nothing (C's 5000 fell out of the window).
    downloads(db, 2, day(1), 1000)
    downloads(db, 1, day(1), 500)
    writeCharts(db, 'velocity', week(1), week(1))
    expect(chart(db, 'week', 'movie', week(1))).toEqual([
      { media_id: 2, rank: 1, value: 1000, last_rank: 2, periods: 2, peak_rank: 1, reentry: 0 },
      { media_id: 1, rank: 2, value: 500, last_rank: 1, periods: 2, peak_rank: 1, reentry: 0 },
    ])

    // Week 2: C back on top (a re-entry: not on last week's chart, on an earlier one), A third week.
    downloads(db, 3, day(2), 2000)
    downloads(db, 1, day(2), 100)
    writeCharts(db, 'velocity', week(2), week(2))
    expect(chart(db, 'week', 'movie', week(2))).toEqual([
      { media_id: 3, rank: 1, value: 2000, last_rank: null, periods: 2, peak_rank: 1, reentry: 1 },
      { media_id: 1, rank: 2, value: 100, last_rank: 2, periods: 3, peak_rank: 1, reentry: 0 },
    ])

    // Idempotent: the same run again writes the same rows.
    const before = chart(db, 'week', 'movie', week(2))
    writeCharts(db, 'velocity', week(2), week(2))
    expect(chart(db, 'week', 'movie', week(2))).toEqual(before)
  })
})

describe('day chart', () => {
  it('is the engine’s ranking of its latest run, per kind, with the previous run’s rank', () => {
    const db = fresh()
    const t1 = T0
    const t2 = T0 + 4 * 3600
    trend(db, 1, t1, 5, 1)
    trend(db, 2, t1, 3, 2)
    trend(db, 4, t1, 9, 1)
    trend(db, 2, t2, 8, 1)
    trend(db, 1, t2, 4, 2)
    trend(db, 3, t2, 0, 3) // a zero score is not trending
    writeCharts(db, 'velocity', t1, t1)
    writeCharts(db, 'velocity', t2, t2)
    expect(chart(db, 'day', 'movie', t2)).toEqual([
      { media_id: 2, rank: 1, value: 8, last_rank: 2, periods: 2, peak_rank: 1, reentry: 0 },
      { media_id: 1, rank: 2, value: 4, last_rank: 1, periods: 2, peak_rank: 1, reentry: 0 },
    ])
    // The series chart of t2 has nothing to rank: not written, t1's stays the latest.
    expect(times(db, 'day', 'series')).toEqual([t1])
  })
})

describe('rising list', () => {
  it('scores (observed − expected)² / expected above the title’s own baseline', () => {
    const days = new Map<number, number>()
    for (let k = 2; k < 16; k++) days.set(D0 - k * DAY, 100)
    days.set(D0 - DAY, 400)
    days.set(D0, 200) // half a day so far: 400/day
    expect(risingScore(days, D0 + DAY / 2)).toEqual({ observed: 400, expected: 100, score: 900 })
    // Below its baseline: 0.
    const falling = new Map(days)
    falling.set(D0 - DAY, 50)
    falling.set(D0, 25)
    expect(risingScore(falling, D0 + DAY / 2).score).toBe(0)
    // A new title's baseline is the floor; below the threshold it does not rise.
    expect(risingScore(new Map([[D0 - DAY, 50]]), D0)).toEqual({ observed: 50, expected: 10, score: 160 })
    expect(risingScore(new Map([[D0 - DAY, 15]]), D0).score).toBe(0)
    expect(decayed(100, 0, RISING.halfLife)).toBe(50)
  })

  it('puts a breakout above a steady blockbuster, keeps a decaying peak, and an empty run keeps the lists', () => {
    const db = fresh()
    // A blockbuster, steady at 10,000 a day; a small title at 50 a day that breaks out to 2,000.
    for (let k = 1; k <= 16; k++) {
      downloads(db, 1, D0 - k * DAY, 10_000)
      downloads(db, 2, D0 - k * DAY, k <= 1 ? 2000 : 50)
    }
    downloads(db, 1, D0, 5000)
    downloads(db, 2, D0, 1000)
    trend(db, 1, T0, 10, 1)
    trend(db, 2, T0, 4, 2)
    writeCharts(db, 'velocity', T0, T0)
    const rising = chart(db, 'rising', 'movie', T0)
    expect(rising.map((r) => r.media_id)).toEqual([2]) // the blockbuster is not rising at all
    const observed = (2000 + 1000) / 1.5
    expect(rising[0]?.value).toBeCloseTo((observed - 50) ** 2 / 50, 2)
    expect(chart(db, 'week', 'movie', T0).map((r) => r.media_id)).toEqual([1, 2]) // the week still the blockbuster's

    // A day later the breakout is back to its baseline: its peak decays by half rather than vanishing.
    const T1 = T0 + DAY
    downloads(db, 2, D0, 50)
    downloads(db, 2, D0 + DAY, 25)
    writeCharts(db, 'velocity', T1, T1)
    const next = chart(db, 'rising', 'movie', T1)
    expect(next.map((r) => [r.media_id, r.last_rank, r.periods])).toEqual([[2, 1, 2]])
    expect(next[0]?.value).toBeCloseTo((rising[0]?.value ?? 0) / 2, 2)

    // A run with nothing to rank (no trend rows, no activity since) writes no chart: the previous
    // ones stay the latest, so the lists and feeds built from them stay as they were.
    const T2 = T0 + 30 * DAY
    const counts = writeCharts(db, 'velocity', T2, T2)
    expect(counts).toEqual({ charts: 0, rows: 0 })
    expect(times(db, 'day', 'movie')).toEqual([T0])
    expect(times(db, 'week', 'movie')).toEqual([T0, T1])
  })

  it('is written by the site data refresh, at the engine’s latest run', () => {
    const db = fresh()
    trend(db, 1, T0, 10, 1)
    downloads(db, 1, D0, 100)
    const r = refreshSite(db, { title: 't', baseUrl: 'http://x/', engine: 'velocity' }, T0 + 60)
    expect(r.charts).toEqual({ charts: 3, rows: 3 }) // day, week and rising of movies
    expect(times(db, 'day', 'movie')).toEqual([T0])
    expect(refreshSite(db, { title: 't', baseUrl: 'http://x/', engine: 'velocity' }, T0 + 120).charts.rows).toBe(3)
    expect(times(db, 'week', 'movie')).toEqual([T0])
  })
})
