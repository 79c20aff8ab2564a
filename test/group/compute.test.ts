import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Context } from '../../pipeline/context.ts'
import { importImdb, type MediaLine, mediaCompute, mediaGet } from '../../pipeline/group/command.ts'
import { testContext } from '../helpers/config.ts'
import { startTmdbFixture, type TmdbFixture } from '../servers/tmdb.ts'
import { capture, hashOf, parasiteLearnsItsId, type SeedTorrent, seedTrendRun, writeImdbDatasets } from './helpers.ts'

const T1 = 1_768_478_400 // 2026-01-15T12:00:00Z
const T2 = T1 + 6 * 3600

const MOVIES: SeedTorrent[] = [
  { name: 'Oppenheimer.2023.1080p.BluRay.DDP5.1.x264-ZQ', category: 'movies', score: 50 },
  { name: 'Oppenheimer.2023.REPACK.1080p.BluRay.DDP5.1.x264-ZQ', category: 'movies', score: 20 },
  { name: 'Oppenheimer (2023) 2160p IMAX WEBRip x265 10bit', category: 'movies', score: 10 },
  {
    name: 'Dune.Part.Two.2024.2160p.WEB-DL.DDP5.1.Atmos.HDR.H.265-FLUX',
    category: 'movies',
    imdb: 'tt15239678',
    score: 40,
  },
  { name: 'Dune.Deuxieme.Partie.2024.FRENCH.1080p.WEB.H264-FW', category: 'movies', imdb: 'tt15239678', score: 30 },
  { name: 'Parasite.2019.1080p.BluRay.x264-FGT', category: 'movies', score: 5 },
  { name: '8f3a1b2c4d5e6f708192a3b4c5d6e7f8091a2b3c', category: 'movies', score: 3 },
  { name: '<script>alert(1)</script><b>Evil</b>.2020.1080p', category: 'movies', score: 2 },
  // Series torrents in the same run: not movies.
  { name: 'The.Boys.S04E01.1080p.AMZN.WEB-DL.DDP5.1.H.264-NTb', category: 'series', score: 60 },
  { name: 'The.Boys.S04.COMPLETE.1080p.AMZN.WEB-DL.DDP5.1.H.264-NTb', category: 'series', score: 15 },
  { name: 'Shogun.2024.S01E01.1080p.WEB.h264-ETHEL', category: 'unknown', score: 25 },
  { name: 'Shogun.S01E02.720p.WEB.h264-ETHEL', category: 'series', score: 12 },
  { name: 'Shogun.2024.S02.COMPLETE.1080p.WEB', category: 'series', score: 4 },
]

let ctxs: (Context & { dirs: { cleanup(): void } })[] = []
afterEach(() => {
  for (const c of ctxs) {
    c.close()
    c.dirs.cleanup()
  }
  ctxs = []
})
function setup(ini = '') {
  const ctx = testContext({ ini })
  ctxs.push(ctx)
  return ctx
}

interface GetJson {
  kind: string
  time: string
  items: MediaLine[]
}
async function getJson(ctx: Context, kind: 'movie' | 'series'): Promise<GetJson> {
  ;(ctx as { json: boolean }).json = true
  const { stdout } = await capture(() => mediaGet(ctx, kind))
  ;(ctx as { json: boolean }).json = false
  return JSON.parse(stdout) as GetJson
}
const summary = (j: GetJson) =>
  j.items.map((i) => ({ rank: i.rank, title: i.title, year: i.year, names: i.releases.map((r) => r.name) }))

