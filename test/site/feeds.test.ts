/**
 * The feeds as their consumers parse them (shared/ecosystem.md):
 * - Radarr Custom Lists / StevenLu (Newtonsoft `List<T>`: a top-level array, a null in a typed
 *   int/bool fails the list, `id` = TMDB id kept when > 0), Kometa's text_file (case-sensitive
 *   `imdb_id`/`tmdb_id`/`tvdb_id`, a null or missing key fails the list);
 * - Sonarr's custom list (`{Title, TvdbId, TmdbId, ImdbId}`, ints never null, an item with no id
 *   rejected);
 * - Radarr's and Sonarr's PlexRssImportParser (`channel/item`, the first `<category>` movie/show,
 *   `<guid>` imdb://tt…, tmdb://N, tvdb://N; an item without an id fails the feed);
 * - a feed reader rendering the RSS description as HTML.
 * Built by the pure builders, and by the site's routes on a seeded database; an empty run keeps
 * the previous lists, and a site with no chart writes no list at all.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { XMLParser } from 'fast-xml-parser'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { seedSiteDb, XSS_IMG, XSS_SCRIPT } from '../../devkit/site/seed-db.ts'
import { closeDb, openDb } from '../../pipeline/db/client.ts'
import { writeCharts } from '../../pipeline/publish/charts.ts'
import { refreshSiteData } from '../../pipeline/publish/store.ts'
import type { FeedChartEntry, Media } from '../../site/lib/data.ts'
import { chartRss, escapeXml, plexRss, radarrList, sonarrList, stickyList, xmlSafe } from '../../site/lib/feeds.ts'

const DAY = 86_400
const T = Date.UTC(2026, 10, 20, 22) / 1000

// ---- parsers as the consumers have them ----

/** Newtonsoft into a class of non-nullable ints/bools: what fails the whole list. */
function newtonsoft(
  body: string,
  typed: Record<string, 'int' | 'bool' | 'float' | 'string'>,
): Record<string, unknown>[] {
  const list = JSON.parse(body) as unknown
  if (!Array.isArray(list)) throw new Error('top level is not an array')
  for (const [i, item] of list.entries()) {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) throw new Error(`[${i}] is not an object`)
    for (const [key, value] of Object.entries(item)) {
      const type = Object.entries(typed).find(([k]) => k.toLowerCase() === key.toLowerCase())?.[1]
      if (!type) continue // unknown keys are ignored
      if (value === null && type !== 'string') throw new Error(`Path '[${i}].${key}': null in a ${type}`)
      if (type === 'int' && !(Number.isInteger(value) || (typeof value === 'string' && /^\d+$/.test(value))))
        throw new Error(`Path '[${i}].${key}': not an int`)
      if (type === 'bool' && typeof value !== 'boolean') throw new Error(`Path '[${i}].${key}': not a bool`)
    }
  }
  return list as Record<string, unknown>[]
}

/** Radarr Custom Lists: the TMDB ids it imports. */
function radarrCustom(body: string): number[] {
  return newtonsoft(body, { id: 'int', adult: 'bool', popularity: 'float', vote_average: 'float', vote_count: 'int' })
    .map((m) => Number(m.id ?? 0))
    .filter((id) => id > 0)
}

/** Radarr StevenLu Custom: {title, imdb_id}. */
function stevenLu(body: string): { title: string; imdb: string | undefined }[] {
  return newtonsoft(body, { title: 'string', imdb_id: 'string', poster_url: 'string' }).map((m) => ({
    title: String(m.title),
    imdb: m.imdb_id as string | undefined,
  }))
}

/** Sonarr custom list: TVDB id, else IMDb, else TMDB; an item with none is rejected. */
function sonarrCustom(body: string): { tvdb: number; tmdb: number; imdb: string | undefined }[] {
  return newtonsoft(body, { title: 'string', tvdbId: 'int', tmdbId: 'int', imdbId: 'string' }).map((s, i) => {
    const r = { tvdb: Number(s.tvdbId ?? 0), tmdb: Number(s.tmdbId ?? 0), imdb: s.imdbId as string | undefined }
    if (r.tvdb <= 0 && r.tmdb <= 0 && !r.imdb) throw new Error(`[${i}]: no id`)
    return r
  })
}

