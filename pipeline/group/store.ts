/**
 * Writing groups to the database: `media`, `torrent_media`, `media_trends`. Called inside one
 * transaction by `mediaCompute`.
 *
 * Stable media rows: a group finds its existing row by key, by IMDb/TMDB id, by its title key
 * with the year ±1 (and the yearless key), and — for a name-only group — by a row whose title or
 * original title normalises like the group's (year ±1; a yearless group only when one row
 * matches) and by the row most of its torrents were linked to before. When several rows match (a title-keyed movie whose IMDb
 * id was learnt later, say), they are merged into one — the row whose key equals the group's key,
 * else the oldest — and the others' torrents and rank history move to it. So `media.id` never
 * churns, and `media.key` only ever moves from `title:…` to an id key, once.
 */

import type { MediaKind } from '../../schema/tables.ts'
import type { Db } from '../db/client.ts'
import { aggregateScore, type MediaGroup, titleKey } from './grouping.ts'
import type { MediaMeta } from './metadata.ts'
import { normaliseTitle } from './parse.ts'

export interface ResolvedGroup extends MediaGroup {
  meta: MediaMeta | null
}

interface MediaRow {
  id: number
  key: string
  title: string
  original_title: string | null
  year: number | null
  imdb_id: string | null
  tmdb_id: number | null
  tvdb_id: number | null
  metadata_source: string | null
}

export interface WriteCounts {
  media: number
  mediaCreated: number
  mediaMerged: number
  links: number
  ranked: number
}

const differ = <T>(a: T | null, b: T | null) => a !== null && b !== null && a !== b
const conflicting = (a: MediaRow, b: MediaRow) =>
  differ(a.imdb_id, b.imdb_id) || differ(a.tmdb_id, b.tmdb_id) || differ(a.tvdb_id, b.tvdb_id)

/** imdb > tmdb > tvdb > title/torrent. */
export function keyRank(key: string): number {
  return key.startsWith('imdb:') ? 3 : key.startsWith('tmdb:') ? 2 : key.startsWith('tvdb:') ? 1 : 0
}

/** Keys under which an existing row may hold this group. */
function candidateKeys(g: MediaGroup): string[] {
  const keys = new Set([g.key])
  if (!g.fallback && g.norm) {
    if (g.year !== undefined) for (const y of [g.year, g.year - 1, g.year + 1]) keys.add(titleKey(g.norm, y))
    keys.add(titleKey(g.norm, undefined))
  }
  if (g.imdbId) keys.add(`imdb:${g.imdbId}`)
  if (g.tmdbId) keys.add(`tmdb:${g.tmdbId}`)
  if (g.tvdbId) keys.add(`tvdb:${g.tvdbId}`)
  return [...keys]
}

/**
 * Upsert the media rows of `groups`, link their torrents, and write one `media_trends` row per media
 * for (time, engine). `scores` maps torrent id → its trend score in that run.
 */
