/**
 * Packing closed weeks into `media_weeks` (schema/tables.ts), a step of `site data`: for each week
 * past the days a run still reads or rewrites (db/partitions.ts packableWeeks) and not packed yet,
 * one row per title holding its daily activity (media_activity) and each day's last rank per engine
 * (media_trends, as the data branch's daily files keep them). The save writes these rows like any
 * growing table's, and a later restore reads a packed week from them instead of the tables' files.
 * The tables keep their rows (nothing is deleted here). Pure grouping (packWeek) apart from the SQL.
 */
import type { WeekActivity, WeekRank } from '../../schema/tables.ts'
import { type Db, tx } from '../db/client.ts'
import { type Needs, packableWeeks } from '../db/partitions.ts'

const DAY = 86_400

export interface ActivityRow {
  mediaId: number
  day: number
  seeders: number
  leechers: number
  peers: number
  downloads: number | null
}
export interface RankRow {
  mediaId: number
  time: number
  engine: string
  score: number
  rank: number
  torrents: number
}

/** One week's rows by title: its activity by day and its ranks by time (then engine). */
export function packWeek(
  activity: readonly ActivityRow[],
  ranks: readonly RankRow[],
): Map<number, { activity: WeekActivity[]; ranks: WeekRank[] }> {
  const out = new Map<number, { activity: WeekActivity[]; ranks: WeekRank[] }>()
  const of = (id: number) => {
    let m = out.get(id)
    if (!m) {
      m = { activity: [], ranks: [] }
      out.set(id, m)
    }
    return m
  }
  for (const a of activity) of(a.mediaId).activity.push([a.day, a.seeders, a.leechers, a.peers, a.downloads])
  for (const r of ranks) of(r.mediaId).ranks.push([r.time, r.engine, r.score, r.rank, r.torrents])
  for (const m of out.values()) {
    m.activity.sort((a, b) => a[0] - b[0])
    m.ranks.sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
  }
  return out
}

/** Pack the weeks due at `now` that have no media_weeks row yet; the weeks and rows written. */
export function packWeeks(db: Db, now: number, needs: Needs): { weeks: number; rows: number } {
  const c = db.$client
  const packed = c.prepare('SELECT 1 FROM media_weeks WHERE week = ? LIMIT 1').pluck()
  const activitySt = c.prepare(
    `SELECT media_id AS mediaId, day, seeders, leechers, peers, downloads FROM media_activity
     WHERE day >= ? AND day < ?`,
  )
  // Each day's last run per engine (the media_trends_time_idx range), then that run's rows.
  const lastRuns = c.prepare(
    `SELECT engine, MAX(time) AS time FROM media_trends WHERE engine IN (SELECT DISTINCT engine FROM media_trends)
       AND time >= ? AND time < ? GROUP BY engine, time / ${DAY}`,
  )
  const ranksSt = c.prepare(
    'SELECT media_id AS mediaId, time, engine, score, rank, torrents FROM media_trends WHERE engine = ? AND time = ?',
  )
  const put = c.prepare(
    `INSERT INTO media_weeks (media_id, week, activity, ranks) VALUES (?, ?, ?, ?)
     ON CONFLICT (media_id, week) DO UPDATE SET activity = excluded.activity, ranks = excluded.ranks`,
  )
  return tx(db, () => {
    let weeks = 0
    let rows = 0
    for (const week of packableWeeks(now, needs)) {
      if (packed.get(week)) continue
      const end = week + 7 * DAY
      const activity = activitySt.all(week, end) as ActivityRow[]
      const runs = lastRuns.all(week, end) as { engine: string; time: number }[]
      const ranks = runs.flatMap((r) => ranksSt.all(r.engine, r.time) as RankRow[])
      const byMedia = packWeek(activity, ranks)
      if (!byMedia.size) continue
      for (const [mediaId, m] of byMedia) put.run(mediaId, week, JSON.stringify(m.activity), JSON.stringify(m.ranks))
      weeks++
      rows += byMedia.size
    }
    return { weeks, rows }
  })
}
