import { describe, expect, it } from 'vitest'
import type { Context } from '../../pipeline/context.ts'
import { type MediaLine, mediaCompute, mediaGet } from '../../pipeline/group/command.ts'
import { PARSER_VERSION } from '../../pipeline/group/parse.ts'
import { contextsPerTest } from '../helpers/config.ts'
import { capture, hashOf, type SeedTorrent, seedTrendRun } from './helpers.ts'

const T1 = 1_768_478_400
const T2 = T1 + 4 * 3600

/** Made-up names: aliases, countries, yearless names, anime, junk, ids. */
const RUN1: SeedTorrent[] = [
  { name: 'Quiet.Harbour.2011.1080p.BluRay.x264-FGT', category: 'movies', score: 40 },
  { name: 'Quiet Harbour (2011) 720p WEBRip', category: 'movies', score: 30 },
  { name: 'Stille.Hafen.AKA.Quiet.Harbour.2011.GERMAN.1080p.WEB', category: 'unknown', score: 5 },
  { name: 'Paper.Kites.1994.1080p.BluRay', category: 'movies', score: 20 },
  { name: 'Paper.Kites.2019.1080p.WEB', category: 'movies', score: 18 },
  { name: 'Paper.Kites.720p.HDTV', category: 'movies', score: 3 },
  { name: 'Long.Night.Watch.S01E01.1080p.WEB', category: 'series', score: 25 },
  { name: 'Long.Night.Watch.S01E02.1080p.WEB', category: 'series', score: 22 },
  { name: 'Copper.Town.UK.S02E03.720p.HDTV', category: 'series', score: 12 },
  { name: '[SubsX] Sky Lantern - 0412 [1080p]', category: 'series', score: 9 },
  { name: 'IMG_20230101_101010.mp4', category: 'unknown', score: 2 },
  { name: 'Lone.Pine.2020.1080p.WEB', category: 'unknown', score: 7 },
]
/** Run 2: everything of run 1 again, and new names joining old groups, splitting them, or new. */
const RUN2: SeedTorrent[] = [
  ...RUN1.map((t) => ({ ...t, score: t.score + 1 })),
  { name: 'Quiet.Harbour.2011.2160p.WEB-DL', category: 'movies', score: 50 },
  { name: 'Paper.Kites.2019.720p.WEB', category: 'movies', score: 4 },
  { name: 'Long.Night.Watch.S01E03.720p.WEB', category: 'series', score: 21 },
  { name: 'Copper.Town.US.S01E01.1080p.WEB', category: 'series', score: 11 },
  { name: 'Copper.Town.S01E02.1080p.WEB', category: 'series', score: 1 },
  { name: 'Sky.Lantern.2024.S01E01.1080p.WEB', category: 'series', score: 8 },
  { name: 'New folder (2)', category: 'unknown', score: 1 },
  { name: 'Lone Pine 2020 720p', category: 'movies', imdb: 'tt0000777', score: 6 },
]

const context = contextsPerTest()
const setup = () => context({})

/** Changes the feed brings for torrents of run 1 by the time of run 2 (ingest only fills empty fields). */
function fill(ctx: Context) {
  const c = ctx.db().$client
  c.prepare("UPDATE torrents SET imdb_id = 'tt0000777' WHERE info_hash = ?").run(hashOf('Lone.Pine.2020.1080p.WEB'))
  c.prepare("UPDATE torrents SET category = 'movies' WHERE info_hash = ?").run(
    hashOf('Stille.Hafen.AKA.Quiet.Harbour.2011.GERMAN.1080p.WEB'),
  )
}

/** The grouping as a comparable value: per media its key, title, year and torrents; the run's ranking. */
function state(ctx: Context) {
  const c = ctx.db().$client
  const groups = c
    .prepare(
      `SELECT m.kind, m.key, m.title, m.year, group_concat(t.name, ' | ') AS names FROM media m
       JOIN (SELECT tm.media_id, t.name FROM torrent_media tm JOIN torrents t ON t.id = tm.torrent_id ORDER BY t.name) t
         ON t.media_id = m.id
       GROUP BY m.id ORDER BY m.kind, m.key`,
    )
    .all()
  const ranks = c
    .prepare(
      `SELECT m.kind, mt.rank, m.key, round(mt.score, 9) AS score, mt.torrents FROM media_trends mt
       JOIN media m ON m.id = mt.media_id WHERE mt.time = ? ORDER BY m.kind, mt.rank`,
    )
    .all(T2)
  return { groups, ranks }
}

