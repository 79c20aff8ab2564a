/**
 * Writing groups to the database: `media`, `torrent_media`, `media_trends`. Called inside one
 * transaction by `mediaCompute`.
 *
 * Stable media rows: the grouping decides which torrents are one media (grouping.ts); the store
 * only finds the row that held them: by the group's key, by its IMDb/TMDB ids, and by the row most
 * of its torrents were linked to before (unless a group written earlier in the compute took it: a
 * group that split keeps its row for its first part). When several rows match (a title-keyed movie
 * whose IMDb id was learnt later, say), they are merged into one — the row whose key equals the
 * group's key, else the oldest — and the others' torrents and rank history move to it. So
 * `media.id` does not churn; a title key follows its group's title key, and moves to an id key
 * once an id is known, never back.
 */

import { and, asc, eq, exists, notInArray, sql } from 'drizzle-orm'
import { alias, type SQLiteColumn } from 'drizzle-orm/sqlite-core'
import { type MediaKind, media, mediaTrends, mediaWeeks, torrentMedia, type WeekRank } from '../../schema/tables.ts'
import type { Db } from '../db/client.ts'
import type { MediaGroup } from './grouping.ts'
import type { MediaMeta } from './metadata.ts'

export interface ResolvedGroup extends MediaGroup {
  meta: MediaMeta | null
}

type Media = typeof media.$inferSelect

const ph = sql.placeholder

export interface WriteCounts {
  media: number
  mediaCreated: number
  mediaMerged: number
  links: number
  ranked: number
}

const differ = <T>(a: T | null, b: T | null) => a !== null && b !== null && a !== b
const conflicting = (a: Media, b: Media) =>
  differ(a.imdbId, b.imdbId) || differ(a.tmdbId, b.tmdbId) || differ(a.tvdbId, b.tvdbId)

/** imdb > tmdb > tvdb > title/torrent. */
export function keyRank(key: string): number {
  return key.startsWith('imdb:') ? 3 : key.startsWith('tmdb:') ? 2 : key.startsWith('tvdb:') ? 1 : 0
}

/** Keys under which an existing row may hold this group: its own, its ids'. */
function candidateKeys(g: MediaGroup): string[] {
  const keys = new Set([g.key])
  if (g.imdbId) keys.add(`imdb:${g.imdbId}`)
  if (g.tmdbId) keys.add(`tmdb:${g.tmdbId}`)
  if (g.tvdbId) keys.add(`tvdb:${g.tvdbId}`)
  return [...keys]
}

