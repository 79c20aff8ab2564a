/**
 * The score stage's database side: load a window of stats for the candidates, write one trend
 * run, find the latest run. Plain better-sqlite3 prepared statements (millions of rows go through
 * here; drizzle's row objects would cost more than the scoring).
 */
import type { Db } from '../db/client.ts'
import { tx } from '../db/client.ts'
import type { Ranked } from './rank.ts'
import { allocStats, growStats, type StatsTable } from './stats-table.ts'

export interface Window {
  /** Inclusive bounds, unix s. */
  start: number
  end: number
}

export interface Candidates {
  stats: StatsTable
  /** Candidate torrents with ≥ 1 stat in the window → info hash. */
  hashes: Map<number, string>
}

const placeholders = (n: number) => Array.from({ length: n }, () => '?').join(',')

/**
 * Stats in the window of torrents whose status is one of `statuses`, sorted by torrent, time,
 * tracker. One indexed range read per torrent (the stats primary key gives that order for free;
 * a single join would sort millions of rows in a temp b-tree).
 */
export function loadCandidates(db: Db, statuses: readonly string[], window: Window): Candidates {
  const sqlite = db.$client
  const torrents = sqlite
    .prepare(`SELECT id, info_hash FROM torrents WHERE status IN (${placeholders(statuses.length)}) ORDER BY id`)
    .raw()
    .all(...statuses) as [number, string][]
  const read = sqlite
    .prepare(
      `SELECT time, tracker_id, seeders, leechers, completed FROM stats
       WHERE torrent_id = ? AND time >= ? AND time <= ? ORDER BY time, tracker_id`,
    )
    .raw()
  let stats = allocStats(64 * 1024)
  const hashes = new Map<number, string>()
  // one read transaction: a consistent snapshot even while a scrape writes
  sqlite.transaction(() => {
    for (const [id, hash] of torrents) {
      const before = stats.length
      // .all() per torrent: a few hundred rows, and much faster than .iterate() row by row
      for (const r of read.all(id, window.start, window.end) as [number, number, number, number, number | null][]) {
        if (stats.length === stats.torrent.length) stats = growStats(stats, stats.length * 2)
        const i = stats.length++
        stats.torrent[i] = id
        stats.time[i] = r[0]
        stats.tracker[i] = r[1]
        stats.seeders[i] = r[2]
        stats.leechers[i] = r[3]
        stats.completed[i] = r[4] ?? Number.NaN
      }
      if (stats.length > before) hashes.set(id, hash)
    }
  })()
  return { stats, hashes }
}

/** Replace the rows of the run (engine, time) by `ranked`, in one transaction. */
export function writeTrendRun(db: Db, engine: string, time: number, ranked: readonly Ranked[]): void {
  const sqlite = db.$client
  const del = sqlite.prepare('DELETE FROM trends WHERE engine = ? AND time = ?')
  const ins = sqlite.prepare(
    'INSERT INTO trends (torrent_id, time, engine, score, rank, trending) VALUES (?, ?, ?, ?, ?, ?)',
  )
  tx(db, () => {
    del.run(engine, time)
    for (const r of ranked) ins.run(r.torrent, time, engine, r.score, r.rank, r.trending ? 1 : 0)
  })
}

/** The time of the engine's latest run at or before `notAfter`, or undefined when it never ran. */
export function latestRunTime(db: Db, engine: string, notAfter = Number.MAX_SAFE_INTEGER): number | undefined {
  const t = db.$client
    .prepare('SELECT max(time) FROM trends WHERE engine = ? AND time <= ?')
    .pluck()
    .get(engine, notAfter) as number | null
  return t ?? undefined
}

/** Torrent ids trending in the run (engine, time). */
export function trendingIds(db: Db, engine: string, time: number): Set<number> {
  const ids = db.$client
    .prepare('SELECT torrent_id FROM trends WHERE engine = ? AND time = ? AND trending = 1')
    .pluck()
    .all(engine, time) as number[]
  return new Set(ids)
}