async function computeBoth(ctx: Context, options = {}) {
  const movie = (await capture(() => mediaCompute(ctx, 'movie', options))).result
  const series = (await capture(() => mediaCompute(ctx, 'series', options))).result
  return { movie, series }
}

describe('incremental grouping', () => {
  it('parses only what has no current parse, regroups what changed, and equals a regroup from scratch', async () => {
    // A: run 1, compute; run 2 (new torrents, ids and categories filled), compute again.
    const a = setup()
    seedTrendRun(a, RUN1, T1)
    const first = await computeBoth(a)
    expect(first.movie.counts.parsed).toBe(RUN1.length)
    expect(first.series.counts.parsed).toBe(0)
    seedTrendRun(a, RUN2, T2)
    fill(a)
    const second = await computeBoth(a)
    // New names, and the two whose category or id changed: nothing else is parsed again.
    expect(second.movie.counts.parsed).toBe(RUN2.length - RUN1.length + 2)
    expect(second.movie.counts.regrouped).toBeLessThan(RUN2.length)
    // Groups of those components that did not change are not written again ("Paper Kites" 1994, yearless).
    expect(second.movie.counts.unchanged).toBeGreaterThanOrEqual(2)
    // Nothing new: nothing parsed, nothing regrouped.
    const third = await computeBoth(a)
    expect(third.movie.counts).toMatchObject({ parsed: 0, regrouped: 0 })
    expect(third.series.counts).toMatchObject({ parsed: 0, regrouped: 0 })

    // B: the same torrents and runs, grouped once from scratch.
    const b = setup()
    seedTrendRun(b, RUN1, T1)
    seedTrendRun(b, RUN2, T2)
    fill(b)
    await computeBoth(b)
    const sa = state(a)
    expect(sa).toEqual(state(b))

    // A full regroup of A changes nothing either.
    await computeBoth(a, { full: true })
    expect(state(a)).toEqual(sa)

    // What the names say (checked on the result, not only on its sameness).
    const byKey = Object.fromEntries(
      (sa.groups as { kind: string; key: string; names: string }[]).map((g) => [`${g.kind} ${g.key}`, g.names]),
    )
    expect(byKey['movie title:quiet harbour:2011']?.split(' | ')).toHaveLength(4)
    expect(byKey['movie title:paper kites:']).toBe('Paper.Kites.720p.HDTV')
    expect(byKey['movie imdb:tt0000777']?.split(' | ')).toHaveLength(2)
    expect(byKey['series title:copper town::uk']).toBe('Copper.Town.UK.S02E03.720p.HDTV')
    expect(byKey['series title:copper town::us']).toBe('Copper.Town.US.S01E01.1080p.WEB')
    expect(byKey['series title:copper town:']).toBe('Copper.Town.S01E02.1080p.WEB')
    expect(byKey['series title:sky lantern::abs']).toBe('[SubsX] Sky Lantern - 0412 [1080p]')
    expect(byKey['series title:sky lantern:2024']).toBe('Sky.Lantern.2024.S01E01.1080p.WEB')
    expect(Object.values(byKey).join(' ')).not.toMatch(/IMG_|New folder/)
  })

  it('stores the parse on the torrent row and parses again only when the parser or the inputs change', async () => {
    const ctx = setup()
    seedTrendRun(ctx, RUN1, T1)
    await computeBoth(ctx)
    const c = ctx.db().$client
    const row = (name: string) =>
      c
        .prepare(
          'SELECT parse_input, parsed_title, parsed_year, parsed_season, parsed_episode, parsed_kind FROM torrents WHERE info_hash = ?',
        )
        .get(hashOf(name))
    expect(row('Long.Night.Watch.S01E02.1080p.WEB')).toEqual({
      parse_input: `${PARSER_VERSION}|0|series|||`,
      parsed_title: 'Long Night Watch',
      parsed_year: null,
      parsed_season: 1,
      parsed_episode: 2,
      parsed_kind: 'series',
    })
    // An old parser version: parsed again on the next compute, whether or not in the run.
    c.prepare("UPDATE torrents SET parse_input = '0|0|movies|||' WHERE info_hash = ?").run(
      hashOf('Paper.Kites.1994.1080p.BluRay'),
    )
    const again = (await capture(() => mediaCompute(ctx, 'movie'))).result
    expect(again.counts.parsed).toBe(1)
  })

  it("shows each release's parse in `series get --json` / `movies get --json`", async () => {
    const ctx = setup()
    seedTrendRun(
      ctx,
      [
        { name: 'Harbour Lights (2002-2008) Complete Series 1080p BluRay', category: 'series', score: 5 },
        { name: 'Harbour.Lights.2002.S01E03.720p.HDTV', category: 'series', score: 4 },
        { name: 'Evening.Desk.2024.01.15.Guest.Name.1080p.WEB', category: 'series', score: 3 },
      ],
      T1,
    )
    await computeBoth(ctx)
    ;(ctx as { json: boolean }).json = true
    const { stdout } = await capture(() => mediaGet(ctx, 'series'))
    const items = (JSON.parse(stdout) as { items: MediaLine[] }).items
    expect(items.map((i) => i.releases.map((r) => ({ name: r.name, ...r.parsed })))).toEqual([
      [
        {
          name: 'Harbour Lights (2002-2008) Complete Series 1080p BluRay',
          title: 'Harbour Lights',
          year: 2002,
          season: null,
          episode: null,
          airDate: null,
        },
        {
          name: 'Harbour.Lights.2002.S01E03.720p.HDTV',
          title: 'Harbour Lights',
          year: 2002,
          season: 1,
          episode: 3,
          airDate: null,
        },
      ],
      [
        {
          name: 'Evening.Desk.2024.01.15.Guest.Name.1080p.WEB',
          title: 'Evening Desk',
          year: null,
          season: null,
          episode: null,
          airDate: '2024-01-15',
        },
      ],
    ])
  })

  it('a database grouped before parses were stored: every linked torrent is parsed, none loses its media', async () => {
    const ctx = setup()
    seedTrendRun(ctx, RUN1, T1)
    await computeBoth(ctx)
    const c = ctx.db().$client
    const links = () => c.prepare('SELECT count(*) AS n FROM torrent_media').get()
    const before = links()
    c.prepare('UPDATE torrents SET parse_input = NULL, grouped_input = NULL, parsed = NULL, group_keys = NULL').run()
    // The next run holds only some of the torrents.
    seedTrendRun(ctx, RUN1.slice(0, 3), T2)
    const r = await computeBoth(ctx)
    expect(r.movie.counts.parsed).toBe(RUN1.length - 1) // all but the junk name, which has no media
    expect(links()).toEqual(before)
  })

  it('moves a torrent whose category changes to the other kind, and regroups what it left', async () => {
    const ctx = setup()
    const items: SeedTorrent[] = [
      { name: 'Amber.Coast.2015.1080p', category: 'unknown', score: 3 },
      { name: 'Amber.Coast.2015.720p', category: 'unknown', score: 2 },
    ]
    seedTrendRun(ctx, items, T1)
    await computeBoth(ctx)
    ctx
      .db()
      .$client.prepare("UPDATE torrents SET category = 'series' WHERE info_hash = ?")
      .run(hashOf('Amber.Coast.2015.720p'))
    seedTrendRun(ctx, items, T2)
    await computeBoth(ctx)
    const s = state(ctx)
    expect(s.groups).toEqual([
      {
        kind: 'movie',
        key: 'title:amber coast:2015',
        title: 'Amber Coast',
        year: 2015,
        names: 'Amber.Coast.2015.1080p',
      },
      {
        kind: 'series',
        key: 'title:amber coast:2015',
        title: 'Amber Coast',
        year: 2015,
        names: 'Amber.Coast.2015.720p',
      },
    ])
    expect(s.ranks).toEqual([
      { kind: 'movie', rank: 1, key: 'title:amber coast:2015', score: 3, torrents: 1 },
      { kind: 'series', rank: 1, key: 'title:amber coast:2015', score: 2, torrents: 1 },
    ])
  })
})