describe('movies compute / get (no metadata provider)', () => {
  it('prints the expected movies with the expected torrents, ranked by aggregated score', async () => {
    const ctx = setup()
    seedTrendRun(ctx, MOVIES, T1)
    const { result } = await capture(() => mediaCompute(ctx, 'movie'))
    expect(result.ok).toBe(true)
    expect(result.counts).toMatchObject({ torrents: 8, unparsed: 1, media: 5, links: 8 })
    const j = await getJson(ctx, 'movie')
    expect(j.time).toBe('2026-01-15T12:00:00Z')
    expect(summary(j)).toEqual([
      {
        rank: 1,
        title: 'Oppenheimer',
        year: 2023,
        names: [
          'Oppenheimer.2023.1080p.BluRay.DDP5.1.x264-ZQ',
          'Oppenheimer.2023.REPACK.1080p.BluRay.DDP5.1.x264-ZQ',
          'Oppenheimer (2023) 2160p IMAX WEBRip x265 10bit',
        ],
      },
      {
        rank: 2,
        title: 'Dune Part Two',
        year: 2024,
        names: [
          'Dune.Part.Two.2024.2160p.WEB-DL.DDP5.1.Atmos.HDR.H.265-FLUX',
          'Dune.Deuxieme.Partie.2024.FRENCH.1080p.WEB.H264-FW',
        ],
      },
      { rank: 3, title: 'Parasite', year: 2019, names: ['Parasite.2019.1080p.BluRay.x264-FGT'] },
      {
        rank: 4,
        title: '8f3a1b2c4d5e6f708192a3b4c5d6e7f8091a2b3c',
        year: null,
        names: ['8f3a1b2c4d5e6f708192a3b4c5d6e7f8091a2b3c'],
      },
      { rank: 5, title: 'Evil', year: 2020, names: ['<script>alert(1)</script><b>Evil</b>.2020.1080p'] },
    ])
    // Trending: one of its torrents is in the run's top K (the top 10 here).
    expect(j.items.map((i) => i.trending)).toEqual([true, true, true, false, false])
    // Score: best + a tenth of the others; Dune is keyed by its feed id.
    expect(j.items[0]?.score).toBeCloseTo(53)
    expect(j.items[1]).toMatchObject({ key: 'imdb:tt15239678', imdbId: 'tt15239678', torrents: 2, score: 43 })
    expect(j.items[0]?.key).toBe('title:oppenheimer:2023')
    expect(j.items[3]?.key).toBe(`torrent:${hashOf('8f3a1b2c4d5e6f708192a3b4c5d6e7f8091a2b3c')}`)
    // Release details are stored per torrent as plain data.
    const rel = ctx
      .db()
      .$client.prepare(
        `SELECT tm.release, tm.season FROM torrent_media tm JOIN torrents t ON t.id = tm.torrent_id WHERE t.name LIKE 'Oppenheimer.2023.REPACK%'`,
      )
      .get() as { release: string; season: number | null }
    expect(JSON.parse(rel.release)).toMatchObject({
      resolution: '1080p',
      source: 'BluRay',
      codec: 'x264',
      group: 'ZQ',
      repack: true,
    })
    expect(rel.season).toBeNull()
    // The text output has one line per movie.
    const { stdout } = await capture(() => mediaGet(ctx, 'movie'))
    const lines = stdout.trim().split('\n')
    expect(lines[0]).toBe('trending movies at 2026-01-15T12:00:00Z (engine nowcast): 5')
    expect(lines[1]).toMatch(/^\s+1\s+53\.000\s+3 torrent\(s\)\s+Oppenheimer \(2023\)$/)
    expect(lines[2]).toMatch(/Dune Part Two \(2024\)\s+\[tt15239678\]$/)
    expect(stdout).not.toContain('<script>')
  })

  it('is idempotent, and keeps media ids across trend runs', async () => {
    const ctx = setup()
    seedTrendRun(ctx, MOVIES, T1)
    await capture(() => mediaCompute(ctx, 'movie'))
    const dump = () =>
      ctx.db().$client.prepare('SELECT id, kind, key, title FROM media ORDER BY id').all() as {
        id: number
        key: string
      }[]
    const trends = () => ctx.db().$client.prepare('SELECT * FROM media_trends ORDER BY media_id, time').all()
    const before = dump()
    const trendsBefore = trends()
    await capture(() => mediaCompute(ctx, 'movie'))
    expect(dump()).toEqual(before)
    expect(trends()).toEqual(trendsBefore)
    // A later run: Parasite rises, a yearless Oppenheimer name joins; ids are kept.
    seedTrendRun(
      ctx,
      [
        { name: 'Parasite.2019.1080p.BluRay.x264-FGT', category: 'movies', score: 90 },
        { name: 'Oppenheimer.2023.1080p.BluRay.DDP5.1.x264-ZQ', category: 'movies', score: 30 },
        { name: 'Oppenheimer.1080p.WEB', category: 'movies', score: 1 },
      ],
      T2,
    )
    await capture(() => mediaCompute(ctx, 'movie'))
    const j = await getJson(ctx, 'movie')
    const id = (key: string) => before.find((m) => m.key === key)?.id
    expect(j.items.map((i) => [i.rank, i.id, i.torrents])).toEqual([
      [1, id('title:parasite:2019'), 1],
      [2, id('title:oppenheimer:2023'), 2],
    ])
    const history = ctx
      .db()
      .$client.prepare('SELECT time, rank FROM media_trends WHERE media_id = ? ORDER BY time')
      .all(id('title:parasite:2019'))
    expect(history).toEqual([
      { time: T1, rank: 3 },
      { time: T2, rank: 1 },
    ])
  })

  it("finds last run's row for a yearless name, and for torrents whose id came from a provider now gone", async () => {
    const ctx = setup()
    const files = writeImdbDatasets(
      ctx.dirs.dir,
      [['tt15398776', 'movie', 'OPPENHEIMER', 'Oppenheimer', 2023, 'Drama']], // display title differs
      [],
    )
    await capture(() => importImdb(ctx, [files.basics]))
    seedTrendRun(ctx, MOVIES.slice(0, 3), T1)
    await capture(() => mediaCompute(ctx, 'movie'))
    const first = ctx.db().$client.prepare('SELECT id, key FROM media').all()
    expect(first).toEqual([{ id: expect.any(Number), key: 'imdb:tt15398776' }])
    // The dataset is gone (no provider): the same torrents stay with their row and its id key.
    ctx.db().$client.prepare('DELETE FROM imdb_titles').run()
    ctx.db().$client.prepare('DELETE FROM metadata_cache').run()
    seedTrendRun(ctx, MOVIES.slice(0, 3), T2)
    await capture(() => mediaCompute(ctx, 'movie'))
    expect(ctx.db().$client.prepare('SELECT id, key FROM media').all()).toEqual(first)
    expect(ctx.db().$client.prepare('SELECT title, year, metadata_source FROM media').get()).toEqual({
      title: 'OPPENHEIMER',
      year: 2023,
      metadata_source: 'imdb',
    })
    // Only a yearless name in a later run: still the same row.
    seedTrendRun(ctx, [{ name: 'Oppenheimer.MULTi.1080p.WEB', category: 'movies', score: 3 }], T2 + 3600)
    await capture(() => mediaCompute(ctx, 'movie'))
    const j = await getJson(ctx, 'movie')
    expect(j.items.map((i) => [i.id, i.torrents])).toEqual([[(first[0] as { id: number }).id, 1]])
  })

  it('never merges rows carrying different ids, even when a name-only group matches both', async () => {
    const ctx = setup()
    seedTrendRun(
      ctx,
      [
        { name: 'The.Thing.1982.1080p.BluRay', category: 'movies', imdb: 'tt0084787', score: 5 },
        { name: 'The.Thing.1982.720p.WEB', category: 'movies', imdb: 'tt0000042', score: 4 },
      ],
      T1,
    )
    await capture(() => mediaCompute(ctx, 'movie'))
    seedTrendRun(ctx, [{ name: 'The.Thing.1982.2160p.UHD', category: 'movies', score: 9 }], T2)
    await capture(() => mediaCompute(ctx, 'movie'))
    const rows = ctx.db().$client.prepare('SELECT key FROM media ORDER BY key').all()
    expect(rows).toEqual([{ key: 'imdb:tt0000042' }, { key: 'imdb:tt0084787' }])
    expect((await getJson(ctx, 'movie')).items).toHaveLength(1)
  })

  it('says so and succeeds when there is no trend run yet', async () => {
    const ctx = setup()
    const result = await mediaCompute(ctx, 'movie')
    expect(result.ok).toBe(true)
    expect(ctx.logs.text()).toContain('no trend run of engine "nowcast"')
    const { stdout } = await capture(() => mediaGet(ctx, 'movie'))
    expect(stdout).toContain('no trending movies yet')
  })
})