export function writeGroups(
  db: Db,
  kind: MediaKind,
  groups: ResolvedGroup[],
  run: { time: number; engine: string },
  scores: Map<number, number>,
  now: number,
): WriteCounts {
  const c = db.$client
  const counts: WriteCounts = { media: 0, mediaCreated: 0, mediaMerged: 0, links: 0, ranked: 0 }
  const byKey = c.prepare('SELECT * FROM media WHERE kind = ? AND key = ?')
  const byImdb = c.prepare('SELECT * FROM media WHERE kind = ? AND imdb_id = ? ORDER BY id')
  const byTmdb = c.prepare('SELECT * FROM media WHERE kind = ? AND tmdb_id = ? ORDER BY id')
  const insert = c.prepare(
    `INSERT INTO media (kind, key, title, year, imdb_id, tmdb_id, tvdb_id, metadata_source, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
  )
  // Existing rows by normalised title and original title (the display title may come from TMDB).
  const byNorm = new Map<string, MediaRow[]>()
  const index = (r: MediaRow) => {
    for (const t of new Set([normaliseTitle(r.title), r.original_title ? normaliseTitle(r.original_title) : ''])) {
      if (!t) continue
      const list = byNorm.get(t)
      if (list) list.push(r)
      else byNorm.set(t, [r])
    }
  }
  const unindex = (id: number) => {
    for (const [k, list] of byNorm)
      byNorm.set(
        k,
        list.filter((r) => r.id !== id),
      )
  }
  for (const r of c.prepare("SELECT * FROM media WHERE kind = ? AND key NOT LIKE 'torrent:%'").all(kind) as MediaRow[])
    index(r)
  const byId = c.prepare('SELECT * FROM media WHERE id = ?')
  const mostLinked = (k: MediaKind, torrentIds: number[]): { mediaId: number; n: number } | undefined => {
    if (torrentIds.length === 0) return undefined
    const place = torrentIds.map(() => '?').join(',')
    return c
      .prepare(
        `SELECT tm.media_id AS mediaId, COUNT(*) AS n FROM torrent_media tm JOIN media m ON m.id = tm.media_id
         WHERE m.kind = ? AND tm.torrent_id IN (${place}) GROUP BY tm.media_id ORDER BY n DESC, tm.media_id LIMIT 1`,
      )
      .get(k, ...torrentIds) as { mediaId: number; n: number } | undefined
  }
  const moveLinks = c.prepare('UPDATE torrent_media SET media_id = ? WHERE media_id = ?')
  const moveTrends = c.prepare(`UPDATE OR IGNORE media_trends SET media_id = ? WHERE media_id = ?`)
  const del = c.prepare('DELETE FROM media WHERE id = ?')
  const setKey = c.prepare('UPDATE media SET key = ? WHERE id = ?')
  const update = c.prepare(
    `UPDATE media SET title = ?, year = ?, original_title = COALESCE(?, original_title),
       language = COALESCE(?, language), imdb_id = COALESCE(?, imdb_id), tmdb_id = COALESCE(?, tmdb_id),
       tvdb_id = COALESCE(?, tvdb_id), poster_url = COALESCE(?, poster_url), genres = COALESCE(?, genres),
       rating = COALESCE(?, rating), votes = COALESCE(?, votes), overview = COALESCE(?, overview),
       metadata_source = ?, updated_at = ?
     WHERE id = ?`,
  )

  // 1. Every group → one media id (groups meeting on one row share it).
  const torrentsOf = new Map<number, ResolvedGroup['torrents']>()
  /** Yearless rows taken by a group with a year in this run: row id → that year. */
  const yearlessClaims = new Map<number, number>()
  for (const g of groups) {
    const found = new Map<number, MediaRow>()
    for (const k of candidateKeys(g)) {
      const r = byKey.get(kind, k) as MediaRow | undefined
      if (r) found.set(r.id, r)
    }
    if (g.imdbId) for (const r of byImdb.all(kind, g.imdbId) as MediaRow[]) found.set(r.id, r)
    if (g.tmdbId) for (const r of byTmdb.all(kind, g.tmdbId) as MediaRow[]) found.set(r.id, r)
    if (!g.fallback && keyRank(g.key) === 0) {
      // A name-only group finds a row whose title (or original title) normalises like its own, with
      // the year within ±1 — a yearless group only when there is exactly one such row...
      const same = (byNorm.get(g.norm) ?? []).filter((r) =>
        g.year === undefined ? true : r.year === null || Math.abs(r.year - g.year) <= 1,
      )
      if (g.year !== undefined || same.length === 1) for (const r of same) found.set(r.id, r)
      // ...and the row most of its torrents were linked to last time (its key may be an id learnt
      // from a provider that is not configured any more) holds it.
      const prev = mostLinked(
        kind,
        g.torrents.map((t) => t.id),
      )
      if (prev && prev.n * 2 >= g.torrents.length) {
        const r = byId.get(prev.mediaId) as MediaRow | undefined
        if (r) found.set(r.id, r)
      }
    }
    // A yearless row (a title first seen without its year) goes to one year only: two shows or
    // films of the same title and different years in this run must not both land on it.
    if (g.year !== undefined) {
      for (const r of [...found.values()]) {
        const claimed = yearlessClaims.get(r.id)
        if (claimed !== undefined && Math.abs(claimed - g.year) > 1) found.delete(r.id)
      }
    }
    const rows = [...found.values()].sort((a, b) => a.id - b.id)
    let keep = rows.find((r) => r.key === g.key) ?? rows[0]
    if (keep && keep.year === null && g.year !== undefined && !yearlessClaims.has(keep.id)) {
      yearlessClaims.set(keep.id, g.year)
    }
    for (const r of rows) {
      if (!keep || r.id === keep.id) continue
      // Rows that carry different ids are different media, whatever their titles.
      if (conflicting(keep, r)) continue
      // Merge r into keep: links and history move; history of the same run stays keep's.
      moveLinks.run(keep.id, r.id)
      moveTrends.run(keep.id, r.id)
      del.run(r.id)
      unindex(r.id)
      const moved = torrentsOf.get(r.id)
      if (moved) {
        torrentsOf.delete(r.id)
        torrentsOf.set(keep.id, [...(torrentsOf.get(keep.id) ?? []), ...moved])
      }
      counts.mediaMerged++
    }
    if (!keep) {
      const id = (
        insert.get(
          kind,
          g.key,
          g.title,
          g.year ?? null,
          g.imdbId ?? null,
          g.tmdbId ?? null,
          g.tvdbId ?? null,
          g.imdbId || g.tmdbId || g.tvdbId ? 'feed' : 'none',
          now,
        ) as { id: number }
      ).id
      keep = { id, key: g.key, title: g.title, year: g.year ?? null } as MediaRow
      if (!g.fallback) index(keep)
      counts.mediaCreated++
    } else if (keyRank(g.key) > keyRank(keep.key)) {
      // Upgrade a title key to an id key (imdb > tmdb > tvdb), never the other way: keys stay put.
      setKey.run(g.key, keep.id)
    }
    const m = g.meta
    const source = m?.source ?? (g.imdbId || g.tmdbId || g.tvdbId ? 'feed' : (keep.metadata_source ?? 'none'))
    // Without fresh metadata, a row that has some keeps its provider title and year.
    const hadMeta = keep.metadata_source === 'tmdb' || keep.metadata_source === 'imdb'
    update.run(
      m?.title ?? (hadMeta ? keep.title : g.title),
      m?.year ?? (hadMeta ? keep.year : (g.year ?? keep.year)) ?? null,
      m?.originalTitle ?? null,
      m?.language ?? null,
      g.imdbId ?? m?.imdbId ?? null,
      g.tmdbId ?? m?.tmdbId ?? null,
      g.tvdbId ?? m?.tvdbId ?? null,
      m?.posterUrl ?? null,
      m?.genres ? JSON.stringify(m.genres) : null,
      m?.rating ?? null,
      m?.votes ?? null,
      m?.overview ?? null,
      source,
      now,
      keep.id,
    )
    torrentsOf.set(keep.id, [...(torrentsOf.get(keep.id) ?? []), ...g.torrents])
  }

  // 2. Links.
  const link = c.prepare(
    `INSERT INTO torrent_media (torrent_id, media_id, season, episode, release) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (torrent_id) DO UPDATE SET media_id = excluded.media_id, season = excluded.season,
       episode = excluded.episode, release = excluded.release`,
  )
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
      link.run(
        t.id,
        mediaId,
        kind === 'series' ? (p.season ?? null) : null,
        kind === 'series' ? (p.episode ?? null) : null,
        JSON.stringify(release),
      )
      counts.links++
    }
  }

  // 3. Rank history of this run: replaced as a whole (idempotent).
  c.prepare(
    'DELETE FROM media_trends WHERE time = ? AND engine = ? AND media_id IN (SELECT id FROM media WHERE kind = ?)',
  ).run(run.time, run.engine, kind)
  const ranked = [...torrentsOf.entries()]
    .map(([mediaId, ts]) => ({
      mediaId,
      n: ts.length,
      score: aggregateScore(ts.map((t) => scores.get(t.id) ?? 0)),
    }))
    .sort((a, b) => b.score - a.score || b.n - a.n || a.mediaId - b.mediaId)
  const addTrend = c.prepare(
    'INSERT INTO media_trends (media_id, time, engine, score, rank, torrents) VALUES (?, ?, ?, ?, ?, ?)',
  )
  ranked.forEach((r, i) => {
    addTrend.run(r.mediaId, run.time, run.engine, r.score, i + 1, r.n)
    counts.ranked++
  })

  // 4. Media left with neither torrents nor history (emptied by a move) are removed.
  c.prepare(
    `DELETE FROM media WHERE kind = ? AND id NOT IN (SELECT media_id FROM torrent_media)
       AND id NOT IN (SELECT media_id FROM media_trends)`,
  ).run(kind)
  counts.media = torrentsOf.size
  return counts
}
