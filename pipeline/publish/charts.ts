/**
 * The charts the site and the feeds read (`charts`), written per run by `site data`, per kind
 * (movie, series), top CHART_SIZE each:
 * - `day`: the shown engine's ranking of its latest run (media_trends); value = its score.
 * - `week`: downloads over the 7 UTC days to the chart's day (media_activity), as TorrentFreak's
 *   weekly list: last_rank = rank on the week chart 7 days earlier, periods = weeks on chart.
 * - `rising`: titles far above their own recent baseline, Mastodon's trend score
 *   (observed − expected)² / expected when observed > expected, with a decaying peak.
 *
 * A chart's `time` is the engine's latest run (the run clock `site data` ran at when there is no
 * trend run), so a refresh re-run for the same run rewrites the same charts (idempotent). A chart
 * with nothing to rank is not written: the previous one stays the latest, and readers take the
 * latest chart, never an empty one. Every read is bounded (a run's rows, a few recent days, the
 * previous chart, one index seek per charted title), so a run's cost does not grow with history.
 */
import type { ChartWindow, charts, MediaKind } from '../../schema/tables.ts'
import type { Db } from '../db/client.ts'
import { DAY, dayOf } from './daily.ts'

/** Titles per chart (per kind and window). */
export const CHART_SIZE = 100
/** Days summed by the week chart (the chart's day included). */
export const WEEK_DAYS = 7
/** The week chart compared with is the latest one at most this long after "7 days earlier". */
const WEEK_TOLERANCE = 2 * 3600
/** ... and at most this old (an outage of a week leaves the comparison to the chart before). */
const WEEK_LOOKBACK = 14 * DAY

/** Parameters of the rising list (documented in the README's "Charts and feeds"). */
export const RISING = {
  /** The baseline: the title's mean daily downloads over up to this many days before the observed ones. */
  baselineDays: 14,
  /** Floor of the baseline (downloads/day): a title without history is not infinitely rising. */
  minExpected: 10,
  /** Below this observed rate (downloads/day) a title does not rise at all (Mastodon's threshold). */
  minObserved: 20,
  /** The observed rate needs at least this much of a day of data. */
  minSpan: 0.25,
  /** A peak score decays by half over this (seconds). */
  halfLife: DAY,
  /** A previous rising chart older than this is not carried over (seconds). */
  cooldown: 2 * DAY,
  /** A decayed peak below this leaves the list. */
  minScore: 1,
} as const

export interface Ranked {
  mediaId: number
  value: number
}

/** What a title brings from earlier charts of a window. */
export interface Past {
  rank: number | null // on the chart compared with (null: not on it)
  periods: number
  peakRank: number
}

export type ChartRow = Pick<
  typeof charts.$inferSelect,
  'mediaId' | 'rank' | 'value' | 'lastRank' | 'periods' | 'peakRank' | 'reentry'
>

/** The top `size` by value (ties: smaller media id first), values > 0 only. */
export function topValues(values: Iterable<Ranked>, size = CHART_SIZE): Ranked[] {
  return [...values]
    .filter((v) => v.value > 0 && Number.isFinite(v.value))
    .sort((a, b) => b.value - a.value || a.mediaId - b.mediaId)
    .slice(0, size)
}

/**
 * Chart rows from a ranking (best first) and what each title brings: `onPrevious` (the chart
 * compared with) and `earlier` (its latest row before that chart, for a re-entry).
 */
export function chartRows(
  ranked: readonly Ranked[],
  onPrevious: ReadonlyMap<number, Past>,
  earlier: (mediaId: number) => Past | null,
): ChartRow[] {
  return ranked.map((r, i) => {
    const rank = i + 1
    const prev = onPrevious.get(r.mediaId)
    if (prev)
      return {
        mediaId: r.mediaId,
        rank,
        value: r.value,
        lastRank: prev.rank,
        periods: prev.periods + 1,
        peakRank: Math.min(prev.peakRank, rank),
        reentry: false,
      }
    const old = earlier(r.mediaId)
    return {
      mediaId: r.mediaId,
      rank,
      value: r.value,
      lastRank: null,
      periods: old ? old.periods + 1 : 1,
      peakRank: old ? Math.min(old.peakRank, rank) : rank,
      reentry: old !== null,
    }
  })
}

/** One title's daily downloads (day start → downloads; days without a figure absent). */
export type Days = ReadonlyMap<number, number>

/**
 * The rising score at `time` of one title (pure): observed = its downloads per day over the
 * chart's day so far and the day before; expected = its mean downloads per day over the
 * RISING.baselineDays before those (the days it has a figure), at least RISING.minExpected;
 * score = (observed − expected)² / expected when observed > expected and ≥ RISING.minObserved.
 */
export function risingScore(days: Days, time: number): { observed: number; expected: number; score: number } {
  const today = dayOf(time)
  const spans: [number, number][] = [
    [today - DAY, 1],
    [today, (time - today) / DAY],
  ]
  let sum = 0
  let span = 0
  for (const [d, s] of spans) {
    const n = days.get(d)
    if (n === undefined) continue
    sum += n
    span += s
  }
  const observed = span >= RISING.minSpan ? sum / span : 0
  let base = 0
  let known = 0
  for (let k = 2; k < 2 + RISING.baselineDays; k++) {
    const n = days.get(today - k * DAY)
    if (n === undefined) continue
    base += n
    known++
  }
  const expected = Math.max(known ? base / known : 0, RISING.minExpected)
  const score = observed > expected && observed >= RISING.minObserved ? (observed - expected) ** 2 / expected : 0
  return { observed, expected, score }
}

/** A peak carried from the previous rising chart: its value halved every RISING.halfLife. */
export function decayed(value: number, from: number, to: number): number {
  return value * 0.5 ** ((to - from) / RISING.halfLife)
}

