/**
 * Ingest's database writes: trackers (by name), torrents (status `new` + a status_history row),
 * torrent_trackers links and indexer_stats. Callers wrap a feed's writes in one transaction
 * (`tx`); each item runs in its own savepoint so one bad row cannot undo the others.
 */
import type Database from 'better-sqlite3'
import { and, eq, isNotNull, sql } from 'drizzle-orm'
import { type Category, torrents } from '../../schema/tables.ts'
import type { Db } from '../db/client.ts'

/** The id of a stored info hash, if any. */
export function torrentIdByHash(db: Db, infoHash: string): number | undefined {
  return (statements(db).idByHash.get(infoHash) as { id: number } | undefined)?.id
}

/**
 * details_url → the torrent stored under it, for an indexer's torrents whose URL names one torrent
 * only. Lets a re-run recognise an item already stored (same details page and same name) without
 * downloading its .torrent again.
 */
export function knownDetailsUrls(db: Db, indexer: string): Map<string, { id: number; name: string }> {
  const rows = db
    .select({
      url: torrents.detailsUrl,
      id: sql<number>`min(${torrents.id})`,
      name: sql<string>`min(${torrents.name})`,
      n: sql<number>`count(*)`,
    })
    .from(torrents)
    .where(and(eq(torrents.indexer, indexer), isNotNull(torrents.detailsUrl)))
    .groupBy(torrents.detailsUrl)
    .all()
  return new Map(rows.filter((r) => r.n === 1 && r.url).map((r) => [r.url as string, { id: r.id, name: r.name }]))
}

export interface TorrentRow {
  infoHash: string
  name: string
  pubDate: number
  size: number | null
  category: Category
  feedCategory: number | null
  indexer: string
  detailsUrl: string | null
  imdbId: string | null
  tmdbId: number | null
  tvdbId: number | null
}

export interface IndexerNumbers {
  seeders: number | null
  leechers: number | null
  grabs: number | null
}

/** Hot-path statements, prepared once per connection (drizzle would rebuild the SQL per row). */
interface Statements {
  insert: Statement
  fill: Statement
  idByHash: Statement
  history: Statement
  link: Statement
  stats: Statement
}
type Statement = Database.Statement<unknown[]>
const prepared = new WeakMap<Db['$client'], Statements>()

function statements(db: Db): Statements {
  const c = db.$client
  let s = prepared.get(c)
  if (!s) {
    s = {
      insert: c.prepare(
        `INSERT INTO torrents (info_hash, name, pub_date, size, status, category, feed_category, indexer, details_url, imdb_id, tmdb_id, tvdb_id, added_at)
         VALUES (@infoHash, @name, @pubDate, @size, 'new', @category, @feedCategory, @indexer, @detailsUrl, @imdbId, @tmdbId, @tvdbId, @now)
         ON CONFLICT (info_hash) DO NOTHING RETURNING id`,
      ),
      // an existing torrent: only the fields still empty are filled
      fill: c.prepare(
        `UPDATE torrents SET
           name = CASE WHEN name = '' THEN @name ELSE name END,
           size = coalesce(size, @size),
           category = CASE WHEN category = 'unknown' THEN @category ELSE category END,
           feed_category = coalesce(feed_category, @feedCategory),
           indexer = coalesce(indexer, @indexer),
           details_url = coalesce(details_url, @detailsUrl),
           imdb_id = coalesce(imdb_id, @imdbId),
           tmdb_id = coalesce(tmdb_id, @tmdbId),
           tvdb_id = coalesce(tvdb_id, @tvdbId)
         WHERE id = @id`,
      ),
      idByHash: c.prepare('SELECT id FROM torrents WHERE info_hash = ?'),
      history: c.prepare("INSERT OR IGNORE INTO status_history (torrent_id, time, status) VALUES (?, ?, 'new')"),
      link: c.prepare('INSERT OR IGNORE INTO torrent_trackers (torrent_id, tracker_id) VALUES (?, ?)'),
      stats: c.prepare(
        'INSERT OR IGNORE INTO indexer_stats (torrent_id, time, indexer, seeders, leechers, grabs) VALUES (?, ?, ?, ?, ?, ?)',
      ),
    }
    prepared.set(c, s)
  }
  return s
}

/**
 * Store one torrent: insert it (status `new`, history row at `now`) or, when its hash is known,
 * only fill the fields still empty. Links it to `trackerIds`. Returns its id and whether it is new.
 */
export function storeTorrent(
  db: Db,
  row: TorrentRow,
  trackerIds: number[],
  now: number,
): { id: number; created: boolean } {
  const st = statements(db)
  const inserted = st.insert.get({ ...row, now }) as { id: number } | undefined
  let id: number
  if (inserted) {
    id = inserted.id
    st.history.run(id, now)
  } else {
    id = (st.idByHash.get(row.infoHash) as { id: number }).id
    fillTorrent(db, id, row)
  }
  for (const trackerId of trackerIds) st.link.run(id, trackerId)
  return { id, created: inserted !== undefined }
}

/** Fill the fields of a stored torrent that are still empty (unknown category included); nothing else changes. */
export function fillTorrent(db: Db, id: number, row: Omit<TorrentRow, 'infoHash' | 'pubDate'>): void {
  statements(db).fill.run({ ...row, id })
}

/** The indexer's own numbers at fetch time (nothing when the feed sent none). */
export function storeIndexerStats(db: Db, torrentId: number, indexer: string, now: number, n: IndexerNumbers): void {
  if (n.seeders === null && n.leechers === null && n.grabs === null) return
  statements(db).stats.run(torrentId, now, indexer, n.seeders, n.leechers, n.grabs)
}

/** Run `fn` in a savepoint (inside the caller's transaction): on error only its writes are undone. */
export function savepoint<T>(db: Db, fn: () => T): T {
  return db.$client.transaction(fn)()
}
