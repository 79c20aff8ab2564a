/**
 * The score stage's database side: load a window of stats for the candidates, write one trend
 * run, find the latest run. Millions of stats rows go through here: they are read as raw arrays
 * from one prepared statement (named parameters), never as drizzle's row objects.
 */
import { and, asc, eq, gte, inArray, lte, max, sql } from 'drizzle-orm'
import { stats, type TorrentStatus, torrents, trends } from '../../schema/tables.ts'
import type { Db } from '../db/client.ts'
import { tx } from '../db/client.ts'
import type { Ranked } from './rank.ts'
import { allocStats, growStats, type StatsTable } from './stats-table.ts'

type Torrent = typeof torrents.$inferSelect
type Stat = typeof stats.$inferSelect

export interface Window {
  /** Inclusive bounds, unix s. */
  start: number
  end: number
}

export interface Candidates {
  stats: StatsTable
  /** Candidate torrents with ≥ 1 stat in the window → info hash. */
  hashes: Map<number, string>
  /** With a lookback: each candidate's first stat time in the whole window. */
  firstSeen?: Map<number, number>
}

const ph = sql.placeholder

/**
 * Stats in the window of torrents whose status is one of `statuses`, sorted by torrent, time,
 * tracker. One indexed range read per torrent (the stats primary key gives that order for free;
 * a single join would sort millions of rows in a temp b-tree). Rows are read as raw arrays
 * (`.values()`), straight into the typed columns.
 */
export function loadCandidates(
  db: Db,
  statuses: readonly TorrentStatus[],
  window: Window,
  /** Only rows from this time on are loaded (an engine that needs only the last days), but a
   * torrent is a candidate when it has a row anywhere in the window; its first time is kept. */
  lookbackFrom?: number,
): Candidates {
  const candidates = db
    .select({ id: torrents.id, infoHash: torrents.infoHash })
    .from(torrents)
    .where(inArray(torrents.status, [...statuses]))
    .orderBy(asc(torrents.id))
    .values() as [Torrent['id'], Torrent['infoHash']][]
  const read = db
    .select({
      time: stats.time,
      tracker: stats.trackerId,
      seeders: stats.seeders,
      leechers: stats.leechers,
      completed: stats.completed,
    })
    .from(stats)
    .where(and(eq(stats.torrentId, ph('torrent')), gte(stats.time, ph('start')), lte(stats.time, ph('end'))))
    .orderBy(asc(stats.time), asc(stats.trackerId))
    .prepare()
  // first time in the window: one seek in the stats primary key (torrent_id, time, …)
  const firstRead = db
    .select({ t: stats.time })
    .from(stats)
    .where(and(eq(stats.torrentId, ph('torrent')), gte(stats.time, ph('start')), lte(stats.time, ph('end'))))
    .orderBy(asc(stats.time))
    .limit(1)
    .prepare()
  const from = lookbackFrom === undefined ? window.start : Math.max(window.start, lookbackFrom)
  const firstSeen = from > window.start ? new Map<number, number>() : undefined
  type Raw = [Stat['time'], Stat['trackerId'], Stat['seeders'], Stat['leechers'], Stat['completed']]
  let table = allocStats(64 * 1024)
  const hashes = new Map<number, string>()
  // one read transaction: a consistent snapshot even while a scrape writes
  db.$client.transaction(() => {
    for (const [id, hash] of candidates) {
      const before = table.length
      if (firstSeen) {
        const first = (firstRead.values({ torrent: id, start: window.start, end: window.end }) as [number][])[0]
        if (!first) continue
        firstSeen.set(id, first[0])
        hashes.set(id, hash)
      }
      // all rows of a torrent at once: a few hundred, and much faster than iterating row by row
      for (const r of read.values({ torrent: id, start: from, end: window.end }) as Raw[]) {
        if (table.length === table.torrent.length) table = growStats(table, table.length * 2)
        const i = table.length++
        table.torrent[i] = id
        table.time[i] = r[0]
        table.tracker[i] = r[1]
        table.seeders[i] = r[2]
        table.leechers[i] = r[3]
        table.completed[i] = r[4] ?? Number.NaN
      }
      if (table.length > before) hashes.set(id, hash)
    }
  })()
  return firstSeen ? { stats: table, hashes, firstSeen } : { stats: table, hashes }
}

/** Replace the rows of the run (engine, time) by `ranked`, in one transaction. */
export function writeTrendRun(db: Db, engine: string, time: number, ranked: readonly Ranked[]): void {
  const insert = db
    .insert(trends)
    .values({
      torrentId: ph('torrentId'),
      time: ph('time'),
      engine: ph('engine'),
      score: ph('score'),
      rank: ph('rank'),
      trending: ph('trending'),
    })
    .prepare()
  tx(db, () => {
    db.delete(trends)
      .where(and(eq(trends.engine, engine), eq(trends.time, time)))
      .run()
    for (const r of ranked) {
      const row: typeof trends.$inferInsert = {
        torrentId: r.torrent,
        time,
        engine,
        score: r.score,
        rank: r.rank,
        trending: r.trending,
      }
      insert.run(row)
    }
  })
}

/** The time of the engine's latest run at or before `notAfter`, or undefined when it never ran. */
export function latestRunTime(db: Db, engine: string, notAfter = Number.MAX_SAFE_INTEGER): number | undefined {
  const row = db
    .select({ t: max(trends.time) })
    .from(trends)
    .where(and(eq(trends.engine, engine), lte(trends.time, notAfter)))
    .get()
  return row?.t ?? undefined
}

/** Torrent ids trending in the run (engine, time). */
export function trendingIds(db: Db, engine: string, time: number): Set<number> {
  const rows = db
    .select({ id: trends.torrentId })
    .from(trends)
    .where(and(eq(trends.engine, engine), eq(trends.time, time), eq(trends.trending, true)))
    .all()
  return new Set(rows.map((r) => r.id))
}