describe('series compute / get', () => {
  it('groups episodes and packs by show, keeps season/episode per torrent, prints the seasons seen', async () => {
    const ctx = setup()
    seedTrendRun(ctx, MOVIES, T1)
    const { result } = await capture(() => mediaCompute(ctx, 'series'))
    expect(result.counts).toMatchObject({ torrents: 5, media: 2 })
    const j = await getJson(ctx, 'series')
    expect(
      j.items.map((i) => ({
        rank: i.rank,
        title: i.title,
        seasons: i.seasons,
        eps: i.releases.map((r) => [r.name, r.season, r.episode]),
      })),
    ).toEqual([
      {
        rank: 1,
        title: 'The Boys',
        seasons: [4],
        eps: [
          ['The.Boys.S04E01.1080p.AMZN.WEB-DL.DDP5.1.H.264-NTb', 4, 1],
          ['The.Boys.S04.COMPLETE.1080p.AMZN.WEB-DL.DDP5.1.H.264-NTb', 4, null],
        ],
      },
      {
        rank: 2,
        title: 'Shogun',
        seasons: [1, 2],
        eps: [
          ['Shogun.2024.S01E01.1080p.WEB.h264-ETHEL', 1, 1],
          ['Shogun.S01E02.720p.WEB.h264-ETHEL', 1, 2],
          ['Shogun.2024.S02.COMPLETE.1080p.WEB', 2, null],
        ],
      },
    ])
    expect(j.items[1]?.year).toBe(2024)
    const { stdout } = await capture(() => mediaGet(ctx, 'series'))
    expect(stdout).toMatch(/2\s+\S+\s+3 torrent\(s\)\s+Shogun \(2024\)\s+seasons 1,2/)
    // Movies and series of one run do not touch each other's rows.
    await capture(() => mediaCompute(ctx, 'movie'))
    expect((await getJson(ctx, 'series')).items).toHaveLength(2)
    expect((await getJson(ctx, 'movie')).items).toHaveLength(5)
  })
})