/** Kometa text_file: the first of its keys present, never null; none present fails the list. */
function kometa(body: string): string[] {
  const list = JSON.parse(body) as Record<string, unknown>[]
  if (!Array.isArray(list)) throw new Error('not an array')
  return list.map((item, i) => {
    for (const key of ['imdb_id', 'tmdb_id', 'tvdb_id', 'imdb', 'tmdb', 'tvdb']) {
      if (!(key in item)) continue
      const v = item[key]
      if (v === null || v === '') throw new Error(`[${i}].${key} is null`)
      return `${key}:${v}`
    }
    throw new Error(`[${i}]: no id key`)
  })
}

const xml = new XMLParser({ ignoreAttributes: false, isArray: (name) => ['item', 'category'].includes(name) })

interface XmlItem {
  title?: string
  guid?: string | { '#text': string }
  category?: string[]
  description?: string
  link?: string
}
function items(body: string): XmlItem[] {
  const doc = xml.parse(body) as { rss?: { channel?: { item?: XmlItem[] } } }
  if (!doc.rss?.channel) throw new Error('no rss/channel')
  return doc.rss.channel.item ?? []
}
const text = (v: XmlItem['guid']): string => (typeof v === 'object' ? v['#text'] : String(v ?? ''))

/** PlexRssImportParser of Radarr (`movie`) or Sonarr (`show`). */
function plexImport(body: string, app: 'radarr' | 'sonarr') {
  const out: { title: string; imdb?: string; tmdb?: number; tvdb?: number }[] = []
  for (const item of items(body)) {
    if (item.category?.[0] !== (app === 'radarr' ? 'movie' : 'show')) continue
    const guid = text(item.guid)
    const r: { title: string; imdb?: string; tmdb?: number; tvdb?: number } = { title: String(item.title) }
    if (guid.startsWith('imdb://')) r.imdb = /(tt\d{7,8})/i.exec(guid)?.[1]
    const num = (prefix: string) => {
      const s = guid.replace(prefix, '')
      return /^-?\d+$/.test(s) ? Number(s) : undefined
    }
    r.tmdb = num('tmdb://')
    if (app === 'sonarr') r.tvdb = num('tvdb://')
    if (!r.imdb && !r.tmdb && !r.tvdb) throw new Error(`UnsupportedFeedException: ${r.title}`)
    out.push(r)
  }
  return out
}

// ---- hand-made rows ----

function media(id: number, over: Partial<Media> = {}): Media {
  return {
    id,
    kind: 'movie',
    key: `k${id}`,
    title: `Title ${id}`,
    year: 2020,
    originalTitle: null,
    language: null,
    imdbId: `tt${String(1000000 + id)}`,
    tmdbId: 500 + id,
    tvdbId: null,
    posterUrl: null,
    genres: null,
    rating: null,
    votes: null,
    overview: null,
    metadataSource: null,
    updatedAt: 0,
    ...over,
  }
}

function entry(m: Media, time: number, rank: number, over: Partial<FeedChartEntry> = {}): FeedChartEntry {
  return {
    window: 'day',
    time,
    media: m,
    rank,
    value: 10,
    lastRank: null,
    periods: 1,
    peakRank: rank,
    reentry: false,
    ...over,
  }
}

const item = (m: Media, rank = 1) => ({ media: m, rank, best: rank, current: rank })