/** Statements run once per group or per torrent, prepared once per `writeGroups` (named parameters). */
function prepareStatements(db: Db) {
  const byKind = (column: SQLiteColumn, name: string) =>
    db
      .select()
      .from(media)
      .where(and(eq(media.kind, ph('kind')), eq(column, ph(name))))
      .orderBy(asc(media.id))
      .prepare()
  const byKey = byKind(media.key, 'key')
  const byImdb = byKind(media.imdbId, 'imdbId')
  const byTmdb = byKind(media.tmdbId, 'tmdbId')
  const byId = db
    .select()
    .from(media)
    .where(eq(media.id, ph('id')))
    .prepare()
  const insert = db
    .insert(media)
    .values({
      kind: ph('kind'),
      key: ph('key'),
      title: ph('title'),
      year: ph('year'),
      imdbId: ph('imdbId'),
      tmdbId: ph('tmdbId'),
      tvdbId: ph('tvdbId'),
      metadataSource: ph('metadataSource'),
      updatedAt: ph('updatedAt'),
    })
    .returning({ id: media.id })
    .prepare()
  const fresh = (key: keyof Media) => sql`${ph(key)}`
  /** The new value, else the stored one. */
  const orStored = (key: keyof Media) => sql`COALESCE(${ph(key)}, ${media[key]})`
  const update = db
    .update(media)
    .set({
      title: fresh('title'),
      year: fresh('year'),
      originalTitle: orStored('originalTitle'),
      language: orStored('language'),
      imdbId: orStored('imdbId'),
      tmdbId: orStored('tmdbId'),
      tvdbId: orStored('tvdbId'),
      posterUrl: orStored('posterUrl'),
      genres: orStored('genres'),
      rating: orStored('rating'),
      votes: orStored('votes'),
      overview: orStored('overview'),
      metadataSource: fresh('metadataSource'),
      updatedAt: fresh('updatedAt'),
    })
    .where(eq(media.id, ph('id')))
    .prepare()
  const link = db
    .insert(torrentMedia)
    .values({
      torrentId: ph('torrentId'),
      mediaId: ph('mediaId'),
      season: ph('season'),
      episode: ph('episode'),
      release: ph('release'),
    })
    .onConflictDoUpdate({
      target: torrentMedia.torrentId,
      set: {
        mediaId: sql`excluded.media_id`,
        season: sql`excluded.season`,
        episode: sql`excluded.episode`,
        release: sql`excluded.release`,
      },
    })
    .prepare()
  const addTrend = db
    .insert(mediaTrends)
    .values({
      mediaId: ph('mediaId'),
      time: ph('time'),
      engine: ph('engine'),
      score: ph('score'),
      rank: ph('rank'),
      torrents: ph('torrents'),
    })
    .prepare()
  type Fresh = 'title' | 'year' | 'metadataSource' | 'updatedAt'
  type Filled = 'originalTitle' | 'language' | 'imdbId' | 'tmdbId' | 'tvdbId' | 'posterUrl' | 'genres' | 'rating'
  // Typed entry points: the parameters are the columns' own types.
  return {
    byKey: (v: Pick<Media, 'kind' | 'key'>): Media | undefined => byKey.all(v)[0],
    byImdb: (v: Pick<Media, 'kind' | 'imdbId'>): Media[] => byImdb.all(v),
    byTmdb: (v: Pick<Media, 'kind' | 'tmdbId'>): Media[] => byTmdb.all(v),
    byId: (v: Pick<Media, 'id'>): Media | undefined => byId.get(v),
    insert: (v: Pick<Media, 'kind' | 'key' | 'title' | 'year' | 'imdbId' | 'tmdbId' | 'tvdbId' | Fresh>) =>
      (insert.get(v) as { id: number }).id,
    /** Fresh values for `Fresh`; null in the others keeps what is stored. */
    update: (v: Pick<Media, 'id' | Fresh | Filled | 'votes' | 'overview'>) =>
      update.run({ ...v, genres: v.genres === null ? null : media.genres.mapToDriverValue(v.genres) }),
    link: (v: typeof torrentMedia.$inferInsert) => link.run(v),
    addTrend: (v: typeof mediaTrends.$inferInsert) => addTrend.run(v),
  }
}

/**
 * A writer of groups of one kind: upserts their media rows and links their torrents. Existing rows
 * are indexed by normalised title once per writer (one compute), then kept up to date as rows are
 * created and merged, so groups can be written in several batches.
 */
