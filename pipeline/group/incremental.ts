/**
 * Parse once, regroup only what changed.
 *
 * - `parseStale`: every torrent of the trend run without a current parse, and every stored parse
 *   made from other inputs (parser version, category, feed ids, an empty name filled later), is
 *   parsed and stored on its row (torrents.parse_input, parsed_*, parsed, group_keys). A name is
 *   parsed once per input, never again on later runs.
 * - `dirtyComponents`: the torrents to regroup (a torrent is grouped with `grouped_input` = its
 *   parse input + the metadata signature, so new IMDb datasets or a TMDB key regroup everything once). The grouping of a torrent depends only on the
 *   torrents it shares a key with (title or alias, feed id: `groupKeysOf`), transitively, and — so
 *   that groups joined by metadata are re-evaluated as a whole — on the torrents of the media it is
 *   linked to. Those closed sets ("components") are found with one scan of the stored keys; only
 *   the components holding a torrent whose parse changed since it was last grouped (or that left
 *   the kind) are regrouped, so the result equals regrouping everything from scratch.
 *
 * Raw better-sqlite3 statements here: these loops touch every torrent of a large database.
 */
import type { MediaKind } from '../../schema/tables.ts'
import type { Db } from '../db/client.ts'
import { type ClassifiedTorrent, classifyParsed, groupKeysOf, UnionFind } from './grouping.ts'
import { PARSER_VERSION, type ParsedRelease, parseRelease } from './parse.ts'

/** What a stored parse was made from: parser version, empty name, category and feed ids. */
const INPUT = `'${PARSER_VERSION}|' || (t.name = '') || '|' || t.category || '|' || coalesce(t.imdb_id, '') || '|' || coalesce(t.tmdb_id, '') || '|' || coalesce(t.tvdb_id, '')`

const CHUNK = 2000

/** Torrent ids as a JSON array for `json_each` (one statement for any number of ids). */
const idList = (ids: readonly number[]) => JSON.stringify(ids)

/**
 * Parse and store every torrent of the run (engine, time) that has no current parse — and every
 * torrent grouped before parses were stored (a database from before this version) — and every
 * stored parse made from other inputs. Returns how many were parsed. One transaction per chunk.
 */
export function parseStale(db: Db, run: { engine: string; time: number }): number {
  const c = db.$client
  const stale = c
    .prepare(
      `SELECT t.id FROM torrents t
       WHERE (t.parse_input IS NULL AND (t.id IN (SELECT torrent_id FROM trends WHERE engine = ? AND time = ?)
                OR EXISTS (SELECT 1 FROM torrent_media tm WHERE tm.torrent_id = t.id)))
          OR (t.parse_input IS NOT NULL AND t.parse_input != ${INPUT})
       ORDER BY t.id`,
    )
    .pluck()
    .all(run.engine, run.time) as number[]
  const read = c.prepare(
    `SELECT t.id, t.info_hash AS infoHash, t.name, t.category, t.imdb_id AS imdbId, t.tmdb_id AS tmdbId,
            t.tvdb_id AS tvdbId, ${INPUT} AS input
     FROM torrents t WHERE t.id IN (SELECT value FROM json_each(?))`,
  )
  const write = c.prepare(
    `UPDATE torrents SET parse_input = @input, parsed_title = @title, parsed_year = @year, parsed_season = @season,
       parsed_episode = @episode, parsed_air_date = @airDate, parsed_kind = @kind, parsed = @parsed, group_keys = @keys
     WHERE id = @id`,
  )
  type Row = Pick<ClassifiedTorrent, 'id' | 'infoHash' | 'name' | 'category' | 'imdbId' | 'tmdbId' | 'tvdbId'> & {
    input: string
  }
  const chunk = c.transaction((ids: number[]) => {
    for (const r of read.all(idList(ids)) as Row[]) {
      const parsed = parseRelease(r.name)
      const t = classifyParsed(r, parsed)
      write.run({
        id: r.id,
        input: r.input,
        title: parsed.title,
        year: parsed.year ?? null,
        season: parsed.season ?? null,
        episode: parsed.episode ?? null,
        airDate: parsed.airDate ?? null,
        kind: t.kind,
        parsed: JSON.stringify(parsed),
        keys: groupKeysOf(t).join('\t'),
      })
    }
  })
  for (let i = 0; i < stale.length; i += CHUNK) chunk(stale.slice(i, i + CHUNK))
  return stale.length
}

