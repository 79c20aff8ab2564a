/**
 * Metadata providers, tried in order, each optional:
 *   1. ids carried by the Torznab feed (already on the group: they pick the look-up below);
 *   2. TMDB, when `[tmdb] apikey` is set: find by IMDb/TVDB id, details by TMDB id, else search by
 *      title (+ year) — title, original title, alternative titles, language, year, poster,
 *      genres, rating, overview, and the IMDb/TVDB ids. The details call appends external_ids and
 *      alternative_titles (one request per title): a search result whose title and original title
 *      differ from the release's is taken when one of its alternative titles is the release's
 *      ("Les Sept Samouraïs" → Seven Samurai), or by year as before;
 *   3. the IMDb datasets imported offline (`movies import-imdb`): by tconst, else by normalised
 *      title and year ±1 — primary title, then original title, then the alternative titles of
 *      title.akas (the most voted title wins).
 *
 * Every answer, hit or miss, is cached in `metadata_cache` (provider, query) so a title costs at most
 * one look-up ever. A provider failure (TMDB down, 401, 429 past the retry budget) is NOT cached:
 * the provider is switched off for the rest of the run, which is said once in the log, and the
 * next provider is asked. The API key goes in the query string (v3 key) or an Authorization header
 * (v4 token); it is a registered secret, so no log line can show it.
 */
import { and, asc, between, desc, eq, inArray, sql } from 'drizzle-orm'
import { imdbAkas, imdbTitles, type MediaKind, metadataCache } from '../../schema/tables.ts'
import type { Config } from '../config/schema.ts'
import { errorMessage } from '../core/errors.ts'
import { type HttpPolicy, httpGet } from '../core/http.ts'
import { redact, registerSecret } from '../core/log.ts'
import type { Db } from '../db/client.ts'
import { normaliseTitle } from './parse.ts'

export interface MediaMeta {
  source: 'tmdb' | 'imdb'
  title?: string
  originalTitle?: string
  year?: number
  language?: string
  imdbId?: string
  tmdbId?: number
  tvdbId?: number
  posterUrl?: string
  genres?: string[]
  rating?: number
  votes?: number
  overview?: string
  /**
   * The other known titles, normalised (normaliseTitle), the title's own left out: TMDB's original
   * title and alternative titles. Groups whose title is one of them are the same media.
   */
  aliases?: string[]
}

/** What a provider is asked: a group's ids (from the feed) and its parsed title. */
export interface LookupQuery {
  kind: MediaKind
  /** Display title (the most frequent parsed title of the group's torrents). */
  title: string
  norm: string
  /** Alternative title ("AKA", the most frequent one), searched when the title finds nothing. */
  aka?: string
  year?: number
  imdbId?: string
  tmdbId?: number
  tvdbId?: number
}

/** null: looked up, nothing found (cached). undefined: the provider could not answer (not cached). */
export type LookupAnswer = MediaMeta | null | undefined

export interface Provider {
  readonly name: 'tmdb' | 'imdb'
  /** The cache key of this query for this provider. */
  cacheKey(q: LookupQuery): string
  lookup(q: LookupQuery): Promise<LookupAnswer>
}

export interface LookupStats {
  cacheHits: number
  lookups: Record<string, number>
  found: Record<string, number>
  failures: string[]
}

/** Ask providers in order through the cache; the first hit wins. */
export class MetadataResolver {
  readonly stats: LookupStats = { cacheHits: 0, lookups: {}, found: {}, failures: [] }
  constructor(
    private readonly db: Db,
    private readonly providers: Provider[],
    private readonly now: number,
  ) {}

  async resolve(q: LookupQuery): Promise<MediaMeta | null> {
    for (const p of this.providers) {
      const key = p.cacheKey(q)
      const cached = this.db
        .select({ result: metadataCache.result })
        .from(metadataCache)
        .where(and(eq(metadataCache.provider, p.name), eq(metadataCache.query, key)))
        .get()
      let answer: LookupAnswer
      if (cached) {
        this.stats.cacheHits++
        answer = (cached.result as MediaMeta | null) ?? null
      } else {
        this.stats.lookups[p.name] = (this.stats.lookups[p.name] ?? 0) + 1
        answer = await p.lookup(q)
        if (answer !== undefined) {
          this.db
            .insert(metadataCache)
            .values({ provider: p.name, query: key, result: answer, fetchedAt: this.now })
            .onConflictDoUpdate({
              target: [metadataCache.provider, metadataCache.query],
              set: { result: answer, fetchedAt: this.now },
            })
            .run()
        }
      }
      if (answer) {
        this.stats.found[p.name] = (this.stats.found[p.name] ?? 0) + 1
        return answer
      }
    }
    return null
  }
}

