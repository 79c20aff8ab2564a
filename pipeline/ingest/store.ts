/**
 * Ingest's database writes: trackers (by name), torrents (status `new` + a status_history row),
 * torrent_trackers links and indexer_stats. Callers wrap a feed's writes in one transaction
 * (`tx`); each item runs in its own savepoint so one bad row cannot undo the others.
 */
import { and, eq, isNotNull, sql } from 'drizzle-orm'
import { indexerStats, statusHistory, torrents, torrentTrackers } from '../../schema/tables.ts'
import type { Db } from '../db/client.ts'

/** The id of a stored info hash, if any. */
export function torrentIdByHash(db: Db, infoHash: string): number | undefined {
  return statements(db).idByHash({ infoHash })?.id
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

/** What a feed item gives a torrent row. */
export type TorrentRow = Pick<
  Torrent,
  'infoHash' | 'name' | 'pubDate' | 'size' | 'category' | 'feedCategory' | 'detailsUrl' | 'imdbId' | 'tmdbId' | 'tvdbId'
> & { indexer: string }

/** The indexer's own numbers (seeders, leechers, grabs) for a torrent. */
export type IndexerNumbers = Pick<typeof indexerStats.$inferSelect, 'seeders' | 'leechers' | 'grabs'>

type Torrent = typeof torrents.$inferSelect
const ph = sql.placeholder

/** Hot-path statements (one run per feed item), prepared once per connection with named parameters. */
function prepareStatements(db: Db) {
  const insert = db
    .insert(torrents)
    .values({
      infoHash: ph('infoHash'),
      name: ph('name'),
      pubDate: ph('pubDate'),
      size: ph('size'),
      status: 'new',
      category: ph('category'),
      feedCategory: ph('feedCategory'),
      indexer: ph('indexer'),
      detailsUrl: ph('detailsUrl'),
      imdbId: ph('imdbId'),
      tmdbId: ph('tmdbId'),
      tvdbId: ph('tvdbId'),
      addedAt: ph('now'),
    })
    .onConflictDoNothing({ target: torrents.infoHash })
    .returning({ id: torrents.id })
    .prepare()
  // an existing torrent: only the fields still empty are filled
  const fill = db
    .update(torrents)
    .set({
      name: sql`CASE WHEN ${torrents.name} = '' THEN ${ph('name')} ELSE ${torrents.name} END`,
      size: sql`coalesce(${torrents.size}, ${ph('size')})`,
      category: sql`CASE WHEN ${torrents.category} = 'unknown' THEN ${ph('category')} ELSE ${torrents.category} END`,
      feedCategory: sql`coalesce(${torrents.feedCategory}, ${ph('feedCategory')})`,
      indexer: sql`coalesce(${torrents.indexer}, ${ph('indexer')})`,
      detailsUrl: sql`coalesce(${torrents.detailsUrl}, ${ph('detailsUrl')})`,
      imdbId: sql`coalesce(${torrents.imdbId}, ${ph('imdbId')})`,
      tmdbId: sql`coalesce(${torrents.tmdbId}, ${ph('tmdbId')})`,
      tvdbId: sql`coalesce(${torrents.tvdbId}, ${ph('tvdbId')})`,
    })
    .where(eq(torrents.id, ph('id')))
    .prepare()
  const idByHash = db
    .select({ id: torrents.id, status: torrents.status })
    .from(torrents)
    .where(eq(torrents.infoHash, ph('infoHash')))
    .prepare()
  const history = db
    .insert(statusHistory)
    .values({ torrentId: ph('torrentId'), time: ph('time'), status: 'new' })
    .onConflictDoNothing()
    .prepare()
  const link = db
    .insert(torrentTrackers)
    .values({ torrentId: ph('torrentId'), trackerId: ph('trackerId') })
    .onConflictDoNothing()
    .prepare()
  const stats = db
    .insert(indexerStats)
    .values({
      torrentId: ph('torrentId'),
      time: ph('time'),
      indexer: ph('indexer'),
      seeders: ph('seeders'),
      leechers: ph('leechers'),
      grabs: ph('grabs'),
    })
    .onConflictDoNothing()
    .prepare()
  // Typed entry points: the parameters are the columns' own types.
  return {
    insert: (v: TorrentRow & { now: number }) => insert.get(v),
    fill: (v: Omit<TorrentRow, 'infoHash' | 'pubDate'> & Pick<Torrent, 'id'>) => fill.run(v),
    idByHash: (v: Pick<Torrent, 'infoHash'>) => idByHash.get(v),
    history: (v: Pick<typeof statusHistory.$inferInsert, 'torrentId' | 'time'>) => history.run(v),
    link: (v: typeof torrentTrackers.$inferInsert) => link.run(v),
    stats: (v: typeof indexerStats.$inferInsert) => stats.run(v),
  }
}
const prepared = new WeakMap<Db, ReturnType<typeof prepareStatements>>()

function statements(db: Db): ReturnType<typeof prepareStatements> {
  let s = prepared.get(db)
  if (!s) {
    s = prepareStatements(db)
    prepared.set(db, s)
  }
  return s
}

/**
 * Store one torrent: insert it (status `new`, history row at `now`) or, when its hash is known,
 * only fill the fields still empty. Links it to `trackerIds` (unless it is `unfollow`). Returns its
 * id and whether it is new.
 */
export function storeTorrent(
  db: Db,
  row: TorrentRow,
  trackerIds: number[],
  now: number,
): { id: number; created: boolean } {
  const st = statements(db)
  const inserted = st.insert({ ...row, now })
  let id: number
  let unfollowed = false
  if (inserted) {
    id = inserted.id
    st.history({ torrentId: id, time: now })
  } else {
    const known = st.idByHash({ infoHash: row.infoHash }) as Pick<Torrent, 'id' | 'status'>
    id = known.id
    unfollowed = known.status === 'unfollow'
    fillTorrent(db, id, row)
  }
  // A torrent let go is never scraped again (unfollow is final): no new tracker links for it
  // (the data branch stops writing a long-unfollowed torrent's links: pipeline/db/partitions.ts).
  if (!unfollowed) for (const trackerId of trackerIds) st.link({ torrentId: id, trackerId })
  return { id, created: inserted !== undefined }
}

/** Fill the fields of a stored torrent that are still empty (unknown category included); nothing else changes. */
export function fillTorrent(db: Db, id: number, row: Omit<TorrentRow, 'infoHash' | 'pubDate'>): void {
  statements(db).fill({ ...row, id })
}

/** The indexer's own numbers at fetch time (nothing when the feed sent none). */
export function storeIndexerStats(db: Db, torrentId: number, indexer: string, now: number, n: IndexerNumbers): void {
  if (n.seeders === null && n.leechers === null && n.grabs === null) return
  statements(db).stats({ torrentId, time: now, indexer, ...n })
}

/** Run `fn` in a savepoint (inside the caller's transaction): on error only its writes are undone. */
export function savepoint<T>(db: Db, fn: () => T): T {
  return db.$client.transaction(fn)()
}