describe('metadata providers', () => {
  let tmdb: TmdbFixture
  beforeAll(async () => {
    tmdb = await startTmdbFixture({
      apiKey: 'secret-tmdb-key-4f2a9c',
      movies: [
        {
          id: 872585,
          title: 'Oppenheimer',
          release_date: '2023-07-19',
          imdb_id: 'tt15398776',
          genres: ['Drama', 'History'],
          vote_average: 8.1,
          vote_count: 9000,
          poster_path: '/opp.jpg',
          overview: 'The story of J. Robert Oppenheimer.',
        },
        {
          id: 693134,
          title: 'Dune: Part Two',
          original_title: 'Dune: Part Two',
          release_date: '2024-02-27',
          imdb_id: 'tt15239678',
          genres: ['Science Fiction'],
          vote_average: 8.2,
          vote_count: 6000,
          poster_path: '/dune2.jpg',
        },
        {
          id: 496243,
          title: 'Parasite',
          original_title: '기생충',
          original_language: 'ko',
          release_date: '2019-05-30',
          imdb_id: 'tt6751668',
          genres: ['Comedy', 'Thriller', 'Drama'],
          vote_average: 8.5,
          vote_count: 18000,
        },
      ],
      shows: [
        {
          id: 76479,
          name: 'The Boys',
          first_air_date: '2019-07-25',
          imdb_id: 'tt1190634',
          tvdb_id: 355567,
          genres: ['Action'],
        },
      ],
    })
  })
  afterAll(() => tmdb.close())
  afterEach(() => {
    tmdb.mode = 'ok'
    tmdb.rateLimitNext(0)
  })
  const ini = () => `[tmdb]\napikey = ${tmdb.apiKey}\nbase_url = ${tmdb.baseUrl}\n[retry]\ntries = 2\ndelay = 0.01\n`

  it('TMDB: fills metadata, merges names resolving to one id, caches every look-up', async () => {
    const ctx = setup(ini())
    const items: SeedTorrent[] = [
      ...MOVIES,
      { name: 'Gisaengchung.AKA.Parasite.2019.KOREAN.1080p.BluRay', category: 'movies', score: 1 },
      { name: '기생충.2019.1080p.WEB', category: 'movies', score: 1 },
    ]
    seedTrendRun(ctx, items, T1)
    tmdb.requests.length = 0
    const { result, stderr } = await capture(() => mediaCompute(ctx, 'movie'))
    expect(result.ok).toBe(true)
    expect(stderr).not.toContain(tmdb.apiKey)
    const j = await getJson(ctx, 'movie')
    const opp = j.items.find((i) => i.title === 'Oppenheimer')
    expect(opp).toMatchObject({ key: 'imdb:tt15398776', imdbId: 'tt15398776', year: 2023, torrents: 3 })
    const row = ctx.db().$client.prepare("SELECT * FROM media WHERE key = 'imdb:tt15398776'").get() as Record<
      string,
      unknown
    >
    expect(row).toMatchObject({
      tmdb_id: 872585,
      poster_url: 'https://image.tmdb.org/t/p/w342/opp.jpg',
      genres: '["Drama","History"]',
      rating: 8.1,
      votes: 9000,
      metadata_source: 'tmdb',
    })
    // Feed id kept, TMDB title used.
    expect(j.items.find((i) => i.key === 'imdb:tt15239678')?.title).toBe('Dune: Part Two')
    // Three names of Parasite (English, AKA, Korean) are one movie.
    const parasite = j.items.filter((i) => i.imdbId === 'tt6751668')
    expect(parasite).toHaveLength(1)
    expect(parasite[0]?.releases.map((r) => r.name).sort()).toEqual([
      'Gisaengchung.AKA.Parasite.2019.KOREAN.1080p.BluRay',
      'Parasite.2019.1080p.BluRay.x264-FGT',
      '기생충.2019.1080p.WEB',
    ])
    // "Evil" is found nowhere: it keeps its parsed name and year.
    expect(j.items.find((i) => i.title === 'Evil')).toMatchObject({ year: 2020, imdbId: null })
    expect(tmdb.requests.length).toBeGreaterThan(0)
    expect(tmdb.requests.every((r) => !r.includes(tmdb.apiKey))).toBe(true)
    const misses = ctx
      .db()
      .$client.prepare("SELECT query FROM metadata_cache WHERE provider = 'tmdb' AND result IS NULL")
      .all()
    expect(misses).toContainEqual({ query: 'movie:search:evil:2020:en-US' })
    // Second run: nothing new, nothing regrouped, nothing looked up.
    tmdb.requests.length = 0
    const again = await capture(() => mediaCompute(ctx, 'movie'))
    expect(tmdb.requests).toEqual([])
    expect(again.result.counts).toMatchObject({ parsed: 0, regrouped: 0 })
    // A full regroup comes from the cache.
    const full = await capture(() => mediaCompute(ctx, 'movie', { full: true }))
    expect(tmdb.requests).toEqual([])
    expect(full.result.counts.cacheHits).toBeGreaterThan(0)
    expect((await getJson(ctx, 'movie')).items.map((i) => i.id)).toEqual(j.items.map((i) => i.id))
  })

  it('TMDB for series: finds the show by title, stores its ids', async () => {
    const ctx = setup(ini())
    seedTrendRun(ctx, MOVIES, T1)
    await capture(() => mediaCompute(ctx, 'series'))
    const j = await getJson(ctx, 'series')
    expect(j.items[0]).toMatchObject({ title: 'The Boys', key: 'imdb:tt1190634', imdbId: 'tt1190634' })
    const row = ctx.db().$client.prepare("SELECT tvdb_id, tmdb_id FROM media WHERE key = 'imdb:tt1190634'").get()
    expect(row).toEqual({ tvdb_id: 355567, tmdb_id: 76479 })
  })

  it('TMDB 429 with Retry-After: waits, then gets the answer', async () => {
    const ctx = setup(ini())
    seedTrendRun(ctx, [{ name: 'Oppenheimer.2023.1080p.BluRay.x264-ZQ', category: 'movies', score: 1 }], T1)
    tmdb.requests.length = 0
    tmdb.rateLimitNext(1, 1)
    const { result } = await capture(() => mediaCompute(ctx, 'movie'))
    expect(result.ok).toBe(true)
    expect(result.counts.tmdbFound).toBe(1)
    expect(tmdb.requests[0]).toBe(tmdb.requests[1]) // the same request, retried
    expect((await getJson(ctx, 'movie')).items[0]?.imdbId).toBe('tt15398776')
  })

  for (const mode of ['401', '500', 'down'] as const) {
    it(`TMDB ${mode}: says so once, never logs the key, goes on with the IMDb datasets, caches nothing`, async () => {
      const ctx = setup(ini())
      const files = writeImdbDatasets(
        ctx.dirs.dir,
        [
          ['tt15398776', 'movie', 'Oppenheimer', 'Oppenheimer', 2023, 'Biography,Drama,History'],
          ['tt6751668', 'movie', 'Parasite', 'Gisaengchung', 2019, 'Drama,Thriller'],
        ],
        [['tt15398776', 8.3, 800000]],
      )
      await capture(() => importImdb(ctx, [files.basics, files.ratings]))
      seedTrendRun(ctx, MOVIES, T1)
      tmdb.mode = mode
      const result = await mediaCompute(ctx, 'movie')
      const reported = result.errors.join('\n')
      expect(result.ok).toBe(true)
      expect(result.counts.tmdbFailed).toBe(1)
      expect(reported.match(/going on without TMDB/g)).toHaveLength(1)
      if (mode === '401') expect(reported).toContain('refused (HTTP 401)')
      expect(`${reported}\n${ctx.logs.text()}`).not.toContain(tmdb.apiKey)
      const j = await getJson(ctx, 'movie')
      expect(j.items.find((i) => i.title === 'Oppenheimer')).toMatchObject({ imdbId: 'tt15398776', torrents: 3 })
      const row = ctx
        .db()
        .$client.prepare("SELECT rating, genres, metadata_source FROM media WHERE imdb_id = 'tt15398776'")
        .get()
      expect(row).toEqual({ rating: 8.3, genres: '["Biography","Drama","History"]', metadata_source: 'imdb' })
      const cached = ctx.db().$client.prepare("SELECT COUNT(*) AS n FROM metadata_cache WHERE provider = 'tmdb'").get()
      expect(cached).toEqual({ n: 0 })
    })
  }

  it('a title-keyed movie that learns its id later keeps its row and absorbs the id-keyed one', async () => {
    const ctx = setup()
    seedTrendRun(ctx, [{ name: 'Parasite.2019.1080p.BluRay.x264-FGT', category: 'movies', score: 5 }], T1)
    await capture(() => mediaCompute(ctx, 'movie'))
    const first = ctx.db().$client.prepare('SELECT id, key FROM media').all() as { id: number; key: string }[]
    expect(first).toEqual([{ id: first[0]?.id, key: 'title:parasite:2019' }])
    await parasiteLearnsItsId(ctx, T2)
    await capture(() => mediaCompute(ctx, 'movie'))
    const after = ctx.db().$client.prepare('SELECT id, key, imdb_id AS imdbId FROM media').all()
    expect(after).toEqual([{ id: first[0]?.id, key: 'imdb:tt6751668', imdbId: 'tt6751668' }])
    const j = await getJson(ctx, 'movie')
    expect(j.items).toHaveLength(1)
    expect(j.items[0]?.torrents).toBe(2)
    // Its rank history is kept.
    const history = ctx
      .db()
      .$client.prepare('SELECT time FROM media_trends WHERE media_id = ? ORDER BY time')
      .all(first[0]?.id)
    expect(history).toEqual([{ time: T1 }, { time: T2 }])
  })
})