const yearOf = (date: unknown): number | undefined => {
  const m = typeof date === 'string' ? /^(\d{4})/.exec(date) : null
  return m?.[1] ? Number(m[1]) : undefined
}
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined)
const posInt = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : undefined

type Json = Record<string, unknown>

/** TMDB API v3 (https://developer.themoviedb.org/reference). */
export class TmdbProvider implements Provider {
  readonly name = 'tmdb' as const
  private disabled = false
  private readonly bearer: boolean

  constructor(
    private readonly cfg: Config['tmdb'],
    private readonly policy: HttpPolicy,
    /** Called once when TMDB is switched off for the run (the step reports it). */
    private readonly onFailure: (message: string) => void = () => {},
  ) {
    registerSecret(cfg.apikey)
    // v4 "read access tokens" are JWTs (long, dotted); v3 keys are 32 hex characters.
    this.bearer = (cfg.apikey ?? '').length > 40 && (cfg.apikey ?? '').includes('.')
  }

  cacheKey(q: LookupQuery): string {
    const t = q.kind === 'movie' ? 'movie' : 'tv'
    if (q.imdbId) return `${t}:imdb:${q.imdbId}:${this.cfg.language}`
    if (q.tmdbId) return `${t}:tmdb:${q.tmdbId}:${this.cfg.language}`
    if (q.tvdbId) return `${t}:tvdb:${q.tvdbId}:${this.cfg.language}`
    return `${t}:search:${q.norm}:${q.year ?? ''}:${this.cfg.language}`
  }

  /** Switch TMDB off for this run and say so once. */
  private giveUp(why: string): undefined {
    if (!this.disabled) {
      this.disabled = true
      this.onFailure(redact(`TMDB: ${why}; going on without TMDB for this run`))
    }
    return undefined
  }

  /** GET a TMDB path: JSON, null on 404, undefined when TMDB cannot answer (then switched off). */
  private async get(
    path: string,
    params: Record<string, string | number | undefined>,
  ): Promise<Json | null | undefined> {
    if (this.disabled) return undefined
    const url = new URL(this.cfg.base_url.replace(/\/+$/, '') + path)
    for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') url.searchParams.set(k, String(v))
    url.searchParams.set('language', this.cfg.language)
    const headers: Record<string, string> = { accept: 'application/json' }
    if (this.bearer) headers.authorization = `Bearer ${this.cfg.apikey}`
    else url.searchParams.set('api_key', this.cfg.apikey ?? '')
    let res: Response
    try {
      res = await httpGet(url.toString(), this.policy, { headers, what: `TMDB ${path}` })
    } catch (err) {
      return this.giveUp(`unreachable (${errorMessage(err)})`)
    }
    if (res.status === 401) {
      await res.body?.cancel()
      return this.giveUp('the API key was refused (HTTP 401); check [tmdb] apikey')
    }
    if (res.status === 404 || res.status === 400 || res.status === 422) {
      // Not found, or a query TMDB will not take (an odd title): a miss for this title only.
      await res.body?.cancel()
      return null
    }
    if (!res.ok) {
      await res.body?.cancel()
      return this.giveUp(`HTTP ${res.status} on ${path}`)
    }
    try {
      return (await res.json()) as Json
    } catch (err) {
      return this.giveUp(`unreadable answer on ${path} (${errorMessage(err)})`)
    }
  }