export interface Dirty {
  /** Components to regroup, each a list of torrent ids (ascending), components in order of their first id. */
  components: number[][]
  /** Torrents linked to a media of this kind that now belong to another kind (their links go). */
  leaving: number[]
  /** Torrents of this kind whose parse changed since they were last grouped. */
  seeds: number
  /** Their ids; null when every torrent counts as changed (full). */
  seedIds: Set<number> | null
}

/**
 * The components of `kind` to regroup: all of them when `full`, else those holding a torrent whose
 * parse changed since it was last grouped, or linked to the same media as a torrent that left the kind.
 */
export function dirtyComponents(db: Db, kind: MediaKind, full: boolean, metaSig = ''): Dirty {
  const c = db.$client
  // 1. Every parsed torrent of the kind with its keys (id order).
  const ids: number[] = []
  const seedIdx: number[] = []
  const keyIndex = new Map<string, number>()
  const pairs: [number, number][] = []
  const scan = c
    .prepare(
      `SELECT id, group_keys, grouped_input IS NOT (parse_input || '#' || ?) FROM torrents
       WHERE parsed_kind = ? AND parse_input IS NOT NULL ORDER BY id`,
    )
    .raw()
  for (const row of scan.iterate(metaSig, kind) as Iterable<[number, string | null, number]>) {
    const i = ids.length
    ids.push(row[0])
    if (row[2]) seedIdx.push(i)
    if (!row[1]) continue
    for (const k of row[1].split('\t')) {
      const j = keyIndex.get(k)
      if (j === undefined) keyIndex.set(k, i)
      else pairs.push([i, j])
    }
  }
  keyIndex.clear()
  const uf = new UnionFind(ids.length)
  for (const [a, b] of pairs) uf.union(a, b)
  pairs.length = 0
  const indexOf = (id: number): number => {
    let lo = 0
    let hi = ids.length - 1
    while (lo <= hi) {
      const mid = (lo + hi) >> 1
      const v = ids[mid] as number
      if (v === id) return mid
      if (v < id) lo = mid + 1
      else hi = mid - 1
    }
    return -1
  }
  // 2. Torrents linked to one media are regrouped together; links of torrents that left the kind go.
  const firstOfMedia = new Map<number, number>()
  const leaving: number[] = []
  const leftMedia = new Set<number>()
  const links = c
    .prepare(
      `SELECT tm.torrent_id, tm.media_id FROM torrent_media tm JOIN media m ON m.id = tm.media_id
       WHERE m.kind = ? ORDER BY tm.media_id`,
    )
    .raw()
  for (const [torrentId, mediaId] of links.iterate(kind) as Iterable<[number, number]>) {
    const i = indexOf(torrentId)
    if (i < 0) {
      leaving.push(torrentId)
      leftMedia.add(mediaId)
      continue
    }
    const j = firstOfMedia.get(mediaId)
    if (j === undefined) firstOfMedia.set(mediaId, i)
    else uf.union(i, j)
  }
  for (const m of leftMedia) {
    const j = firstOfMedia.get(m)
    if (j !== undefined) seedIdx.push(j)
  }
  firstOfMedia.clear()
  // 3. The components holding a seed (every component when full).
  const wanted = new Set<number>()
  if (!full) for (const i of seedIdx) wanted.add(uf.find(i))
  const byRoot = new Map<number, number[]>()
  for (let i = 0; i < ids.length; i++) {
    const r = uf.find(i)
    if (!full && !wanted.has(r)) continue
    const list = byRoot.get(r)
    if (list) list.push(ids[i] as number)
    else byRoot.set(r, [ids[i] as number])
  }
  return {
    components: [...byRoot.values()],
    leaving,
    seeds: full ? ids.length : seedIdx.length,
    seedIds: full ? null : new Set(seedIdx.map((i) => ids[i] as number)),
  }
}

/** Components packed into batches of about `size` torrents (a larger component is a batch of its own). */
export function batches(components: number[][], size: number): number[][] {
  const out: number[][] = []
  let cur: number[] = []
  for (const comp of components) {
    if (cur.length && cur.length + comp.length > size) {
      out.push(cur)
      cur = []
    }
    for (const id of comp) cur.push(id)
  }
  if (cur.length) out.push(cur)
  return out
}

