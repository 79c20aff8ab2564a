/**
 * TMDB's original and alternative titles: one details request per title (external_ids and
 * alternative_titles appended), cached like every look-up; feed-carried ids still win.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type Context, httpPolicy } from '../../pipeline/context.ts'
import { mediaCompute } from '../../pipeline/group/command.ts'
import { alternativeTitles, TmdbProvider } from '../../pipeline/group/metadata.ts'
import { contextsPerTest } from '../helpers/config.ts'
import { startTmdbFixture, type TmdbFixture } from '../servers/tmdb.ts'
import { capture, seedTrendRun } from './helpers.ts'

let tmdb: TmdbFixture
beforeAll(async () => {
  tmdb = await startTmdbFixture({
    apiKey: 'tmdb-key-alt-titles-77a1',
    movies: [
      {
        id: 346,
        title: 'Seven Samurai',
        original_title: '七人の侍',
        original_language: 'ja',
        release_date: '1954-04-26',
        imdb_id: 'tt0047478',
        alternative_titles: [
          ['FR', 'Les Sept Samouraïs'],
          ['JP', 'Shichinin no samurai'],
          ['DE', 'Die sieben Samurai'],
        ],
      },
      { id: 9001, title: 'Samurai Cop', release_date: '1991-01-01', imdb_id: 'tt0130236' },
    ],
    shows: [
      {
        id: 71446,
        name: 'Money Heist',
        original_name: 'La casa de papel',
        original_language: 'es',
        first_air_date: '2017-05-02',
        imdb_id: 'tt6468322',
        alternative_titles: [
          ['DE', 'Haus des Geldes'],
          ['FR', 'La Casa de Papel'],
        ],
      },
    ],
  })
})
afterAll(() => tmdb.close())
afterEach(() => {
  tmdb.requests.length = 0
})

const context = contextsPerTest()
const ini = () => `[tmdb]\napikey = ${tmdb.apiKey}\nbase_url = ${tmdb.baseUrl}\n[retry]\ntries = 2\ndelay = 0.01\n`
const setup = () => context({ ini: ini() })
const provider = (ctx: Context) => new TmdbProvider(ctx.config().tmdb, httpPolicy(ctx.config()))

describe('TMDB alternative titles', () => {
  it('the fixture serves both endpoints in the real shapes', async () => {
    const key = `api_key=${tmdb.apiKey}`
    const m = await (await fetch(`${tmdb.baseUrl}/movie/346/alternative_titles?${key}`)).json()
    expect(m).toEqual({
      id: 346,
      titles: [
        { iso_3166_1: 'FR', title: 'Les Sept Samouraïs', type: '' },
        { iso_3166_1: 'JP', title: 'Shichinin no samurai', type: '' },
        { iso_3166_1: 'DE', title: 'Die sieben Samurai', type: '' },
      ],
    })
    const s = await (await fetch(`${tmdb.baseUrl}/tv/71446/alternative_titles?${key}`)).json()
    expect(s.results.map((r: { title: string }) => r.title)).toEqual(['Haus des Geldes', 'La Casa de Papel'])
    const d = await (
      await fetch(`${tmdb.baseUrl}/movie/346?${key}&append_to_response=external_ids,alternative_titles`)
    ).json()
    expect(alternativeTitles('movie', d)).toEqual(['Les Sept Samouraïs', 'Shichinin no samurai', 'Die sieben Samurai'])
    expect(alternativeTitles('tv', { alternative_titles: { results: [{ title: 'X' }, {}] } })).toEqual(['X'])
    expect(alternativeTitles('movie', {})).toEqual([])
  })

  it('a release named after a localised title, with no year, is found through the alternative titles', async () => {
    const ctx = setup()
    const p = provider(ctx)
    const m = await p.lookup({ kind: 'movie', title: 'Les Sept Samourais', norm: 'sept samourais' })
    expect(m).toMatchObject({
      source: 'tmdb',
      tmdbId: 346,
      imdbId: 'tt0047478',
      title: 'Seven Samurai',
      originalTitle: '七人の侍',
    })
    expect(m?.aliases).toEqual(['七人の侍', 'sept samourais', 'shichinin no samurai', 'die sieben samurai'])
    // One search, one details request (ids and alternative titles appended).
    expect(tmdb.requests.map((r) => r.split('?')[0])).toEqual(['/3/search/movie', '/3/movie/346'])
    expect(tmdb.requests[1]).toContain('append_to_response=external_ids%2Calternative_titles')
    // A search result known by none of its titles is not taken without a year.
    expect(await p.lookup({ kind: 'movie', title: 'Samurai', norm: 'samurai' })).toBeNull()
    const show = await p.lookup({ kind: 'series', title: 'Haus des Geldes', norm: 'haus des geldes' })
    expect(show).toMatchObject({ tmdbId: 71446, imdbId: 'tt6468322', title: 'Money Heist' })
    expect(show?.aliases).toEqual(['casa de papel', 'haus des geldes'])
  })

  it('movies compute: the film under three titles is one media; a feed id still wins; looked up once each', async () => {
    const ctx = setup()
    seedTrendRun(
      ctx,
      [
        { name: 'Seven.Samurai.1954.1080p.BluRay.x264-AMIABLE', category: 'movies', score: 9 },
        { name: 'Les.Sept.Samourais.FRENCH.DVDRip.XviD', category: 'movies', score: 5 },
        { name: 'Die.Sieben.Samurai.1954.GERMAN.720p.BluRay', category: 'movies', score: 4 },
        // The feed says this one is another title: it stays apart, whatever its name says.
        { name: 'Shichinin.no.Samurai.1954.JAPANESE.REMUX', category: 'movies', imdb: 'tt9999901', score: 3 },
      ],
      1_767_225_600,
    )
    const { result } = await capture(() => mediaCompute(ctx, 'movie'))
    expect(result.ok).toBe(true)
    const rows = ctx
      .db()
      .$client.prepare(
        `SELECT m.key, m.title, m.imdb_id, COUNT(*) AS n FROM media m JOIN torrent_media tm ON tm.media_id = m.id
         GROUP BY m.id ORDER BY m.key`,
      )
      .all()
    expect(rows).toEqual([
      { key: 'imdb:tt0047478', title: 'Seven Samurai', imdb_id: 'tt0047478', n: 3 },
      { key: 'imdb:tt9999901', title: 'Shichinin no Samurai', imdb_id: 'tt9999901', n: 1 },
    ])
    // Cached: a second compute asks TMDB nothing.
    tmdb.requests.length = 0
    await capture(() => mediaCompute(ctx, 'movie'))
    expect(tmdb.requests).toEqual([])
    const cached = ctx
      .db()
      .$client.prepare("SELECT result FROM metadata_cache WHERE provider = 'tmdb' AND query LIKE 'movie:search:sept%'")
      .get() as { result: string }
    expect(JSON.parse(cached.result).aliases).toContain('sept samourais')
  })
})