describe('JSON lists (pure)', () => {
  it('radarr: the mdblist shape, ids to their pattern, no nulls, a movie with neither id left out', () => {
    const list = radarrList([
      item(media(1)),
      item(media(2, { imdbId: null, year: null })), // TMDB only
      item(media(3, { tmdbId: null })), // IMDb only
      item(media(4, { tmdbId: null, imdbId: 'tt12' })), // neither usable
      item(media(5, { tmdbId: -3, imdbId: 'nm0000001' })),
      item(media(6, { title: XSS_SCRIPT, tmdbId: 2.5, imdbId: 'tt0111161' })),
    ])
    expect(list).toEqual([
      {
        id: 501,
        tmdb_id: 501,
        imdb_id: 'tt1000001',
        title: 'Title 1',
        release_year: 2020,
        rank: 1,
        mediatype: 'movie',
        adult: false,
      },
      { id: 502, tmdb_id: 502, title: 'Title 2', rank: 2, mediatype: 'movie', adult: false },
      { imdb_id: 'tt1000003', title: 'Title 3', release_year: 2020, rank: 3, mediatype: 'movie', adult: false },
      { imdb_id: 'tt0111161', title: XSS_SCRIPT, release_year: 2020, rank: 4, mediatype: 'movie', adult: false },
    ])
    const body = JSON.stringify(list)
    expect(radarrCustom(body)).toEqual([501, 502])
    expect(stevenLu(body).map((m) => m.imdb)).toEqual(['tt1000001', undefined, 'tt1000003', 'tt0111161'])
    expect(kometa(body)).toEqual(['imdb_id:tt1000001', 'tmdb_id:502', 'imdb_id:tt1000003', 'imdb_id:tt0111161'])
  })

  it('sonarr: no null ids, snake_case twins, a series with no id left out', () => {
    const s = (id: number, over: Partial<Media>) => media(id, { kind: 'series', tvdbId: 300 + id, ...over })
    const list = sonarrList([
      item(s(1, {})),
      item(s(2, { tvdbId: null, imdbId: null })), // TMDB only
      item(s(3, { tvdbId: null, tmdbId: null, imdbId: 'bad' })), // none
      item(s(4, { tmdbId: null, imdbId: null })), // TVDB only
    ])
    expect(list).toEqual([
      {
        title: 'Title 1',
        tvdbId: 301,
        tmdbId: 501,
        imdbId: 'tt1000001',
        tvdb_id: 301,
        tmdb_id: 501,
        imdb_id: 'tt1000001',
        release_year: 2020,
        rank: 1,
        mediatype: 'show',
      },
      { title: 'Title 2', tmdbId: 502, tmdb_id: 502, release_year: 2020, rank: 2, mediatype: 'show' },
      { title: 'Title 4', tvdbId: 304, tvdb_id: 304, release_year: 2020, rank: 3, mediatype: 'show' },
    ])
    const body = JSON.stringify(list)
    expect(body).not.toContain('null')
    expect(sonarrCustom(body)).toEqual([
      { tvdb: 301, tmdb: 501, imdb: 'tt1000001' },
      { tvdb: 0, tmdb: 502, imdb: undefined },
      { tvdb: 304, tmdb: 0, imdb: undefined },
    ])
    expect(kometa(body)).toEqual(['imdb_id:tt1000001', 'tmdb_id:502', 'tvdb_id:304'])
  })

  it('sticky: every title in the top N at any run of the 7 days to the latest chart', () => {
    const [a, b, c, d, e] = [1, 2, 3, 4, 5].map((i) => media(i))
    const rows = [
      entry(a as Media, T, 1),
      entry(b as Media, T, 2),
      entry(c as Media, T - 3 * DAY, 1), // dropped out since, still within the week
      entry(b as Media, T - 3 * DAY, 2),
      entry(d as Media, T - 8 * DAY, 1), // older than the week
      entry(e as Media, T - DAY, 11), // below the top 10
    ]
    expect(stickyList(rows, T, 10).map((i) => [i.media.id, i.rank, i.current, i.best])).toEqual([
      [1, 1, 1, 1],
      [2, 2, 2, 2],
      [3, 3, null, 1],
    ])
    expect(stickyList([], null, 10)).toEqual([])
  })
})