describe('remakes that share a title', () => {
  it('a yearless row goes to one year only: two shows of the same title stay two', async () => {
    const ctx = setup()
    seedTrendRun(ctx, [{ name: 'Ghosts.S01E01.720p.HDTV.x264-SYNCOPY', category: 'series', score: 5 }], T1)
    await capture(() => mediaCompute(ctx, 'series'))
    expect(ctx.db().$client.prepare('SELECT key, year FROM media').all()).toEqual([
      { key: 'title:ghosts:', year: null },
    ])
    seedTrendRun(
      ctx,
      [
        { name: 'Ghosts.2019.S05E01.1080p.WEB.H264-GGEZ', category: 'series', score: 9 },
        { name: 'Ghosts.2021.S04E01.1080p.WEB.H264-GGEZ', category: 'series', score: 8 },
      ],
      T2,
    )
    await capture(() => mediaCompute(ctx, 'series'))
    const rows = ctx
      .db()
      .$client.prepare(
        `SELECT m.year, group_concat(t.name, ' | ') names FROM media m JOIN torrent_media tm ON tm.media_id = m.id
         JOIN torrents t ON t.id = tm.torrent_id WHERE t.name LIKE 'Ghosts.20%' GROUP BY m.id ORDER BY m.year`,
      )
      .all()
    expect(rows).toEqual([
      { year: 2019, names: 'Ghosts.2019.S05E01.1080p.WEB.H264-GGEZ' },
      { year: 2021, names: 'Ghosts.2021.S04E01.1080p.WEB.H264-GGEZ' },
    ])
  })
})
