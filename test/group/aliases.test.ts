import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { IMDB_FIXTURE, loadImdbFixture } from '../../devkit/names/imdb/index.ts'
import type { Context } from '../../pipeline/context.ts'
import { imdbResolver, Lru, pickCandidate } from '../../pipeline/group/aliases.ts'
import { importImdb } from '../../pipeline/group/command.ts'
import { ImdbProvider } from '../../pipeline/group/metadata.ts'
import { normaliseTitle } from '../../pipeline/group/parse.ts'
import { contextsPerTest } from '../helpers/config.ts'
import { capture } from './helpers.ts'

const context = contextsPerTest()
const setup = () => context()
const akasOf = (ctx: Context, tconst: string) =>
  (
    ctx.db().$client.prepare('SELECT norm_title FROM imdb_akas WHERE tconst = ? ORDER BY norm_title').all(tconst) as {
      norm_title: string
    }[]
  ).map((r) => r.norm_title)

const AKAS_HEAD = 'titleId\tordering\ttitle\tregion\tlanguage\ttypes\tattributes\tisOriginalTitle'
const BASICS_HEAD =
  'tconst\ttitleType\tprimaryTitle\toriginalTitle\tisAdult\tstartYear\tendYear\truntimeMinutes\tgenres'

describe('movies import-imdb … title.akas.tsv', () => {
  it('keeps the normalised other titles of imported titles only, each once, none equal to the primary or original', async () => {
    const ctx = setup()
    const { result } = await capture(() => loadImdbFixture(ctx.db()))
    expect(result.ok).toBe(true)
    expect(result.counts).toMatchObject({ malformed: 0 })
    expect(result.counts.akas).toBeGreaterThan(50)
    // Seven Samurai: primary "seven samurai", original "shichinin no samurai" are on imdb_titles.
    expect(akasOf(ctx, 'tt0047478')).toEqual(['die sieben samurai', 'i sette samurai', 'sept samourais'])
    // An episode's and a short's akas are not kept (their titles are not imported).
    const kinds = ctx
      .db()
      .$client.prepare('SELECT DISTINCT t.type FROM imdb_akas a JOIN imdb_titles t USING (tconst) ORDER BY 1')
      .all()
    expect(kinds).toEqual([{ type: 'movie' }, { type: 'tvMiniSeries' }, { type: 'tvSeries' }])
    // Idempotent.
    const n = () => (ctx.db().$client.prepare('SELECT COUNT(*) AS n FROM imdb_akas').get() as { n: number }).n
    const before = n()
    await capture(() => loadImdbFixture(ctx.db()))
    expect(n()).toBe(before)
  })

  it('reads gzip akas in the real format; \\N and odd lines counted, a later file replaces a title’s akas', async () => {
    const ctx = setup()
    const basics = join(ctx.dirs.dir, 'title.basics.tsv.gz')
    writeFileSync(
      basics,
      gzipSync(
        `${BASICS_HEAD}\ntt0047478\tmovie\tSeven Samurai\tShichinin no samurai\t0\t1954\t\\N\t207\tAction,Drama\n` +
          'tt0000002\ttvEpisode\tPilot\tPilot\t0\t2008\t\\N\t58\tDrama\n',
      ),
    )
    const akas = join(ctx.dirs.dir, 'title.akas.tsv.gz')
    writeFileSync(
      akas,
      gzipSync(
        `${AKAS_HEAD}\n` +
          'tt0000002\t1\tLe Pilote\tFR\t\\N\t\\N\t\\N\t0\n' +
          'tt0047478\t1\tSeven Samurai\tXWW\ten\timdbDisplay\t\\N\t0\n' +
          'tt0047478\t2\tLes Sept Samouraïs\tFR\t\\N\timdbDisplay\t\\N\t0\n' +
          'tt0047478\t3\t\\N\tDE\t\\N\t\\N\t\\N\t0\n' +
          'tt0047478\t4\tThe Magnificent Seven\tUS\t\\N\tworking\t\\N\t0\n' +
          'garbage\n',
      ),
    )
    const { result } = await capture(() => importImdb(ctx, [akas, basics]))
    expect(result.counts).toMatchObject({ titles: 1, akas: 2, malformed: 1 })
    expect(akasOf(ctx, 'tt0047478')).toEqual(['magnificent seven', 'sept samourais'])
    const akas2 = join(ctx.dirs.dir, 'akas2.tsv')
    writeFileSync(akas2, `${AKAS_HEAD}\ntt0047478\t1\tDie sieben Samurai\tDE\t\\N\t\\N\t\\N\t0\n`)
    await capture(() => importImdb(ctx, [akas2]))
    expect(akasOf(ctx, 'tt0047478')).toEqual(['die sieben samurai'])
  })

  it('akas before any basics: nothing kept, and the log says to give title.basics', async () => {
    const ctx = setup()
    const { result } = await capture(() => importImdb(ctx, [IMDB_FIXTURE.akas]))
    expect(result.counts).toMatchObject({ titles: 0 })
    expect(ctx.db().$client.prepare('SELECT COUNT(*) AS n FROM imdb_akas').get()).toEqual({ n: 0 })
    expect(ctx.logs.text()).toMatch(/no IMDb titles imported yet.*give title\.basics/)
  })

  it('movies import-imdb basics ratings akas through the CLI', () => {
    const ctx = setup()
    ctx.close()
    const bin = join(import.meta.dirname, '../../bin/mediastrends.mjs')
    const r = spawnSync(
      process.execPath,
      [
        bin,
        '-m',
        'test',
        '-f',
        ctx.dirs.dir,
        'movies',
        'import-imdb',
        IMDB_FIXTURE.basics,
        IMDB_FIXTURE.ratings,
        IMDB_FIXTURE.akas,
      ],
      {
        cwd: ctx.dirs.dir,
        env: { PATH: process.env.PATH ?? '', HOME: ctx.dirs.dir },
        encoding: 'utf8',
        timeout: 60_000,
      },
    )
    expect(r.stderr).toContain('alternative titles kept')
    expect(r.status).toBe(0)
    expect(r.stdout).toMatch(/movies import-imdb: ok \(.*akas \d+/)
  })
})

describe('imdbResolver', () => {
  it('any known title of a film leads to its tconst; year ±1 for movies, exact for series; null when ambiguous', async () => {
    const ctx = setup()
    await capture(() => loadImdbFixture(ctx.db()))
    const resolve = imdbResolver(ctx.db())
    const n = normaliseTitle
    for (const t of ['Seven Samurai', 'Shichinin no samurai', 'Les Sept Samouraïs', 'Die.Sieben.Samurai'])
      expect([t, resolve(n(t), 1954, 'movie')]).toEqual([t, 'tt0047478'])
    expect(resolve(n('Seven Samurai'), 1955, 'movie')).toBe('tt0047478') // ±1
    expect(resolve(n('Seven Samurai'), 1957, 'movie')).toBeNull()
    // The 2019 namesake is another film; without a year the title is ambiguous.
    expect(resolve(n('Seven Samurai'), 2019, 'movie')).toMatch(/^tt99/)
    expect(resolve(n('Seven Samurai'), null, 'movie')).toBeNull()
    // Only the kinds asked: the episode "Seven Samurai" (1998) is not a series; a short is not a movie.
    expect(resolve(n('Seven Samurai'), 1998, 'series')).toBeNull()
    expect(resolve(n('Gisaengchung'), 2019, 'movie')).toBe('tt6751668')
    expect(resolve(n('Parasite'), null, 'movie')).toBe('tt6751668')
    // Series: by start year, or any year when unique.
    const casa = resolve(n('La Casa de Papel'), null, 'series')
    expect(casa).toMatch(/^tt99/)
    expect(resolve(n('Money Heist'), 2017, 'series')).toBe(casa)
    expect(resolve(n('Haus des Geldes'), null, 'series')).toBe(casa)
    expect(resolve(n('Money Heist'), 2018, 'series')).toBeNull()
    expect(resolve(n('Money Heist'), null, 'movie')).toBeNull()
    expect(resolve(n('Mercredi'), null, 'series')).toBe(resolve(n('Wednesday'), null, 'series'))
    // Dune: the 1984 and 2021 films and a 2000 TV movie: the year tells them apart.
    const d84 = resolve('dune', 1984, 'movie')
    const d21 = resolve('dune', 2021, 'movie')
    expect(d84).not.toBeNull()
    expect(d21).not.toBeNull()
    expect(d84).not.toBe(d21)
    expect(resolve('dune', null, 'movie')).toBeNull()
    expect(resolve('dune', 2000, 'series')).toMatch(/^tt99/) // the miniseries
    // Two 1998 "Ring"s: the overwhelmingly voted one wins; 2002's remake is its own film.
    const ringu = resolve('ring', 1998, 'movie')
    expect(ringu).toBe(resolve(n('Ringu'), 1998, 'movie'))
    expect(resolve('ring', 2002, 'movie')).not.toBe(ringu)
    expect(resolve('ring', null, 'movie')).toBeNull() // 380 k vs 120 k votes: not overwhelming
    expect(resolve('no such film anywhere', 2000, 'movie')).toBeNull()
    expect(resolve('', null, 'movie')).toBeNull()
  })

  it('answers from its cache, and null everywhere on a database without datasets', async () => {
    const ctx = setup()
    expect(imdbResolver(ctx.db())('seven samurai', 1954, 'movie')).toBeNull()
    await capture(() => loadImdbFixture(ctx.db()))
    const resolve = imdbResolver(ctx.db(), 2)
    expect(resolve('seven samurai', 1954, 'movie')).toBe('tt0047478')
    ctx.db().$client.prepare("DELETE FROM imdb_akas WHERE tconst = 'tt0047478'").run()
    ctx.db().$client.prepare("UPDATE imdb_titles SET norm_title = 'x' WHERE tconst = 'tt0047478'").run()
    expect(resolve('seven samurai', 1954, 'movie')).toBe('tt0047478') // cached
    resolve('a', null, 'movie')
    resolve('b', null, 'movie') // evicts the oldest (cache of 2)
    expect(resolve('seven samurai', 1954, 'movie')).toBeNull()
  })

  it('an akas import cut short leaves the norm_title index dropped: the next resolver re-creates it', async () => {
    const ctx = setup()
    await capture(() => loadImdbFixture(ctx.db()))
    const c = ctx.db().$client
    const hasIndex = () =>
      c.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'index' AND name = 'imdb_akas_norm_idx'").get()
    expect(hasIndex()).toEqual({ n: 1 }) // rebuilt at the end of the import
    c.exec('DROP INDEX imdb_akas_norm_idx')
    expect(imdbResolver(ctx.db())('sept samourais', 1954, 'movie')).toBe('tt0047478')
    expect(hasIndex()).toEqual({ n: 1 })
  })

  it('Lru and pickCandidate', () => {
    const l = new Lru<string, number>(2)
    l.set('a', 1)
    l.set('b', 2)
    l.get('a')
    l.set('c', 3)
    expect([l.has('a'), l.has('b'), l.has('c'), l.length]).toEqual([true, false, true, 2])
    expect(pickCandidate([])).toBeNull()
    expect(pickCandidate([{ tconst: 'tt1', votes: null }])).toBe('tt1')
    expect(
      pickCandidate([
        { tconst: 'tt1', votes: 999 },
        { tconst: 'tt2', votes: null },
      ]),
    ).toBeNull()
    expect(
      pickCandidate([
        { tconst: 'tt1', votes: 1000 },
        { tconst: 'tt2', votes: null },
      ]),
    ).toBe('tt1')
    expect(
      pickCandidate([
        { tconst: 'tt1', votes: 19_000 },
        { tconst: 'tt2', votes: 1000 },
      ]),
    ).toBeNull()
    expect(
      pickCandidate([
        { tconst: 'tt2', votes: 1000 },
        { tconst: 'tt1', votes: 20_000 },
      ]),
    ).toBe('tt1')
    // A title's own name beats another title's alternative one; two own names stay ambiguous.
    const own = (tconst: string) => ({ tconst, votes: null, tier: 1 })
    const aka = (tconst: string) => ({ tconst, votes: null, tier: 2 })
    expect(pickCandidate([aka('tt2'), own('tt1')])).toBe('tt1')
    expect(pickCandidate([own('tt1'), own('tt3'), aka('tt2')])).toBeNull()
    expect(pickCandidate([aka('tt1'), aka('tt2')])).toBeNull()
  })
})

describe('IMDb provider with akas', () => {
  it('finds a release named after a localised title', async () => {
    const ctx = setup()
    await capture(() => loadImdbFixture(ctx.db()))
    const p = new ImdbProvider(ctx.db())
    const m = await p.lookup({ kind: 'movie', title: 'Les Sept Samourais', norm: 'sept samourais', year: 1954 })
    expect(m).toMatchObject({ source: 'imdb', imdbId: 'tt0047478', title: 'Seven Samurai', year: 1954 })
  })
})