describe('RSS (pure)', () => {
  const hostile = media(7, {
    title: `Evil \u202Egnp.exe`,
    genres: ['<img src=x onerror=alert(2)>', 'Drama & "Crime"'],
    overview: `<script>alert(3)</script> \u0007bell`,
  })

  it('chart RSS: items per (title, chart date); the description is HTML escaped inside XML', () => {
    const body = chartRss({ title: 'T', link: 'https://h.example/', description: 'd' }, [
      { kind: 'movie', entry: entry(hostile, T, 1, { lastRank: 3 }), link: 'https://h.example/movie/7/' },
      {
        kind: 'series',
        entry: entry(media(8, { kind: 'series' }), T, 1, { reentry: true }),
        link: 'https://h.example/series/8/',
      },
    ])
    const [first, second] = items(body)
    expect(text(first?.guid)).toBe('https://h.example/movie/7/#chart-2026-11-20')
    expect(text(second?.guid)).toBe('https://h.example/series/8/#chart-2026-11-20')
    const html = String(first?.description)
    // What a reader renders: no element but p and bdi, the genre as text.
    expect([...html.matchAll(/<([a-z]+)/gi)].map((m) => m[1])).toEqual(['p', 'bdi', 'p'])
    expect(html).toContain('&lt;img src=x onerror=alert(2)&gt;')
    expect(html).toContain('&lt;script&gt;alert(3)&lt;/script&gt;')
    expect(html).toContain('up 2 (was #3)')
    expect(String(second?.description)).toContain('back on the chart')
    // U+202E isolated in the plain-text title; the control character gone from the XML.
    expect(first?.title).toBe('#1 \u2068Evil \u202Egnp.exe\u2069 (2020)')
    expect(body).not.toContain('\u0007')
  })

  it('Plex Watchlist RSS: one feed both apps read, each its own category, every item with an id', () => {
    const movie = media(1)
    const movieImdb = media(2, { tmdbId: null })
    const orphan = media(3, { tmdbId: null, imdbId: null })
    const show = media(4, { kind: 'series', tvdbId: 81189 })
    const showImdb = media(5, { kind: 'series', tvdbId: null, tmdbId: null, imdbId: 'tt0903747' })
    const body = plexRss(
      { title: 'T', link: 'https://h.example/', description: 'd' },
      [
        { kind: 'movie' as const, m: movie },
        { kind: 'movie' as const, m: movieImdb },
        { kind: 'movie' as const, m: orphan },
        { kind: 'series' as const, m: show },
        { kind: 'series' as const, m: showImdb },
      ].map(({ kind, m }) => ({ kind, item: item(m), link: `https://h.example/x/${m.id}/` })),
    )
    expect(body).not.toBeNull()
    expect(plexImport(body as string, 'radarr')).toEqual([
      { title: 'Title 1 (2020)', tmdb: 501 },
      { title: 'Title 2 (2020)', imdb: 'tt1000002', tmdb: undefined },
    ])
    expect(plexImport(body as string, 'sonarr')).toEqual([
      { title: 'Title 4 (2020)', tvdb: 81189, tmdb: undefined },
      { title: 'Title 5 (2020)', imdb: 'tt0903747', tmdb: undefined, tvdb: undefined },
    ])
    expect(items(body as string).every((i) => i.category?.length === 1)).toBe(true)
    expect(plexRss({ title: 'T', link: 'https://h.example/', description: 'd' }, [])).toBeNull()
  })

  it('escapes for XML and drops what XML forbids', () => {
    expect(escapeXml(`a<b>&"c'`)).toBe('a&lt;b&gt;&amp;&quot;c&apos;')
    expect(xmlSafe('a\u0000b\u001Fc\uD800d\tok')).toBe('abcd\tok')
  })
})

// ---- the routes on a seeded database ----

const dir = mkdtempSync(join(tmpdir(), 'mediastrends-feeds-'))
const env = { db: process.env.MEDIASTRENDS_DB, url: process.env.SITE_URL }
afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
  for (const [k, v] of [
    ['MEDIASTRENDS_DB', env.db],
    ['SITE_URL', env.url],
  ] as const)
    if (v === undefined) delete process.env[k]
    else process.env[k] = v
})

async function routes(db: string) {
  process.env.MEDIASTRENDS_DB = db
  process.env.SITE_URL = 'https://h.example/trends/'
  const radarr = await import('../../site/pages/radarr.json.ts')
  const sonarr = await import('../../site/pages/sonarr.json.ts')
  const rss = await import('../../site/pages/rss.xml.ts')
  const lists = await import('../../site/pages/lists/[list].json.ts')
  const plex = await import('../../site/pages/lists/[list].xml.ts')
  const body = async (r: Response) => (r.body === null ? null : await r.text())
  return {
    radarr: () => body(radarr.GET()),
    sonarr: () => body(sonarr.GET()),
    rss: () => body(rss.GET()),
    list: (slug: string) => {
      const path = lists.getStaticPaths().find((p) => p.params.list === slug)
      if (!path) throw new Error(slug)
      return body(lists.GET({ props: path.props } as never))
    },
    plex: (size: number) => body(plex.GET({ props: { size } } as never)),
  }
}

