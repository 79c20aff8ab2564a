/**
 * Titles → IMDb ids from the imported datasets (`imdb_titles` + `imdb_akas`), for the grouping:
 * two releases named after different titles of one film ("Shichinin no samurai", "Les Sept
 * Samouraïs", "Seven Samurai") resolve to one tconst and so land in one group.
 *
 * `imdbResolver(db)` answers (normalised title, year, kind) with the tconst whose primary, original
 * or alternative title normalises to it, of the kind asked (movie: movie, tvMovie; series: tvSeries,
 * tvMiniSeries), and whose start year matches:
 * - a movie: start year within ±1 of the year; with no year, any start year;
 * - a series: start year equal to the year; with no year, any start year;
 * and null when no title matches or when several do (ambiguous), except that
 * - one candidate overwhelmingly the known one wins: at least DOMINANT_VOTES votes and
 *   DOMINANT_RATIO times the votes of every other (the datasets hold many obscure namesakes of
 *   every well-known film);
 * - else a title's own name beats another's localised one: a single candidate by primary or
 *   original title wins over candidates by aka only.
 *
 * Bounded memory: one prepared statement (indexed look-ups on norm_title), an LRU cache of the last
 * CACHE_SIZE answers; nothing is read into memory ahead of time.
 */
import type { Db } from '../db/client.ts'
import type { ResolveId } from './grouping.ts'
import { ensureAkasIndex } from './imdb.ts'
import { IMDB_MOVIE_TYPES, IMDB_SERIES_TYPES } from './metadata.ts'

export type { ResolveId } from './grouping.ts'

export const CACHE_SIZE = 10_000
/** Candidates read per title at most (a very common title: "love", "home"). */
const MAX_CANDIDATES = 500
const DOMINANT_VOTES = 1000
const DOMINANT_RATIO = 20

interface Candidate {
  tconst: string
  type: string
  start_year: number | null
  votes: number | null
  /** 1: by primary or original title; 2: by an alternative title only. */
  tier: number
}

/** A small LRU map (insertion order of a Map; a hit moves the entry to the end). */
export class Lru<K, V> {
  private readonly map = new Map<K, V>()
  constructor(private readonly size: number) {}
  get(k: K): V | undefined {
    const v = this.map.get(k)
    if (v !== undefined) {
      this.map.delete(k)
      this.map.set(k, v)
    }
    return v
  }
  has(k: K): boolean {
    return this.map.has(k)
  }
  set(k: K, v: V): void {
    this.map.delete(k)
    this.map.set(k, v)
    if (this.map.size > this.size) {
      const oldest = this.map.keys().next()
      if (!oldest.done) this.map.delete(oldest.value)
    }
  }
  get length(): number {
    return this.map.size
  }
}

/** The one candidate to trust among several (see the module comment), else null. */
export function pickCandidate(
  cands: readonly (Pick<Candidate, 'tconst' | 'votes'> & { tier?: number })[],
): string | null {
  if (cands.length === 0) return null
  if (cands.length === 1) return cands[0]?.tconst ?? null
  const sorted = [...cands].sort((a, b) => (b.votes ?? 0) - (a.votes ?? 0))
  const top = sorted[0]
  const second = sorted[1]
  if (!top || !second) return null
  const tv = top.votes ?? 0
  if (tv >= DOMINANT_VOTES && tv >= DOMINANT_RATIO * (second.votes ?? 0)) return top.tconst
  const own = cands.filter((c) => (c.tier ?? 1) === 1)
  return own.length === 1 && own.length < cands.length ? (own[0]?.tconst ?? null) : null
}

/** The resolver over the imported datasets; a database without them answers null to everything. */
export function imdbResolver(db: Db, cacheSize = CACHE_SIZE): ResolveId {
  const c = db.$client
  ensureAkasIndex(db) // an import cut short leaves it dropped
  // The three ways a title is known, each an indexed look-up.
  const stmt = c.prepare(
    `SELECT tconst, type, start_year, votes, 1 AS tier FROM imdb_titles WHERE norm_title = @norm
     UNION
     SELECT tconst, type, start_year, votes, 1 AS tier FROM imdb_titles WHERE norm_original = @norm
     UNION
     SELECT t.tconst, t.type, t.start_year, t.votes, 2 AS tier
       FROM imdb_akas a JOIN imdb_titles t ON t.tconst = a.tconst WHERE a.norm_title = @norm
     LIMIT ${MAX_CANDIDATES}`,
  )
  const movieTypes = new Set<string>(IMDB_MOVIE_TYPES)
  const seriesTypes = new Set<string>(IMDB_SERIES_TYPES)
  const cache = new Lru<string, string | null>(cacheSize)
  return (normTitle, year, kind) => {
    if (!normTitle) return null
    const key = `${kind}\u0000${year ?? ''}\u0000${normTitle}`
    const hit = cache.get(key)
    if (hit !== undefined) return hit
    const types = kind === 'movie' ? movieTypes : seriesTypes
    const slack = kind === 'movie' ? 1 : 0
    // One entry per title, at its best tier (a title can be found by its name and by an aka).
    const byId = new Map<string, Candidate>()
    for (const r of stmt.all({ norm: normTitle }) as Candidate[]) {
      if (!types.has(r.type)) continue
      if (year !== null && (r.start_year === null || Math.abs(r.start_year - year) > slack)) continue
      const prev = byId.get(r.tconst)
      if (!prev || r.tier < prev.tier) byId.set(r.tconst, r)
    }
    const id = pickCandidate([...byId.values()])
    cache.set(key, id)
    return id
  }
}