export function groupWriter(db: Db, kind: MediaKind) {
  const st = prepareStatements(db)
  const counts: WriteCounts = { media: 0, mediaCreated: 0, mediaMerged: 0, links: 0, ranked: 0 }
  const touched = new Set<number>()
  // CROSS JOIN keeps SQLite from scanning every media row of the kind (its (kind, key) index)
  // instead of looking the torrents up: without table statistics it prefers that for long id lists.
  const mostLinkedSt = db.$client.prepare(
    `SELECT tm.media_id AS mediaId, count(*) AS n FROM torrent_media tm CROSS JOIN media m ON m.id = tm.media_id
     WHERE tm.torrent_id IN (SELECT value FROM json_each(?)) AND m.kind = ?
     GROUP BY tm.media_id ORDER BY n DESC, tm.media_id ASC LIMIT 1`,
  )
  const mostLinked = (k: MediaKind, torrentIds: number[]): { mediaId: number; n: number } | undefined => {
    if (torrentIds.length === 0) return undefined
    return mostLinkedSt.get(JSON.stringify(torrentIds), k) as { mediaId: number; n: number } | undefined
  }
  const weeksSt = {
    // A week only `from` has moves whole but for its activity (media_activity's rows of `from` go
    // with it, and site data sums the moved torrents' days again); a week both have merges ranks.
    move: db.$client.prepare(
      `UPDATE media_weeks SET media_id = ?, activity = '[]' WHERE media_id = ?
       AND week NOT IN (SELECT week FROM media_weeks WHERE media_id = ?)`,
    ),
    both: db.$client.prepare(
      `SELECT f.week, f.ranks AS fromRanks, t.ranks AS toRanks FROM media_weeks f
       JOIN media_weeks t ON t.media_id = ? AND t.week = f.week WHERE f.media_id = ?`,
    ),
    setRanks: db.$client.prepare('UPDATE media_weeks SET ranks = ? WHERE media_id = ? AND week = ?'),
  }
  /** Merge row `from` into `to`: links and rank history move (history of the same run stays `to`'s), `from` goes. */
  const merge = (to: number, from: number) => {
    db.update(torrentMedia).set({ mediaId: to }).where(eq(torrentMedia.mediaId, from)).run()
    const kept = alias(mediaTrends, 'kept')
    const sameRun = db
      .select({ one: sql`1` })
      .from(kept)
      .where(and(eq(kept.mediaId, to), eq(kept.time, mediaTrends.time), eq(kept.engine, mediaTrends.engine)))
    db.delete(mediaTrends)
      .where(and(eq(mediaTrends.mediaId, from), exists(sameRun)))
      .run()
    db.update(mediaTrends).set({ mediaId: to }).where(eq(mediaTrends.mediaId, from)).run()
    // Its packed weeks (publish/weeks.ts) as its rows: the ranks of the same run stay `to`'s.
    weeksSt.move.run(to, from, to)
    for (const w of weeksSt.both.all(to, from) as { week: number; fromRanks: string; toRanks: string }[]) {
      const ranks = JSON.parse(w.toRanks) as WeekRank[]
      const runs = new Set(ranks.map((r) => `${r[0]}\u0000${r[1]}`))
      for (const r of JSON.parse(w.fromRanks) as WeekRank[]) if (!runs.has(`${r[0]}\u0000${r[1]}`)) ranks.push(r)
      ranks.sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
      weeksSt.setRanks.run(JSON.stringify(ranks), to, w.week)
    }
    db.delete(media).where(eq(media.id, from)).run()
  }

  /** Rows taken by a group of this compute. */
  const claimed = new Set<number>()
  /** Write `groups` (one transaction, the caller's). */
  const write = (groups: ResolvedGroup[], now: number): void => {
    // 1. Every group → one media id (groups meeting on one row share it).
    const torrentsOf = new Map<number, ResolvedGroup['torrents']>()
    for (const g of groups) {
      const found = new Map<number, Media>()
      // The row holding the group's key, or one of its ids...
      for (const k of candidateKeys(g)) {
        const r = st.byKey({ kind, key: k })
        if (r) found.set(r.id, r)
      }
      if (g.imdbId) for (const r of st.byImdb({ kind, imdbId: g.imdbId })) found.set(r.id, r)
      if (g.tmdbId) for (const r of st.byTmdb({ kind, tmdbId: g.tmdbId })) found.set(r.id, r)
      if (!g.fallback) {
        // ...and the row most of its torrents were linked to last time (its key may be an older
        // title key, or an id learnt from a provider that is not configured any more), unless a
        // group written before took it (a group that split keeps its row for its first part) or
        // it carries other ids.
        const prev = mostLinked(
          kind,
          g.torrents.map((t) => t.id),
        )
        if (prev && prev.n * 2 >= g.torrents.length && !claimed.has(prev.mediaId)) {
          const r = st.byId({ id: prev.mediaId })
          const ids = { imdbId: g.imdbId ?? null, tmdbId: g.tmdbId ?? null, tvdbId: g.tvdbId ?? null } as Media
          if (r && !conflicting(r, ids)) found.set(r.id, r)
        }
      }
      const rows = [...found.values()].sort((a, b) => a.id - b.id)
      let keep = rows.find((r) => r.key === g.key) ?? rows[0]
      for (const r of rows) {
        if (!keep || r.id === keep.id) continue
        // Rows that carry different ids are different media, whatever their titles.
        if (conflicting(keep, r)) continue
        // Merge r into keep: links and history move; history of the same run stays keep's.
        merge(keep.id, r.id)
        const moved = torrentsOf.get(r.id)
        if (moved) {
          torrentsOf.delete(r.id)
          torrentsOf.set(keep.id, [...(torrentsOf.get(keep.id) ?? []), ...moved])
        }
        counts.mediaMerged++
      }
      if (!keep) {
        const id = st.insert({
          kind,
          key: g.key,
          title: g.title,
          year: g.year ?? null,
          imdbId: g.imdbId ?? null,
          tmdbId: g.tmdbId ?? null,
          tvdbId: g.tvdbId ?? null,
          metadataSource: g.imdbId || g.tmdbId || g.tvdbId ? 'feed' : 'none',
          updatedAt: now,
        })
        // Only what the rest of this run reads of a row created in it (its ids stay unknown).
        keep = { id, key: g.key, title: g.title, year: g.year ?? null, originalTitle: null } as Media
        counts.mediaCreated++
      } else if (
        keyRank(g.key) > keyRank(keep.key) ||
        (keyRank(g.key) === 0 && keyRank(keep.key) === 0 && g.key !== keep.key && !st.byKey({ kind, key: g.key }))
      ) {
        // Upgrade a title key to an id key (imdb > tmdb > tvdb), never the other way; a title key
        // follows its group's ("title:x:" → "title:x:2021" once the year is known).
        db.update(media).set({ key: g.key }).where(eq(media.id, keep.id)).run()
        keep = { ...keep, key: g.key }
      }
      claimed.add(keep.id)
      const m = g.meta
      const source = m?.source ?? (g.imdbId || g.tmdbId || g.tvdbId ? 'feed' : (keep.metadataSource ?? 'none'))
      // Without fresh metadata, a row that has some keeps its provider title and year.
      const hadMeta = keep.metadataSource === 'tmdb' || keep.metadataSource === 'imdb'
      st.update({
        id: keep.id,
        title: m?.title ?? (hadMeta ? keep.title : g.title),
        year: m?.year ?? (hadMeta ? keep.year : (g.year ?? keep.year)) ?? null,
        originalTitle: m?.originalTitle ?? null,
        language: m?.language ?? null,
        imdbId: g.imdbId ?? m?.imdbId ?? null,
        tmdbId: g.tmdbId ?? m?.tmdbId ?? null,
        tvdbId: g.tvdbId ?? m?.tvdbId ?? null,
        posterUrl: m?.posterUrl ?? null,
        genres: m?.genres ?? null,
        rating: m?.rating ?? null,
        votes: m?.votes ?? null,
        overview: m?.overview ?? null,
        metadataSource: source,
        updatedAt: now,
      })
      torrentsOf.set(keep.id, [...(torrentsOf.get(keep.id) ?? []), ...g.torrents])
    }

    // 2. Links.
    for (const [mediaId, ts] of torrentsOf) {
      for (const t of ts) {
        const p = t.parsed
        const release: Record<string, unknown> = {
          title: p.title,
          resolution: p.resolution,
          source: p.source,
          codec: p.codec,
          group: p.group,
          languages: p.languages,
          repack: p.repack || undefined,
          proper: p.proper || undefined,
          seasonPack: p.isSeasonPack || undefined,
          seasons: p.seasons.length > 1 ? p.seasons : undefined,
          episodes: p.episodes,
          aka: p.aka,
        }
        st.link({
          torrentId: t.id,
          mediaId,
          season: kind === 'series' ? (p.season ?? null) : null,
          episode: kind === 'series' ? (p.episode ?? null) : null,
          release,
        })
        counts.links++
      }
    }

    for (const id of torrentsOf.keys()) touched.add(id)
  }
  return {
    write,
    counts: (): WriteCounts => ({ ...counts, media: touched.size }),
  }
}

