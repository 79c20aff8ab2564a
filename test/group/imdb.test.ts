import { spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { Context } from '../../pipeline/context.ts'
import { UserError } from '../../pipeline/core/errors.ts'
import { importImdb, mediaCompute } from '../../pipeline/group/command.ts'
import { contextsPerTest } from '../helpers/config.ts'
import { capture, seedTrendRun, writeImdbDatasets } from './helpers.ts'

const context = contextsPerTest()
const setup = () => context()

const TITLES: Parameters<typeof writeImdbDatasets>[1] = [
  ['tt0062622', 'movie', '2001: A Space Odyssey', '2001: A Space Odyssey', 1968, 'Adventure,Sci-Fi'],
  ['tt6751668', 'movie', 'Parasite', 'Gisaengchung', 2019, 'Drama,Thriller'],
  ['tt0903747', 'tvSeries', 'Breaking Bad', 'Breaking Bad', 2008, 'Crime,Drama'],
  ['tt0959621', 'tvEpisode', 'Pilot', 'Pilot', 2008, 'Crime'], // episodes are not kept
  ['tt0000001', 'short', 'Carmencita', 'Carmencita', 1894, 'Documentary'],
  ['tt7366338', 'tvMiniSeries', 'Chernobyl', 'Chernobyl', 2019, 'Drama,History'],
  ['tt0111161', 'tvMovie', 'Les Misérables', 'Les Misérables', null, ''],
]
const rows = (ctx: Context) => ctx.db().$client.prepare('SELECT * FROM imdb_titles ORDER BY tconst').all()

describe('movies import-imdb', () => {
  it('streams gzipped basics and ratings, keeps movies and series, joins ratings, normalises titles', async () => {
    const ctx = setup()
    const f = writeImdbDatasets(ctx.dirs.dir, TITLES, [
      ['tt0062622', 8.3, 720000],
      ['tt6751668', 8.5, 950000],
      ['tt0959621', 9.0, 40000],
    ])
    // Ratings given after basics on the command line: still joined.
    const { result } = await capture(() => importImdb(ctx, [f.basics, f.ratings]))
    expect(result).toMatchObject({ ok: true, counts: { titles: 5, ratings: 3, skipped: 2, malformed: 0 } })
    expect(rows(ctx)).toEqual([
      {
        tconst: 'tt0062622',
        type: 'movie',
        primary_title: '2001: A Space Odyssey',
        original_title: '2001: A Space Odyssey',
        norm_title: '2001 a space odyssey',
        norm_original: null, // same as the primary title
        start_year: 1968,
        end_year: null,
        genres: 'Adventure,Sci-Fi',
        rating: 8.3,
        votes: 720000,
      },
      expect.objectContaining({
        tconst: 'tt0111161',
        type: 'tvMovie',
        norm_title: 'miserables',
        start_year: null,
        genres: null,
      }),
      expect.objectContaining({ tconst: 'tt0903747', type: 'tvSeries', norm_title: 'breaking bad', rating: null }),
      expect.objectContaining({
        tconst: 'tt6751668',
        norm_title: 'parasite',
        norm_original: 'gisaengchung',
        rating: 8.5,
        votes: 950000,
      }),
      expect.objectContaining({ tconst: 'tt7366338', type: 'tvMiniSeries' }),
    ])
    // Idempotent; a later ratings file alone updates the ratings.
    const before = rows(ctx)
    await capture(() => importImdb(ctx, [f.ratings, f.basics]))
    expect(rows(ctx)).toEqual(before)
    const r2 = join(ctx.dirs.dir, 'ratings2.tsv')
    writeFileSync(r2, 'tconst\taverageRating\tnumVotes\ntt0903747\t9.5\t2200000\nbroken line\n')
    const { result: upd } = await capture(() => importImdb(ctx, [r2]))
    expect(upd.counts).toMatchObject({ ratingsUpdated: 1, malformed: 1 })
    expect(rows(ctx)).toContainEqual(expect.objectContaining({ tconst: 'tt0903747', rating: 9.5, votes: 2200000 }))
  })

  it('drops cached IMDb misses so an import can turn them into hits', async () => {
    const ctx = setup()
    ctx
      .db()
      .$client.prepare(
        "INSERT INTO metadata_cache (provider, query, result, fetched_at) VALUES ('imdb', 'movie:title:parasite:2019', NULL, 1), ('tmdb', 'x', NULL, 1)",
      )
      .run()
    const f = writeImdbDatasets(ctx.dirs.dir, TITLES, [])
    await capture(() => importImdb(ctx, [f.basics]))
    expect(ctx.db().$client.prepare('SELECT provider FROM metadata_cache').all()).toEqual([{ provider: 'tmdb' }])
  })

  it('refuses missing files and other TSVs with the file named; keeps rows read before a corrupt end', async () => {
    const ctx = setup()
    await expect(importImdb(ctx, [join(ctx.dirs.dir, 'nope.tsv.gz')])).rejects.toThrow(/nope\.tsv\.gz: no such file/)
    const other = join(ctx.dirs.dir, 'title.crew.tsv')
    writeFileSync(other, 'tconst\tdirectors\twriters\n')
    await expect(importImdb(ctx, [other])).rejects.toThrow(UserError)
    await expect(importImdb(ctx, [other])).rejects.toThrow(/title\.crew\.tsv: not an IMDb dataset/)
    // A gzip cut short after many rows: the complete batches are kept, the error names the file.
    const f = writeImdbDatasets(
      ctx.dirs.dir,
      Array.from(
        { length: 12_000 },
        (_, i) => [`tt${String(i + 1).padStart(7, '0')}`, 'movie', `Film ${i}`, `Film ${i}`, 2000, ''] as const,
      ).map((x) => [...x] as Parameters<typeof writeImdbDatasets>[1][number]),
      [],
    )
    const gz = readFileSync(f.basics)
    const cut = join(ctx.dirs.dir, 'cut.tsv.gz')
    writeFileSync(cut, gz.subarray(0, Math.floor(gz.length * 0.8)))
    await expect(capture(() => importImdb(ctx, [cut]))).rejects.toThrow(/cut\.tsv\.gz: cannot read/)
    const n = (ctx.db().$client.prepare('SELECT COUNT(*) AS n FROM imdb_titles').get() as { n: number }).n
    expect(n).toBeGreaterThanOrEqual(5000)
    expect(n).toBeLessThan(12_000)
  })
})

describe('command line', () => {
  it('movies import-imdb, movies compute and movies get --json through the CLI', () => {
    const ctx = setup()
    const f = writeImdbDatasets(ctx.dirs.dir, TITLES, [['tt6751668', 8.5, 950000]])
    seedTrendRun(
      ctx,
      [
        { name: 'Parasite.2019.1080p.BluRay.x264-FGT', category: 'movies', score: 9 },
        { name: 'The.Parasite.2019.REPACK.720p.WEB', category: 'unknown', score: 3 },
        { name: 'Breaking.Bad.S05E16.720p.HDTV.x264-IMMERSE', category: 'unknown', score: 4 },
      ],
      1_768_478_400,
    )
    ctx.close()
    const bin = join(import.meta.dirname, '../../bin/mediastrends.mjs')
    const run = (...args: string[]) =>
      spawnSync(process.execPath, [bin, '-m', 'test', '-f', ctx.dirs.dir, ...args], {
        cwd: ctx.dirs.dir,
        env: { PATH: process.env.PATH ?? '', HOME: ctx.dirs.dir },
        encoding: 'utf8',
        timeout: 60_000,
      })
    const imp = run('movies', 'import-imdb', f.basics, f.ratings)
    expect(imp.stderr).toContain('titles kept')
    expect(imp.status).toBe(0)
    expect(imp.stdout).toMatch(/movies import-imdb: ok \(.*titles 5/)
    expect(run('movies', 'compute').status).toBe(0)
    expect(run('series', 'compute').status).toBe(0)
    const movies = JSON.parse(run('--json', 'movies', 'get').stdout)
    expect(movies.items).toEqual([
      expect.objectContaining({
        rank: 1,
        title: 'Parasite',
        year: 2019,
        imdbId: 'tt6751668',
        torrents: 2,
        releases: [
          expect.objectContaining({ name: 'Parasite.2019.1080p.BluRay.x264-FGT' }),
          expect.objectContaining({ name: 'The.Parasite.2019.REPACK.720p.WEB' }),
        ],
      }),
    ])
    const series = run('series', 'get')
    expect(series.stdout).toMatch(/1\s+4\.000\s+1 torrent\(s\)\s+Breaking Bad \(2008\)\s+seasons 5\s+\[tt0903747\]/)
  })
})

describe('IMDb provider', () => {
  it('finds a release named after its original title (norm_original, migration 0001)', async () => {
    const ctx = setup()
    const f = writeImdbDatasets(ctx.dirs.dir, TITLES, [['tt6751668', 8.5, 950000]])
    await capture(() => importImdb(ctx, [f.basics, f.ratings]))
    seedTrendRun(
      ctx,
      [{ name: 'Gisaengchung.2019.1080p.BluRay.x264-WiKi', category: 'movies', score: 5 }],
      1_767_225_600,
    )
    await capture(() => mediaCompute(ctx, 'movie'))
    expect(
      ctx.db().$client.prepare('SELECT key, title, year, imdb_id, rating, metadata_source FROM media').all(),
    ).toEqual([
      {
        key: 'imdb:tt6751668',
        title: 'Parasite',
        year: 2019,
        imdb_id: 'tt6751668',
        rating: 8.5,
        metadata_source: 'imdb',
      },
    ])
  })
})