  async lookup(q: LookupQuery): Promise<LookupAnswer> {
    if (this.disabled) return undefined
    const t = q.kind === 'movie' ? 'movie' : 'tv'
    let id: number | undefined = q.tmdbId
    if (!id && (q.imdbId || q.tvdbId)) {
      const found = await this.get(`/find/${q.imdbId ?? q.tvdbId}`, {
        external_source: q.imdbId ? 'imdb_id' : 'tvdb_id',
      })
      if (found === undefined) return undefined
      const list = found?.[t === 'movie' ? 'movie_results' : 'tv_results']
      id = Array.isArray(list) ? posInt((list[0] as Json | undefined)?.id) : undefined
    }
    if (!id && !q.imdbId && !q.tmdbId && !q.tvdbId) {
      for (const title of q.aka ? [q.title, q.aka] : [q.title]) {
        const norm = normaliseTitle(title)
        const search = await this.get(`/search/${t}`, {
          query: title,
          [t === 'movie' ? 'year' : 'first_air_date_year']: q.year,
        })
        if (search === undefined) return undefined
        const results = Array.isArray(search?.results) ? (search.results as Json[]) : []
        id = pickSearchResult({ ...q, norm }, results)
        if (id) break
        // No title matches: the first result (of the right year) may be known by this title.
        const cand = results.find((r) => yearWithin(q.year, yearOf(r.release_date ?? r.first_air_date)))
        const candId = posInt(cand?.id)
        if (!candId) continue
        const d = await this.details(t, candId)
        if (d === undefined) return undefined
        if (d && alternativeTitles(t, d).some((x) => normaliseTitle(x) === norm)) return this.toMeta(t, d)
      }
    }
    if (!id) return null
    const d = await this.details(t, id)
    if (d === undefined) return undefined
    if (d === null) return null
    return this.toMeta(t, d)
  }

  /** Details with the external ids and the alternative titles: one request. */
  private details(t: 'movie' | 'tv', id: number): Promise<Json | null | undefined> {
    return this.get(`/${t}/${id}`, { append_to_response: 'external_ids,alternative_titles' })
  }

  private toMeta(t: 'movie' | 'tv', d: Json): MediaMeta {
    const ext = (d.external_ids ?? {}) as Json
    const poster = str(d.poster_path)
    const genres = Array.isArray(d.genres)
      ? (d.genres as Json[]).map((g) => str(g.name)).filter((g): g is string => !!g)
      : undefined
    const meta: MediaMeta = {
      source: 'tmdb',
      title: str(t === 'movie' ? d.title : d.name),
      originalTitle: str(t === 'movie' ? d.original_title : d.original_name),
      year: yearOf(t === 'movie' ? d.release_date : d.first_air_date),
      language: str(d.original_language),
      tmdbId: posInt(d.id),
      imdbId: str(d.imdb_id) ?? str(ext.imdb_id),
      tvdbId: posInt(ext.tvdb_id),
      posterUrl: poster ? `${this.cfg.image_base_url.replace(/\/+$/, '')}/${poster.replace(/^\/+/, '')}` : undefined,
      genres,
      rating: typeof d.vote_average === 'number' && d.vote_count ? d.vote_average : undefined,
      votes: typeof d.vote_count === 'number' ? d.vote_count : undefined,
      overview: str(d.overview),
    }
    const own = meta.title ? normaliseTitle(meta.title) : ''
    const aliases = [
      ...new Set(
        [meta.originalTitle ?? '', ...alternativeTitles(t, d)].map(normaliseTitle).filter((x) => x && x !== own),
      ),
    ]
    if (aliases.length) meta.aliases = aliases
    return dropUndefined(meta)
  }
}

const yearWithin = (want: number | undefined, got: number | undefined) =>
  want === undefined || got === undefined || Math.abs(got - want) <= 1

/**
 * The alternative titles of a TMDB details answer with `append_to_response=alternative_titles`:
 * `alternative_titles.titles[].title` for a movie, `alternative_titles.results[].title` for a show
 * (the shapes of GET /3/movie/{id}/alternative_titles and /3/tv/{id}/alternative_titles).
 */
export function alternativeTitles(t: 'movie' | 'tv', d: Json): string[] {
  const box = (d.alternative_titles ?? {}) as Json
  const list = box[t === 'movie' ? 'titles' : 'results'] ?? box.titles ?? box.results
  if (!Array.isArray(list)) return []
  return (list as Json[]).map((x) => str(x?.title)).filter((x): x is string => !!x)
}

/**
 * The search result to trust: the first whose title or original title normalises to the query's;
 * else, for a query with a year, the first result released within a year of it.
 */