/** The torrents of `ids` from their stored parse (no parsing), in id order. */
export function loadClassified(db: Db, ids: readonly number[]): ClassifiedTorrent[] {
  const rows = db.$client
    .prepare(
      `SELECT id, info_hash AS infoHash, name, category, imdb_id AS imdbId, tmdb_id AS tmdbId, tvdb_id AS tvdbId,
              parsed, parse_input AS parseInput
       FROM torrents WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id`,
    )
    .all(idList(ids)) as (Pick<
    ClassifiedTorrent,
    'id' | 'infoHash' | 'name' | 'category' | 'imdbId' | 'tmdbId' | 'tvdbId'
  > & {
    parsed: string
    parseInput: string
  })[]
  return rows.map((r) => {
    const { parsed, parseInput: _, ...t } = r
    return classifyParsed(t, JSON.parse(parsed) as ParsedRelease)
  })
}

/**
 * Mark torrents as grouped with their current parse and metadata (`metaSig`: which providers and
 * datasets the grouping saw; when it changes, every group is evaluated again, once).
 */
export function markGrouped(db: Db, ids: readonly number[], metaSig = ''): void {
  db.$client
    .prepare("UPDATE torrents SET grouped_input = parse_input || '#' || ? WHERE id IN (SELECT value FROM json_each(?))")
    .run(metaSig, idList(ids))
}

/** Which metadata the grouping sees: the providers, and the IMDb datasets' import (its last rowid). */
export function metadataSignature(db: Db, providers: readonly string[]): string {
  const imdb = providers.includes('imdb')
    ? (db.$client.prepare('SELECT max(rowid) FROM imdb_titles').pluck().get() as number | null)
    : null
  return providers.map((p) => (p === 'imdb' ? `imdb@${imdb ?? 0}` : p)).join(',')
}

/**
 * Links of `ids` to media of another kind than `kind` are about to move: the torrents left on those
 * media are marked for regrouping by that kind's compute.
 */
export function releaseOtherKind(db: Db, kind: MediaKind, ids: readonly number[]): void {
  db.$client
    .prepare(
      `UPDATE torrents SET grouped_input = NULL WHERE id IN (
         SELECT tm2.torrent_id FROM torrent_media tm
         CROSS JOIN media m ON m.id = tm.media_id AND m.kind != ?
         CROSS JOIN torrent_media tm2 ON tm2.media_id = tm.media_id
         WHERE tm.torrent_id IN (SELECT value FROM json_each(?)))`,
    )
    .run(kind, idList(ids))
}

/** Remove the links of `ids` to media of `kind` (torrents that are junk now, or left the kind). */
export function unlink(db: Db, kind: MediaKind, ids: readonly number[]): void {
  if (ids.length === 0) return
  db.$client
    .prepare(
      `DELETE FROM torrent_media WHERE torrent_id IN (SELECT value FROM json_each(?))
         AND EXISTS (SELECT 1 FROM media m WHERE m.id = torrent_media.media_id AND m.kind = ?)`,
    )
    .run(idList(ids), kind)
}

/**
 * The groups that are exactly what is stored: no changed torrent in them, and all their torrents,
 * and no others, linked to one media holding the group's key. Writing them again would change nothing (same torrents, same
 * parses, same metadata), so a compute skips them: a component regrouped for one new torrent costs
 * only the groups that torrent touches.
 */
export function unchangedGroups(
  db: Db,
  groups: readonly { key: string; torrents: readonly { id: number }[] }[],
  seedIds: Set<number> | null,
): Set<number> {
  const out = new Set<number>()
  if (seedIds === null) return out
  const ids = groups.flatMap((g) => g.torrents.map((t) => t.id))
  const c = db.$client
  const linkOf = new Map<number, number>()
  for (const [t, m] of c
    .prepare('SELECT torrent_id, media_id FROM torrent_media WHERE torrent_id IN (SELECT value FROM json_each(?))')
    .raw()
    .all(idList(ids)) as [number, number][])
    linkOf.set(t, m)
  const mediaIds = [...new Set(linkOf.values())]
  const size = new Map<number, number>()
  const keyOf = new Map<number, string>()
  for (const [m, n, key] of c
    .prepare(
      `SELECT tm.media_id, count(*), m.key FROM torrent_media tm CROSS JOIN media m ON m.id = tm.media_id
       WHERE tm.media_id IN (SELECT value FROM json_each(?)) GROUP BY tm.media_id`,
    )
    .raw()
    .all(idList(mediaIds)) as [number, number, string][]) {
    size.set(m, n)
    keyOf.set(m, key)
  }
  groups.forEach((g, i) => {
    const first = g.torrents[0]
    if (!first) return
    const m = linkOf.get(first.id)
    if (m === undefined || size.get(m) !== g.torrents.length || keyOf.get(m) !== g.key) return
    if (g.torrents.every((t) => !seedIds.has(t.id) && linkOf.get(t.id) === m)) out.add(i)
  })
  return out
}