/**
 * The rank history of one trend run for `kind`, from the links: replaced as a whole (idempotent).
 * A media's score is `aggregateScore` of its torrents' scores in the run (best + a tenth of the
 * other positive scores), computed in SQL over every linked torrent of the run.
 */
export function rankRun(db: Db, kind: MediaKind, run: { time: number; engine: string }): number {
  const c = db.$client
  c.prepare(
    `DELETE FROM media_trends WHERE time = ? AND engine = ? AND media_id IN (SELECT id FROM media WHERE kind = ?)`,
  ).run(run.time, run.engine, kind)
  const r = c
    .prepare(
      `INSERT INTO media_trends (media_id, time, engine, score, rank, torrents)
       SELECT media_id, @time, @engine, score, ROW_NUMBER() OVER (ORDER BY score DESC, n DESC, media_id ASC), n
       FROM (
         SELECT tm.media_id, MAX(tr.score) + 0.1 * (SUM(MAX(tr.score, 0)) - MAX(MAX(tr.score), 0)) AS score,
                COUNT(*) AS n
         FROM trends tr
         CROSS JOIN torrent_media tm ON tm.torrent_id = tr.torrent_id
         CROSS JOIN media m ON m.id = tm.media_id
         WHERE tr.engine = @engine AND tr.time = @time AND m.kind = @kind
         GROUP BY tm.media_id
       )`,
    )
    .run({ time: run.time, engine: run.engine, kind })
  return r.changes
}

/** Media of `kind` left with neither torrents nor rank history (emptied by a move) are removed. */
export function removeEmptyMedia(db: Db, kind: MediaKind): number {
  return db
    .delete(media)
    .where(
      and(
        eq(media.kind, kind),
        notInArray(media.id, db.select({ id: torrentMedia.mediaId }).from(torrentMedia)),
        notInArray(media.id, db.select({ id: mediaTrends.mediaId }).from(mediaTrends)),
        notInArray(media.id, db.select({ id: mediaWeeks.mediaId }).from(mediaWeeks)),
      ),
    )
    .run().changes
}