export function pickSearchResult(q: LookupQuery, results: Json[]): number | undefined {
  const yearOk = (r: Json) => {
    const y = yearOf(r.release_date ?? r.first_air_date)
    return q.year === undefined || y === undefined || Math.abs(y - q.year) <= 1
  }
  const titles = (r: Json) =>
    [r.title, r.name, r.original_title, r.original_name].map(str).filter((x): x is string => !!x)
  const exact = results.find((r) => yearOk(r) && titles(r).some((x) => normaliseTitle(x) === q.norm))
  if (exact) return posInt(exact.id)
  if (q.year !== undefined) {
    const first = results[0]
    if (first && yearOk(first) && yearOf(first.release_date ?? first.first_air_date) !== undefined)
      return posInt(first.id)
  }
  return undefined
}

function dropUndefined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k]
  return o
}

export const IMDB_MOVIE_TYPES = ['movie', 'tvMovie'] as const
export const IMDB_SERIES_TYPES = ['tvSeries', 'tvMiniSeries'] as const

/** The IMDb datasets imported into `imdb_titles`. */
export class ImdbProvider implements Provider {
  readonly name = 'imdb' as const
  constructor(private readonly db: Db) {}

  /** True when a dataset has been imported (else the provider is skipped). */
  static available(db: Db): boolean {
    return db.select({ tconst: imdbTitles.tconst }).from(imdbTitles).limit(1).get() !== undefined
  }

  cacheKey(q: LookupQuery): string {
    const t = q.kind === 'movie' ? 'movie' : 'tv'
    if (q.imdbId) return `${t}:imdb:${q.imdbId}`
    return `${t}:title:${q.norm}:${q.year ?? ''}`
  }

  async lookup(q: LookupQuery): Promise<LookupAnswer> {
    const types = q.kind === 'movie' ? IMDB_MOVIE_TYPES : IMDB_SERIES_TYPES
    let row: ImdbRow | undefined
    if (q.imdbId) {
      row = this.db.select().from(imdbTitles).where(eq(imdbTitles.tconst, q.imdbId)).get()
    } else {
      for (const norm of [q.norm, q.aka ? normaliseTitle(q.aka) : '']) {
        if (norm && !row) row = this.byTitle(norm, q.year, types)
      }
    }
    if (!row) return null
    return dropUndefined<MediaMeta>({
      source: 'imdb',
      imdbId: row.tconst,
      title: row.primaryTitle,
      originalTitle: row.originalTitle ?? undefined,
      year: row.startYear ?? undefined,
      genres: row.genres ? row.genres.split(',').filter(Boolean) : undefined,
      rating: row.rating ?? undefined,
      votes: row.votes ?? undefined,
    })
  }

  /** The most voted title of these types with this normalised title (and a start year within ±1). */
  private byTitle(norm: string, year: number | undefined, types: readonly string[]): ImdbRow | undefined {
    // The primary title first, then the original one (a release named after its original title).
    for (const column of [imdbTitles.normTitle, imdbTitles.normOriginal]) {
      const where = [eq(column, norm), inArray(imdbTitles.type, [...types])]
      if (year !== undefined) where.push(between(imdbTitles.startYear, year - 1, year + 1))
      const row = this.db
        .select()
        .from(imdbTitles)
        .where(and(...where))
        .orderBy(desc(sql`COALESCE(${imdbTitles.votes}, 0)`), asc(imdbTitles.tconst))
        .limit(1)
        .get()
      if (row) return row
    }
    // Then the other known titles (title.akas: "Les Sept Samouraïs" for Seven Samurai).
    const where = [eq(imdbAkas.normTitle, norm), inArray(imdbTitles.type, [...types])]
    if (year !== undefined) where.push(between(imdbTitles.startYear, year - 1, year + 1))
    const aka = this.db
      .select({ t: imdbTitles })
      .from(imdbAkas)
      .innerJoin(imdbTitles, eq(imdbTitles.tconst, imdbAkas.tconst))
      .where(and(...where))
      .orderBy(desc(sql`COALESCE(${imdbTitles.votes}, 0)`), asc(imdbTitles.tconst))
      .limit(1)
      .get()
    return aka?.t
  }
}

type ImdbRow = typeof imdbTitles.$inferSelect
