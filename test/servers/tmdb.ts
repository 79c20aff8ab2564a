/**
 * A fixture TMDB API on 127.0.0.1 (port 0) for tests and the demo: the few v3 endpoints the
 * group stage uses, over an in-memory catalogue.
 *
 *   GET /3/find/{id}?external_source=imdb_id|tvdb_id   → { movie_results, tv_results }
 *   GET /3/search/movie?query=&year=                     → { results }
 *   GET /3/search/tv?query=&first_air_date_year=         → { results }
 *   GET /3/movie/{id}, /3/tv/{id} (append_to_response=external_ids,alternative_titles honoured)
 *   GET /3/movie/{id}/alternative_titles → { id, titles: [{ iso_3166_1, title, type }] }
 *   GET /3/tv/{id}/alternative_titles    → { id, results: [{ iso_3166_1, title, type }] }
 *
 * Searches match the title, the original title and the alternative titles, as TMDB's do.
 *
 * Auth as TMDB does it: `api_key` query parameter or `Authorization: Bearer`; anything else → 401.
 * `mode` switches failures on for every request ('401', '500', 'down' = connection reset), and
 * `rateLimitNext(n, retryAfter)` answers the next n requests with 429 + Retry-After. Every request
 * is recorded (path and query, the key removed) in `requests`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface FixtureMovie {
  id: number
  title: string
  original_title?: string
  original_language?: string
  release_date?: string
  imdb_id?: string
  genres?: string[]
  vote_average?: number
  vote_count?: number
  poster_path?: string
  overview?: string
  /** Alternative titles: [country, title] or a title (country "US"). */
  alternative_titles?: (string | [string, string])[]
}

export interface FixtureShow {
  id: number
  name: string
  original_name?: string
  original_language?: string
  first_air_date?: string
  imdb_id?: string
  tvdb_id?: number
  genres?: string[]
  vote_average?: number
  vote_count?: number
  poster_path?: string
  overview?: string
  alternative_titles?: (string | [string, string])[]
}

export type TmdbMode = 'ok' | '401' | '500' | 'down'

export interface TmdbFixture {
  /** Base URL to put in `[tmdb] base_url`, e.g. http://127.0.0.1:PORT/3 */
  baseUrl: string
  apiKey: string
  requests: string[]
  mode: TmdbMode
  rateLimitNext(n: number, retryAfterSeconds?: number): void
  close(): Promise<void>
}

const fold = (s: string) =>
  s
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()

