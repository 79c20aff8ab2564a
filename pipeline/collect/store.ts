/**
 * The database side of collect: tracker rows, which torrents to scrape, and a buffered writer for
 * `stats` (one transaction per group of batches; upsert on the primary key so a re-run in the same
 * minute replaces instead of duplicating).
 */
import { and, asc, eq, inArray, sql } from 'drizzle-orm'
import { type Category, stats, type TorrentStatus, torrents, torrentTrackers } from '../../schema/tables.ts'
import { type Db, tx } from '../db/client.ts'
import type { ScrapeEntry } from './protocol.ts'

/** A torrent to scrape. */
export type Candidate = Pick<typeof torrents.$inferSelect, 'id' | 'infoHash'>

/** Torrents linked to the tracker with one of `statuses` (and one of `categories` when given), by id. */
export function candidates(
  db: Db,
  trackerId: number,
  statuses: readonly TorrentStatus[],
  categories: readonly Category[],
): Candidate[] {
  const where = [eq(torrentTrackers.trackerId, trackerId), inArray(torrents.status, [...statuses])]
  if (categories.length) where.push(inArray(torrents.category, [...categories]))
  return db
    .select({ id: torrents.id, infoHash: torrents.infoHash })
    .from(torrentTrackers)
    .innerJoin(torrents, eq(torrents.id, torrentTrackers.torrentId))
    .where(and(...where))
    .orderBy(asc(torrents.id))
    .all()
    .map((r) => ({ id: r.id, infoHash: r.infoHash.toLowerCase() }))
}

/** One tracker's numbers for one torrent, as scraped (the writer adds the time). */
export type StatRow = ScrapeEntry & Pick<typeof stats.$inferSelect, 'torrentId' | 'trackerId'>

/** Scrape time as stored: the run clock truncated to the minute. */
export const statsTime = (clockSeconds: number): number => Math.floor(clockSeconds / 60) * 60

/**
 * Buffers rows and writes them in one transaction when `maxRows` are waiting or `maxAgeMs` passed
 * since the last write, and on `flush()`. Rows handed over are never dropped by later failures.
 */
export class StatsWriter {
  #buffer: StatRow[] = []
  #lastFlush = performance.now()
  #written = 0
  readonly #insert

  constructor(
    private readonly db: Db,
    private readonly time: number,
    private readonly maxRows = 5000,
    private readonly maxAgeMs = 1000,
  ) {
    this.#insert = db
      .insert(stats)
      .values({
        torrentId: sql.placeholder('torrentId'),
        time: sql.placeholder('time'),
        trackerId: sql.placeholder('trackerId'),
        seeders: sql.placeholder('seeders'),
        leechers: sql.placeholder('leechers'),
        completed: sql.placeholder('completed'),
      })
      .onConflictDoUpdate({
        target: [stats.torrentId, stats.time, stats.trackerId],
        set: {
          seeders: sql`excluded.seeders`,
          leechers: sql`excluded.leechers`,
          completed: sql`excluded.completed`,
        },
      })
      .prepare()
  }

  get written(): number {
    return this.#written
  }

  /** Rows waiting to be written. */
  get pending(): number {
    return this.#buffer.length
  }

  add(rows: readonly StatRow[]): void {
    for (const r of rows) this.#buffer.push(r)
    if (this.#buffer.length >= this.maxRows || performance.now() - this.#lastFlush >= this.maxAgeMs) {
      try {
        this.flush()
      } catch {
        // Kept in the buffer (flush puts them back): the final flush tries again and reports.
      }
    }
  }

  /** Write the buffered rows in one transaction; on failure they stay buffered and the error is thrown. */
  flush(): void {
    this.#lastFlush = performance.now()
    if (this.#buffer.length === 0) return
    const rows = this.#buffer
    this.#buffer = []
    try {
      tx(this.db, () => {
        for (const r of rows) this.#write(r)
      })
    } catch (err) {
      this.#buffer = rows.concat(this.#buffer)
      throw err
    }
    this.#written += rows.length
  }

  /**
   * The step's final write: every buffered row in one transaction. On failure the transaction is
   * rolled back (no partial batch) and one error line naming the database is returned. A full disk
   * is not retried row by row (that only squeezes a few rows in and fails the rest); other
   * failures (a torrent deleted meanwhile) are, so one bad row costs only itself.
   */
  finish(dbPath: string): { error?: string; lost: number } {
    try {
      this.flush()
      return { lost: 0 }
    } catch (err) {
      const pending = this.#buffer.length
      if ((err as { code?: string }).code === 'SQLITE_FULL') {
        this.#buffer = []
        return { lost: pending, error: `writing stats to ${dbPath} failed: disk full; ${pending} row(s) not written` }
      }
      const r = this.flushRowByRow()
      return {
        lost: r.failed,
        error: `writing stats to ${dbPath} failed (${(err as Error).message}): ${pending - r.failed} of ${pending} rows saved one by one, ${r.failed} lost${r.error ? ` (${r.error})` : ''}`,
      }
    }
  }

  /**
   * Last resort after a failed flush: each row in its own transaction, so one bad row (a torrent
   * deleted meanwhile) costs only itself. Returns the rows that could not be written.
   */
  flushRowByRow(): { failed: number; error?: string } {
    const rows = this.#buffer
    this.#buffer = []
    let failed = 0
    let error: string | undefined
    for (const r of rows) {
      try {
        tx(this.db, () => this.#write(r))
        this.#written++
      } catch (err) {
        failed++
        error ??= (err as Error).message
      }
    }
    return { failed, error }
  }

  #write(r: StatRow): void {
    const row: typeof stats.$inferInsert = {
      torrentId: r.torrentId,
      time: this.time,
      trackerId: r.trackerId,
      seeders: r.seeders,
      leechers: r.leechers,
      completed: r.completed,
    }
    this.#insert.run(row)
  }
}