describe('feeds built by the site from the stored charts', () => {
  const seeded = join(dir, 'seed.db')
  beforeAll(() => {
    seedSiteDb(seeded, { movies: 30, series: 10, torrents: 60, days: 12, runs: 10, end: T })
    // The seed refreshes once, at its last run: write the day charts of its earlier runs too,
    // as the runs themselves would have.
    const db = openDb(seeded)
    try {
      const runs = db.$client
        .prepare(`SELECT DISTINCT time FROM media_trends WHERE engine = 'velocity' ORDER BY time`)
        .pluck()
        .all() as number[]
      for (const t of runs) writeCharts(db, 'velocity', t, t)
    } finally {
      closeDb(db)
    }
  })

  it('parse as Radarr, Sonarr, Kometa and the Plex RSS importers do', async () => {
    const r = await routes(seeded)
    const radarr = (await r.radarr()) as string
    const ids = radarrCustom(radarr)
    expect(ids.length).toBeGreaterThan(0)
    expect(stevenLu(radarr).every((m) => typeof m.title === 'string' && m.title.length > 0)).toBe(true)
    kometa(radarr)
    const list = JSON.parse(radarr) as Record<string, unknown>[]
    expect(list.map((m) => m.rank)).toEqual(list.map((_, i) => i + 1))
    expect(list.every((m) => m.mediatype === 'movie' && m.adult === false)).toBe(true)
    expect(radarr).not.toContain('null')
    expect(list.some((m) => m.title === XSS_SCRIPT)).toBe(true) // hostile titles stay plain strings

    const sonarr = (await r.sonarr()) as string
    expect(sonarrCustom(sonarr).length).toBeGreaterThan(0)
    kometa(sonarr)
    expect(sonarr).not.toContain('null')
    expect((JSON.parse(sonarr) as { title: string }[]).some((s) => s.title === XSS_IMG)).toBe(true)

    // Sticky: the top 10 of any run of the week holds more titles than one run's top 10.
    const top10 = JSON.parse((await r.list('movies-top10')) as string) as { id?: number; imdb_id?: string }[]
    const top50 = JSON.parse((await r.list('movies-top50')) as string) as unknown[]
    expect(top10.length).toBeGreaterThan(0)
    expect(top50.length).toBeGreaterThanOrEqual(top10.length)
    const check = new Database(seeded, { readonly: true })
    const latestTop10 = check
      .prepare(`SELECT COUNT(*) FROM charts WHERE "window" = 'day' AND kind = 'movie' AND time = ? AND rank <= 10`)
      .pluck()
      .get(T) as number
    check.close()
    expect(top10.length).toBeGreaterThan(latestTop10 - 3) // at least the latest top 10 with ids
    sonarrCustom((await r.list('series-top10')) as string)

    for (const size of [10, 50]) {
      const plex = (await r.plex(size)) as string
      expect(plexImport(plex, 'radarr').length).toBeGreaterThan(0)
      expect(plexImport(plex, 'sonarr').length).toBeGreaterThan(0)
    }

    const rss = (await r.rss()) as string
    const rssItems = items(rss)
    expect(rssItems.length).toBeGreaterThan(0)
    const guids = rssItems.map((i) => text(i.guid))
    expect(new Set(guids).size).toBe(guids.length)
    expect(guids.every((g) => /^https:\/\/h\.example\/trends\/(movie|series)\/\d+\/#chart-2026-11-20$/.test(g))).toBe(
      true,
    )
    for (const i of rssItems) expect(String(i.description)).not.toMatch(/<(script|img)/i)
    // Given to Radarr or Sonarr as a Plex RSS list by mistake, the chart RSS fails the sync (no id in
    // its guids) rather than passing as an empty list.
    expect(() => plexImport(rss, 'radarr')).toThrow(/UnsupportedFeedException/)
    expect(() => plexImport(rss, 'sonarr')).toThrow(/UnsupportedFeedException/)
  })

  it('an empty run keeps the previous lists', async () => {
    const r = await routes(seeded)
    const before = { radarr: await r.radarr(), sonarr: await r.sonarr(), plex: await r.plex(10), rss: await r.rss() }
    // A later run that ranked nothing (every score 0): the engine's latest run moves on, no chart is written.
    const db = openDb(seeded)
    try {
      db.$client
        .prepare(
          `INSERT INTO media_trends (media_id, time, engine, score, rank, torrents)
           SELECT media_id, ?, engine, 0, rank, torrents FROM media_trends WHERE time = ?`,
        )
        .run(T + 4 * 3600, T)
      refreshSiteData(
        db,
        { title: 'mediastrends', baseUrl: 'http://localhost:4321/', engine: 'velocity' },
        T + 4 * 3600,
      )
      expect(db.$client.prepare(`SELECT COUNT(*) FROM charts WHERE "window" = 'day' AND time > ?`).pluck().get(T)).toBe(
        0,
      )
    } finally {
      closeDb(db)
    }
    const fresh = await routes(join(dir, 'seed.db'))
    expect({
      radarr: await fresh.radarr(),
      sonarr: await fresh.sonarr(),
      plex: await fresh.plex(10),
      rss: await fresh.rss(),
    }).toEqual(before)
  })

  it('a site with no chart yet writes no list at all (a missing list fails a sync; an empty one cleans)', async () => {
    const empty = join(dir, 'empty.db')
    seedSiteDb(empty, { empty: true })
    const r = await routes(empty)
    expect(await r.radarr()).toBeNull()
    expect(await r.sonarr()).toBeNull()
    expect(await r.list('movies-top10')).toBeNull()
    expect(await r.plex(50)).toBeNull()
    expect(items((await r.rss()) as string)).toEqual([]) // the chart RSS may be empty: readers keep their items
  })
})