export interface ChartCounts {
  /** Charts written (window × kind). */
  charts: number
  /** Rows written. */
  rows: number
}

const KINDS: readonly MediaKind[] = ['movie', 'series']

/**
 * Write this run's charts (inside the caller's transaction). `run` is the engine's latest run
 * (site_settings.latest_run), null before the first; `now` the run clock.
 */
export function writeCharts(db: Db, engine: string, run: number | null, now: number): ChartCounts {
  const c = db.$client
  const time = run ?? now
  const today = dayOf(time)
  const counts: ChartCounts = { charts: 0, rows: 0 }

  const dayRanking = c.prepare(
    `SELECT mt.media_id AS mediaId, mt.score AS value FROM media_trends mt JOIN media m ON m.id = mt.media_id
     WHERE mt.engine = ? AND mt.time = ? AND m.kind = ? AND mt.score > 0 ORDER BY mt.rank, mt.media_id LIMIT ?`,
  )
  const activity = c.prepare(
    // CROSS JOIN keeps media_activity outside (its day index): the cost is the window's rows, not
    // one seek per title ever seen.
    `SELECT a.media_id AS mediaId, a.day, a.downloads FROM media_activity a CROSS JOIN media m ON m.id = a.media_id
     WHERE a.day >= ? AND a.day <= ? AND a.downloads IS NOT NULL AND m.kind = ?`,
  )
  const previousTime = c
    .prepare('SELECT MAX(time) FROM charts WHERE "window" = ? AND kind = ? AND time < ? AND time >= ?')
    .pluck()
  const chartAt = c.prepare(
    'SELECT media_id AS mediaId, rank, periods, peak_rank AS peakRank, value FROM charts WHERE "window" = ? AND kind = ? AND time = ?',
  )
  const latestBefore = c.prepare(
    `SELECT periods, peak_rank AS peakRank FROM charts WHERE media_id = ? AND "window" = ? AND time < ?
     ORDER BY time DESC LIMIT 1`,
  )
  const clear = c.prepare('DELETE FROM charts WHERE "window" = ? AND kind = ? AND time = ?')
  const insert = c.prepare(
    `INSERT INTO charts ("window", kind, time, media_id, rank, value, last_rank, periods, peak_rank, reentry)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  )

  /** The chart compared with: day and rising, the previous run's; week, the one 7 days earlier. */
  const previousOf = (window: ChartWindow, kind: MediaKind): number | null =>
    (window === 'week'
      ? previousTime.get(window, kind, time - WEEK_DAYS * DAY + WEEK_TOLERANCE + 1, time - WEEK_LOOKBACK)
      : previousTime.get(window, kind, time, Number.MIN_SAFE_INTEGER)) as number | null

  const write = (window: ChartWindow, kind: MediaKind, ranked: Ranked[], prevTime: number | null) => {
    if (ranked.length === 0) return // never an empty chart over the previous one
    const prev = new Map<number, Past>()
    if (prevTime !== null)
      for (const r of chartAt.all(window, kind, prevTime) as (Past & { mediaId: number })[]) prev.set(r.mediaId, r)
    const before = prevTime ?? (window === 'week' ? time - WEEK_DAYS * DAY + WEEK_TOLERANCE + 1 : time)
    const rows = chartRows(ranked, prev, (id) => {
      const r = latestBefore.get(id, window, before) as { periods: number; peakRank: number } | undefined
      return r ? { rank: null, ...r } : null
    })
    clear.run(window, kind, time)
    for (const r of rows)
      insert.run(window, kind, time, r.mediaId, r.rank, r.value, r.lastRank, r.periods, r.peakRank, r.reentry ? 1 : 0)
    counts.charts++
    counts.rows += rows.length
  }

  for (const kind of KINDS) {
    // Day: the engine's ranking of its latest run.
    if (run !== null)
      write('day', kind, dayRanking.all(engine, run, kind, CHART_SIZE) as Ranked[], previousOf('day', kind))

    // Week and rising read the same recent days of every title.
    const from = today - (2 + RISING.baselineDays) * DAY
    const byMedia = new Map<number, Map<number, number>>()
    for (const r of activity.all(from, today, kind) as { mediaId: number; day: number; downloads: number }[]) {
      let m = byMedia.get(r.mediaId)
      if (!m) {
        m = new Map()
        byMedia.set(r.mediaId, m)
      }
      m.set(r.day, r.downloads)
    }

    const week: Ranked[] = []
    for (const [mediaId, days] of byMedia) {
      let sum = 0
      for (const [d, n] of days) if (d > today - WEEK_DAYS * DAY) sum += n
      week.push({ mediaId, value: sum })
    }
    write('week', kind, topValues(week), previousOf('week', kind))

    const prevRising = previousOf('rising', kind)
    const carried = new Map<number, number>()
    if (prevRising !== null && prevRising >= time - RISING.cooldown)
      for (const r of chartAt.all('rising', kind, prevRising) as { mediaId: number; value: number }[]) {
        const v = decayed(r.value, prevRising, time)
        if (v >= RISING.minScore) carried.set(r.mediaId, v)
      }
    const rising: Ranked[] = []
    for (const [mediaId, days] of byMedia) {
      const { score } = risingScore(days, time)
      const value = Math.max(score, carried.get(mediaId) ?? 0)
      if (value >= RISING.minScore) rising.push({ mediaId, value: Math.round(value * 1000) / 1000 })
      carried.delete(mediaId)
    }
    // Titles with no activity left in the window keep their decaying peak too.
    for (const [mediaId, value] of carried) rising.push({ mediaId, value: Math.round(value * 1000) / 1000 })
    write('rising', kind, topValues(rising), prevRising)
  }
  return counts
}