export async function startTmdbFixture(opts: {
  movies?: FixtureMovie[]
  shows?: FixtureShow[]
  apiKey?: string
}): Promise<TmdbFixture> {
  const movies = opts.movies ?? []
  const shows = opts.shows ?? []
  const apiKey = opts.apiKey ?? 'fixture-key-0123456789abcdef'
  let limited = 0
  let retryAfter = 0
  const fixture: TmdbFixture = {
    baseUrl: '',
    apiKey,
    requests: [],
    mode: 'ok',
    rateLimitNext(n, s = 0) {
      limited = n
      retryAfter = s
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  }

  const altTitles = (x: FixtureMovie | FixtureShow) =>
    (x.alternative_titles ?? []).map((a) =>
      typeof a === 'string' ? { iso_3166_1: 'US', title: a, type: '' } : { iso_3166_1: a[0], title: a[1], type: '' },
    )
  const movieJson = (m: FixtureMovie, full: boolean, ext: boolean, alt = false) => ({
    id: m.id,
    title: m.title,
    original_title: m.original_title ?? m.title,
    original_language: m.original_language ?? 'en',
    release_date: m.release_date ?? '',
    poster_path: m.poster_path ?? null,
    overview: m.overview ?? '',
    vote_average: m.vote_average ?? 0,
    vote_count: m.vote_count ?? 0,
    ...(full
      ? { imdb_id: m.imdb_id ?? null, genres: (m.genres ?? []).map((name, i) => ({ id: i + 1, name })) }
      : { genre_ids: [] }),
    ...(ext ? { external_ids: { imdb_id: m.imdb_id ?? null } } : {}),
    ...(alt ? { alternative_titles: { titles: altTitles(m) } } : {}),
  })
  const showJson = (s: FixtureShow, full: boolean, ext: boolean, alt = false) => ({
    id: s.id,
    name: s.name,
    original_name: s.original_name ?? s.name,
    original_language: s.original_language ?? 'en',
    first_air_date: s.first_air_date ?? '',
    poster_path: s.poster_path ?? null,
    overview: s.overview ?? '',
    vote_average: s.vote_average ?? 0,
    vote_count: s.vote_count ?? 0,
    ...(full ? { genres: (s.genres ?? []).map((name, i) => ({ id: i + 1, name })) } : { genre_ids: [] }),
    ...(ext ? { external_ids: { imdb_id: s.imdb_id ?? null, tvdb_id: s.tvdb_id ?? null } } : {}),
    ...(alt ? { alternative_titles: { results: altTitles(s) } } : {}),
  })

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json;charset=utf-8', ...headers }).end(JSON.stringify(body))
  }
  const notFound = (res: ServerResponse) =>
    send(res, 404, {
      success: false,
      status_code: 34,
      status_message: 'The resource you requested could not be found.',
    })

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const key = url.searchParams.get('api_key')
    url.searchParams.delete('api_key')
    fixture.requests.push(url.pathname + url.search)
    if (fixture.mode === 'down') {
      req.socket.destroy()
      return
    }
    if (limited > 0) {
      limited--
      send(
        res,
        429,
        { status_code: 25, status_message: 'Your request count is over the allowed limit.' },
        {
          'retry-after': String(retryAfter),
        },
      )
      return
    }
    if (fixture.mode === '500') return send(res, 500, { status_code: 11, status_message: 'Internal error' })
    const bearer = req.headers.authorization === `Bearer ${apiKey}`
    if (fixture.mode === '401' || (key !== apiKey && !bearer)) {
      return send(res, 401, {
        success: false,
        status_code: 7,
        status_message: 'Invalid API key: You must be granted a valid key.',
      })
    }
    const append = (url.searchParams.get('append_to_response') ?? '').split(',')
    const ext = append.includes('external_ids')
    const alt = append.includes('alternative_titles')
    const parts = url.pathname.replace(/^\/3\/?/, '').split('/')
    const [a, b, c] = parts
    const names = (x: FixtureMovie | FixtureShow) => [
      'title' in x ? x.title : x.name,
      ('title' in x ? x.original_title : x.original_name) ?? '',
      ...altTitles(x).map((t) => t.title),
    ]
    if (a === 'find' && b) {
      const src = url.searchParams.get('external_source')
      const id = decodeURIComponent(b)
      const m = src === 'imdb_id' ? movies.filter((x) => x.imdb_id === id) : []
      const s =
        src === 'imdb_id'
          ? shows.filter((x) => x.imdb_id === id)
          : src === 'tvdb_id'
            ? shows.filter((x) => String(x.tvdb_id) === id)
            : []
      return send(res, 200, {
        movie_results: m.map((x) => movieJson(x, false, false)),
        tv_results: s.map((x) => showJson(x, false, false)),
      })
    }
    if (a === 'search' && (b === 'movie' || b === 'tv')) {
      const q = fold(url.searchParams.get('query') ?? '')
      if (!q) return send(res, 200, { page: 1, results: [], total_results: 0 })
      const year = url.searchParams.get(b === 'movie' ? 'year' : 'first_air_date_year')
      const results =
        b === 'movie'
          ? movies
              .filter((m) => names(m).some((t) => fold(t).includes(q)))
              .filter((m) => !year || (m.release_date ?? '').startsWith(year))
              .map((m) => movieJson(m, false, false))
          : shows
              .filter((s) => names(s).some((t) => fold(t).includes(q)))
              .filter((s) => !year || (s.first_air_date ?? '').startsWith(year))
              .map((s) => showJson(s, false, false))
      return send(res, 200, { page: 1, results, total_results: results.length })
    }
    if ((a === 'movie' || a === 'tv') && b && /^\d+$/.test(b) && (c === undefined || c === 'alternative_titles')) {
      const id = Number(b)
      const x = a === 'movie' ? movies.find((m) => m.id === id) : shows.find((s) => s.id === id)
      if (!x) return notFound(res)
      if (c === 'alternative_titles')
        return send(res, 200, a === 'movie' ? { id, titles: altTitles(x) } : { id, results: altTitles(x) })
      return a === 'movie'
        ? send(res, 200, movieJson(x as FixtureMovie, true, ext, alt))
        : send(res, 200, showJson(x as FixtureShow, true, ext, alt))
    }
    return notFound(res)
  }

  const server = createServer(handle)
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  fixture.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/3`
  return fixture
}
