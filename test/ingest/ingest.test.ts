/**
 * `torrents add` end to end: a real Torznab server on 127.0.0.1 (Jackett and Prowlarr shapes),
 * real .torrent files, a real SQLite database.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  startTorznabServer,
  type TorznabItemSpec,
  type TorznabServer,
  torznabErrorXml,
} from '../../devkit/servers/torznab.ts'
import { makeMagnet, makeTorrent } from '../../devkit/torrent-file.ts'
import { UserError } from '../../pipeline/core/errors.ts'
import { selectFeeds, torrentsAdd } from '../../pipeline/ingest/command.ts'
import { APIKEY, dumpDb, ingestContext, NOW_S, OPEN, rowCounts, YGG } from './helpers.ts'

type Row = Record<string, unknown>

const torrentA = makeTorrent({
  name: 'Dune.Part.Two.2024.2160p.WEB-DL-FLUX',
  length: 18_000_000_000,
  announce: [`${YGG}/passkey0123/announce`],
  creationDate: NOW_S - 7200,
})
const torrentB = makeTorrent({
  name: 'Oppenheimer.2023.1080p.BluRay.x264-SPARKS',
  length: 9_000_000_000,
  announce: [[`${YGG}/pk/announce`], [`${OPEN}/announce`, 'udp://off.example:1337/announce']],
  creationDate: NOW_S - 5000,
})
const torrentE = makeTorrent({ name: 'Unknown.Tracker.2026.720p', announce: ['udp://elsewhere.example:80/announce'] })
const hashC = 'c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00'
const hashD = 'd00dd00dd00dd00dd00dd00dd00dd00dd00dd00d'
const hashF = 'f00df00df00df00df00df00df00df00df00df00d'
const hashK = '0123456789abcdef0123456789abcdef01234567'
const hashL = '1111111111222222222233333333334444444444'

const jackettItems: TorznabItemSpec[] = [
  {
    title: 'Dune.Part.Two.2024.2160p.WEB-DL-FLUX',
    categories: [2000, 102183],
    size: 18_000_000_001,
    pubDate: NOW_S - 3600,
    seeders: 40,
    leechers: 10,
    grabs: 300,
    imdb: 'tt15239678',
    download: { torrent: torrentA.bytes },
  },
  {
    title: 'Oppenheimer.2023.1080p.BluRay.x264-SPARKS',
    categories: [2040],
    download: { torrent: torrentB.bytes },
    seeders: 5,
    leechers: 1,
  },
  {
    title: 'Magnet.Only.Movie.2026.1080p',
    categories: [2000],
    comments: `https://indexer.example/details.php?id=42&apikey=${APIKEY}`,
    infoHash: hashC.toUpperCase(),
    magnet: makeMagnet(hashC, { trackers: [`${OPEN}/announce`] }),
    seeders: 3,
    tmdb: 550,
    tmdbAttr: 'tmdb',
  },
  {
    title: 'Redirected.Magnet.2026.1080p',
    categories: [2000],
    download: { magnet: makeMagnet(hashD, { name: 'Redirected', trackers: [`${YGG}/x/announce`] }) },
  },
  { title: 'Unknown.Tracker.2026.720p', categories: [2000], download: { torrent: torrentE.bytes } },
  { title: 'Trackerless.Magnet.2026', categories: [2000], magnet: makeMagnet(hashF) },
  { title: 'Bad.Bencode.2026', categories: [2000], download: { body: 'd8:announce' } },
  {
    title: 'Slow.Download.2026',
    categories: [2000],
    download: { delayMs: 3000, serve: { torrent: torrentA.bytes } },
  },
  { title: 'No.Hash.No.Link.2026', categories: [2000], seeders: 1 },
  { title: 'Gone.404.2026', categories: [2000], download: { status: 404 } },
  {
    title: 'Base32.Magnet.2026',
    categories: [2000],
    magnet: makeMagnet(hashK, { base32: true, trackers: [`${OPEN}/announce`] }),
  },
  {
    title: 'Site.Category.Only.2026',
    categories: [102183],
    infoHash: hashL,
    magnet: makeMagnet(hashL, { trackers: [`${YGG}/announce`] }),
  },
  { title: 'Malformed', rawXml: '    <item><title>Broken & unescaped <b></title></item>\n' },
]

describe('torrents add against a Jackett-shaped server', () => {
  let srv: TorznabServer
  let ctx: ReturnType<typeof ingestContext>
  let first: Awaited<ReturnType<typeof torrentsAdd>>
  let stderr = ''

  beforeAll(async () => {
    srv = await startTorznabServer({ flavor: 'jackett', apikey: APIKEY, indexers: { ygg: { items: jackettItems } } })
    ctx = ingestContext(srv, {
      ygg: { movies: { active: true, action: 'search', params: { cat: 2000 } }, series: { active: false } },
    })
    first = await torrentsAdd(ctx, { categories: ['movies'], indexer: 'ygg' })
    stderr = ctx.logs.text()
  })
  afterAll(async () => {
    ctx?.close()
    ctx?.dirs.cleanup()
    await srv?.close()
  })

  it('asks the feed with t, an empty q, the params and the key', () => {
    const feed = srv.requests.find((r) => r.kind === 'feed')
    expect(feed?.path).toBe('/api/v2.0/indexers/ygg/results/torznab/')
    // limit: the indexer's `limits max` from its caps (asked once, before the feed)
    expect(Object.fromEntries(feed?.query ?? [])).toEqual({
      t: 'search',
      q: '',
      cat: '2000',
      limit: '100',
      apikey: APIKEY,
    })
    expect(srv.requests.filter((r) => r.kind === 'caps')).toHaveLength(1)
  })

  it('counts what happened to every item and fails the step', () => {
    expect(first.counts).toEqual({
      feeds: 1,
      feeds_failed: 0,
      fetched: 13,
      kept: 6,
      skipped: 2,
      duplicates: 0,
      failed: 5,
      downloads: 7,
      remembered: 0,
    })
    expect(first.ok).toBe(false)
    const errors = first.errors.join('\n')
    expect(errors).toMatch(/Bad\.Bencode\.2026.*not a \.torrent file|Bad\.Bencode\.2026.*invalid/)
    expect(errors).toMatch(/Slow\.Download\.2026.*timed out/)
    expect(errors).toMatch(/No\.Hash\.No\.Link\.2026.*no info hash, no magnet and no download link/)
    expect(errors).toMatch(/Gone\.404\.2026.*HTTP 404/)
    expect(errors).toMatch(/item 13 "Broken & unescaped <b>": malformed XML/)
  })

  it('stores the kept torrents with their fields', () => {
    const rows = ctx
      .db()
      .$client.prepare(
        'SELECT info_hash, name, pub_date, size, status, category, feed_category, indexer, details_url, imdb_id, tmdb_id, added_at FROM torrents ORDER BY name',
      )
      .all() as Row[]
    const by = Object.fromEntries(rows.map((r) => [r.name, r]))
    expect(Object.keys(by).sort()).toEqual(
      [
        'Base32.Magnet.2026',
        'Dune.Part.Two.2024.2160p.WEB-DL-FLUX',
        'Magnet.Only.Movie.2026.1080p',
        'Oppenheimer.2023.1080p.BluRay.x264-SPARKS',
        'Redirected.Magnet.2026.1080p',
        'Site.Category.Only.2026',
      ].sort(),
    )
    expect(by['Dune.Part.Two.2024.2160p.WEB-DL-FLUX']).toEqual({
      info_hash: torrentA.infoHash,
      name: 'Dune.Part.Two.2024.2160p.WEB-DL-FLUX',
      pub_date: NOW_S - 3600, // the feed's pubDate
      size: 18_000_000_001, // the feed's size wins over the metainfo's
      status: 'new',
      category: 'movies',
      feed_category: 2000,
      indexer: 'ygg',
      details_url: 'https://indexer.example/torrent/ygg/1',
      imdb_id: 'tt15239678',
      tmdb_id: null,
      added_at: NOW_S,
    })
    // no pubDate/size in the feed: the metainfo's size and creation date
    expect(by['Oppenheimer.2023.1080p.BluRay.x264-SPARKS']).toMatchObject({
      info_hash: torrentB.infoHash,
      size: 9_000_000_000,
      pub_date: NOW_S - 5000,
      feed_category: 2040,
    })
    expect(by['Magnet.Only.Movie.2026.1080p']).toMatchObject({
      info_hash: hashC,
      tmdb_id: 550,
      details_url: 'https://indexer.example/details.php?id=42', // the key stripped
    })
    // neither pubDate nor creation date (a magnet): the run clock
    expect(by['Redirected.Magnet.2026.1080p']).toMatchObject({ info_hash: hashD, pub_date: NOW_S, size: null })
    expect(by['Base32.Magnet.2026']).toMatchObject({ info_hash: hashK })
    expect(by['Site.Category.Only.2026']).toMatchObject({ category: 'movies', feed_category: 102183 })
  })

  it('links every torrent to each matching active tracker only', () => {
    const links = ctx
      .db()
      .$client.prepare(
        'SELECT t.name AS torrent, k.name AS tracker FROM torrent_trackers l JOIN torrents t ON t.id = l.torrent_id JOIN trackers k ON k.id = l.tracker_id ORDER BY 1, 2',
      )
      .all()
    expect(links).toEqual([
      { torrent: 'Base32.Magnet.2026', tracker: 'open' },
      { torrent: 'Dune.Part.Two.2024.2160p.WEB-DL-FLUX', tracker: 'ygg' },
      { torrent: 'Magnet.Only.Movie.2026.1080p', tracker: 'open' },
      { torrent: 'Oppenheimer.2023.1080p.BluRay.x264-SPARKS', tracker: 'open' },
      { torrent: 'Oppenheimer.2023.1080p.BluRay.x264-SPARKS', tracker: 'ygg' },
      { torrent: 'Redirected.Magnet.2026.1080p', tracker: 'ygg' },
      { torrent: 'Site.Category.Only.2026', tracker: 'ygg' },
    ])
    const trackers = ctx.db().$client.prepare('SELECT name, scheme, netloc, path FROM trackers ORDER BY name').all()
    expect(trackers).toEqual([
      { name: 'open', scheme: 'udp', netloc: 'open.example:6969', path: '/announce' },
      { name: 'ygg', scheme: 'http', netloc: 'tracker.ygg.example:8080', path: '/announce' },
    ])
  })

  it('writes a status_history "new" row and the indexer numbers at the run clock', () => {
    const s = ctx.db().$client
    expect(s.prepare("SELECT count(*) AS n FROM status_history WHERE status = 'new' AND time = ?").get(NOW_S)).toEqual({
      n: 6,
    })
    const stats = s
      .prepare(
        'SELECT t.name, i.time, i.indexer, i.seeders, i.leechers, i.grabs FROM indexer_stats i JOIN torrents t ON t.id = i.torrent_id ORDER BY t.name',
      )
      .all()
    expect(stats).toEqual([
      {
        name: 'Dune.Part.Two.2024.2160p.WEB-DL-FLUX',
        time: NOW_S,
        indexer: 'ygg',
        seeders: 40,
        leechers: 10,
        grabs: 300,
      },
      { name: 'Magnet.Only.Movie.2026.1080p', time: NOW_S, indexer: 'ygg', seeders: 3, leechers: 0, grabs: null },
      {
        name: 'Oppenheimer.2023.1080p.BluRay.x264-SPARKS',
        time: NOW_S,
        indexer: 'ygg',
        seeders: 5,
        leechers: 1,
        grabs: null,
      },
    ])
  })

  it('never lets the API key out: not in the database, the errors or the logs', () => {
    expect(dumpDb(ctx)).not.toContain(APIKEY)
    expect(first.errors.join('\n')).not.toContain(APIKEY)
    expect(stderr).not.toContain(APIKEY)
    expect(stderr).toContain('ygg/movies: 6 new, 0 already known, 2 skipped (no known tracker), 5 failed')
  })

  it('a second run adds nothing and downloads no known torrent again', async () => {
    const before = rowCounts(ctx)
    const n = srv.requests.length
    const again = await torrentsAdd(ctx, { categories: ['movies'], indexer: 'ygg' })
    // the 2 skipped and the 4 failed items are remembered; the malformed XML item fails again
    expect(again.counts).toMatchObject({ fetched: 13, kept: 0, duplicates: 6, skipped: 0, failed: 1, remembered: 6 })
    expect(again.counts.downloads).toBe(0)
    expect(rowCounts(ctx)).toEqual(before)
    // items 1, 2 and 4 are known by their details page, the others remembered: nothing is downloaded again
    expect(srv.requests.slice(n).filter((r) => r.kind === 'download')).toEqual([])
  })

  it('a later run only adds the indexer numbers of that time', async () => {
    const before = rowCounts(ctx)
    const later = ingestContext(srv, {}, { now: '2026-11-24T20:00:00Z' })
    // same database, later clock
    const ctx2 = Object.assign(Object.create(ctx), { clock: later.clock })
    later.dirs.cleanup()
    const r = await torrentsAdd(ctx2, { categories: ['movies'], indexer: 'ygg' })
    expect(r.counts.kept).toBe(0)
    expect(rowCounts(ctx)).toEqual({ ...before, indexer_stats: (before.indexer_stats ?? 0) + 3 })
  })
})

describe('torrents add against a Prowlarr-shaped server', () => {
  let srv: TorznabServer
  let ctx: ReturnType<typeof ingestContext>
  const movie = makeTorrent({ name: 'Oppenheimer 2023 1080p', length: 4_000_000_000, announce: [`${OPEN}/announce`] })
  const show = makeTorrent({ name: 'Severance S02E01', announce: [`${YGG}/announce`] })

  beforeAll(async () => {
    srv = await startTorznabServer({
      flavor: 'prowlarr',
      apikey: APIKEY,
      indexers: {
        '7': {
          items: (q) =>
            q.get('t') === 'movie'
              ? [
                  {
                    title: 'Oppenheimer 2023 1080p',
                    categories: [2000, 100037],
                    imdb: 15398776,
                    tmdb: 872585,
                    seeders: 230,
                    leechers: 14,
                    grabs: 5012,
                    files: 1,
                    download: { torrent: movie.bytes },
                  },
                ]
              : [
                  {
                    title: 'Severance S02E01',
                    categories: [5040],
                    imdb: 'tt11280740',
                    tvdb: 371980,
                    download: { torrent: show.bytes },
                  },
                ],
        },
      },
    })
    ctx = ingestContext(srv, {
      '7': {
        movies: { action: 'movie', params: { cat: '2000' } },
        series: { action: 'tvsearch', params: { cat: 5000 } },
      },
    })
  })
  afterAll(async () => {
    ctx?.close()
    ctx?.dirs.cleanup()
    await srv?.close()
  })

  it('reads both categories of the indexer through /{id}/api', async () => {
    const r = await torrentsAdd(ctx, { categories: [], indexer: '7' })
    expect(r).toMatchObject({ ok: true, errors: [] })
    expect(r.counts).toMatchObject({ feeds: 2, fetched: 2, kept: 2, failed: 0 })
    const feeds = srv.requests.filter((x) => x.kind === 'feed')
    expect(feeds.map((f) => `${f.path}?${f.query.get('t')}&${f.query.get('cat')}`)).toEqual([
      '/7/api?movie&2000',
      '/7/api?tvsearch&5000',
    ])
    expect(srv.requests.filter((x) => x.kind === 'download').map((x) => x.path)).toEqual(['/7/download', '/7/download'])
    const rows = ctx
      .db()
      .$client.prepare('SELECT info_hash, category, imdb_id, tmdb_id, tvdb_id, size FROM torrents ORDER BY category')
      .all()
    expect(rows).toEqual([
      {
        info_hash: movie.infoHash,
        category: 'movies',
        imdb_id: 'tt15398776',
        tmdb_id: 872585,
        tvdb_id: null,
        size: 4_000_000_000,
      },
      {
        info_hash: show.infoHash,
        category: 'series',
        imdb_id: 'tt11280740',
        tmdb_id: null,
        tvdb_id: 371980,
        size: show.length,
      },
    ])
    expect(
      ctx.db().$client.prepare('SELECT seeders, leechers, grabs FROM indexer_stats ORDER BY seeders DESC').all(),
    ).toEqual([{ seeders: 230, leechers: 14, grabs: 5012 }])
    expect(dumpDb(ctx)).not.toContain(APIKEY)
  })
})

describe('feeds that fail', () => {
  let srv: TorznabServer
  let ctx: ReturnType<typeof ingestContext>
  const good = makeTorrent({ name: 'Good.Movie.2026', announce: [`${YGG}/announce`] })
  const goodItems: TorznabItemSpec[] = [
    { title: 'Good.Movie.2026', categories: [2000], download: { torrent: good.bytes } },
  ]

  beforeAll(async () => {
    srv = await startTorznabServer({
      flavor: 'jackett',
      apikey: APIKEY,
      indexers: {
        autherr: { items: goodItems, fault: { error: { code: 100, description: 'Invalid API Key', status: 200 } } },
        limited: { items: goodItems, faults: [{ status: 429, retryAfter: 1 }] },
        down: { items: [], fault: { status: 503, body: torznabErrorXml(900, 'Cloudflare protection') } },
        slow: { items: [], fault: { delayMs: 3000 } },
        html: { items: [], fault: { raw: '<html><body>Please log in</body></html>', contentType: 'text/html' } },
        gone: { items: [], fault: { status: 404, body: 'nothing here' } },
      },
    })
    ctx = ingestContext(srv, {
      autherr: { movies: {} },
      limited: { movies: {} },
      down: { movies: {} },
      slow: { movies: {} },
      html: { movies: {} },
      gone: { movies: {} },
    })
  })
  afterAll(async () => {
    ctx?.close()
    ctx?.dirs.cleanup()
    await srv?.close()
  })

  it('reports each failure on one line (once: in the errors, not in the logs), goes on with the next feed, and fails the step', async () => {
    const r = await torrentsAdd(ctx, { categories: ['movies'] })
    const stderr = ctx.logs.text()
    expect(r.ok).toBe(false)
    expect(r.counts).toMatchObject({ feeds: 6, feeds_failed: 5, kept: 1, failed: 0 })
    for (const e of r.errors) expect(stderr).not.toContain(e)
    const line = (re: RegExp) => r.errors.filter((l) => re.test(l))
    expect(line(/feed autherr\/movies: Torznab error 100: Invalid API Key \(HTTP 200\)/)).toHaveLength(1)
    expect(line(/feed down\/movies: Torznab error 900: Cloudflare protection \(HTTP 503\)/)).toHaveLength(1)
    expect(line(/feed slow\/movies: timed out after 500 ms/).length).toBeGreaterThanOrEqual(1)
    expect(line(/feed html\/movies: not a Torznab feed|feed html\/movies: malformed XML/)).toHaveLength(1)
    expect(line(/feed gone\/movies: HTTP 404/)).toHaveLength(1)
    expect(r.errors).toHaveLength(5)
    expect(stderr).not.toContain(APIKEY)
    // 503 and timeouts are retried within [retry] tries (2)
    expect(srv.requests.filter((x) => x.indexer === 'down' && x.kind === 'feed')).toHaveLength(2)
  })

  it('honours Retry-After of a 429, then reads the feed', () => {
    const feeds = srv.requests.filter((x) => x.indexer === 'limited' && x.kind === 'feed')
    expect(feeds.map((f) => f.status)).toEqual([429, 200])
    expect((feeds[1]?.time ?? 0) - (feeds[0]?.time ?? 0)).toBeGreaterThanOrEqual(950)
    const names = ctx.db().$client.prepare('SELECT name, indexer FROM torrents').all()
    expect(names).toEqual([{ name: 'Good.Movie.2026', indexer: 'limited' }])
  })

  it('a wrong API key is a Torznab error naming code and description, without the key', async () => {
    const wrong = ingestContext(srv, { limited: { movies: {} } }, { apikey: 'wrong-key-123456' })
    try {
      const r = await torrentsAdd(wrong, { categories: ['movies'] })
      const stderr = wrong.logs.text()
      expect(r.ok).toBe(false)
      expect(r.errors).toEqual(['feed limited/movies: Torznab error 100: Invalid API Key (HTTP 401)'])
      expect(stderr).not.toContain('wrong-key-123456')
    } finally {
      wrong.close()
      wrong.dirs.cleanup()
    }
  })
})

describe('which feeds are asked', () => {
  const config = {
    indexers: {
      indexer_file: '/etc/mediastrends/indexers.yaml',
      entries: {
        ygg: {
          trackers: [],
          categories: {
            movies: { key: 'movies', active: true, action: 'search' as const, params: { cat: '2000' } },
            series: { key: 'series', active: false, action: 'tvsearch' as const, params: {} },
          },
        },
        tl: {
          trackers: [],
          categories: { movies: { key: 'movies', active: true, action: 'movie' as const, params: {} } },
        },
        off: {
          trackers: [],
          categories: { movies: { key: 'movies', active: false, action: 'search' as const, params: {} } },
        },
      },
    },
  }
  const names = (o: Parameters<typeof selectFeeds>[1]) =>
    selectFeeds(config, o).map((f) => `${f.indexer}/${f.category}`)

  it('every active indexer and category by default', () => {
    expect(names({ categories: [] })).toEqual(['ygg/movies', 'tl/movies'])
    expect(names({ categories: ['movies'] })).toEqual(['ygg/movies', 'tl/movies'])
    expect(names({ categories: [], indexer: 'ygg' })).toEqual(['ygg/movies'])
    expect(selectFeeds(config, { categories: ['movies'], indexer: 'ygg' })[0]).toEqual({
      indexer: 'ygg',
      category: 'movies',
      key: 'movies',
      action: 'search',
      params: { cat: '2000' },
    })
  })

  it('unknown or inactive entries are user errors naming the file and the key', () => {
    const err = (o: Parameters<typeof selectFeeds>[1]) => {
      try {
        selectFeeds(config, o)
      } catch (e) {
        expect(e).toBeInstanceOf(UserError)
        return (e as Error).message
      }
      throw new Error('expected a UserError')
    }
    expect(err({ categories: [], indexer: 'nope' })).toBe(
      '/etc/mediastrends/indexers.yaml: no indexer "nope" (indexers: ygg, tl, off)',
    )
    expect(err({ categories: ['series'], indexer: 'ygg' })).toBe(
      '/etc/mediastrends/indexers.yaml: ygg.series is not active (active: false)',
    )
    expect(err({ categories: ['series'], indexer: 'tl' })).toBe(
      '/etc/mediastrends/indexers.yaml: indexer "tl" has no "series" entry',
    )
    expect(err({ categories: [], indexer: 'off' })).toBe(
      '/etc/mediastrends/indexers.yaml: indexer "off" has no active category',
    )
    expect(err({ categories: ['series'] })).toBe('/etc/mediastrends/indexers.yaml: no active indexer for series')
    expect(err({ categories: ['music'] })).toMatch(/unknown category "music"/)
    expect(() => selectFeeds({ indexers: { indexer_file: 'x.yaml', entries: {} } }, { categories: [] })).toThrow(
      'x.yaml: no indexer configured',
    )
  })
})

describe('a hash seen again', () => {
  let srv: TorznabServer
  let ctx: ReturnType<typeof ingestContext>
  const hash = 'abcabcabcabcabcabcabcabcabcabcabcabcabca'

  beforeAll(async () => {
    srv = await startTorznabServer({
      flavor: 'jackett',
      apikey: APIKEY,
      indexers: {
        first: {
          items: [
            {
              title: 'First.Name.2026',
              categories: [8000], // "other": unknown
              pubDate: NOW_S - 86_400,
              magnet: makeMagnet(hash, { trackers: [`${OPEN}/announce`] }),
            },
          ],
        },
        // a hash without trackers: recognised without any download, still fills what is missing
        third: { items: [{ title: 'Third.Name', categories: [5000], infoHash: hash, tmdb: 999, seeders: 4 }] },
        second: {
          items: [
            {
              title: 'Second.Name.2026.1080p',
              categories: [2000],
              pubDate: NOW_S - 3600,
              size: 123_456,
              imdb: 'tt7654321',
              seeders: 9,
              leechers: 2,
              magnet: makeMagnet(hash, { trackers: [`${YGG}/announce`, `${OPEN}/announce`] }),
            },
          ],
        },
      },
    })
    ctx = ingestContext(srv, { first: { movies: {} }, second: { movies: {} }, third: { series: {} } })
  })
  afterAll(async () => {
    ctx?.close()
    ctx?.dirs.cleanup()
    await srv?.close()
  })

  it('keeps what is stored, fills only the missing fields, links the new tracker', async () => {
    expect((await torrentsAdd(ctx, { categories: [], indexer: 'first' })).counts.kept).toBe(1)
    const r = await torrentsAdd(ctx, { categories: [], indexer: 'second' })
    expect(r.counts).toMatchObject({ kept: 0, duplicates: 1 })
    const s = ctx.db().$client
    expect(
      s.prepare('SELECT name, pub_date, size, category, feed_category, indexer, imdb_id, added_at FROM torrents').all(),
    ).toEqual([
      {
        name: 'First.Name.2026',
        pub_date: NOW_S - 86_400,
        size: 123_456,
        category: 'movies',
        feed_category: 8000,
        indexer: 'first',
        imdb_id: 'tt7654321',
        added_at: NOW_S,
      },
    ])
    expect(s.prepare('SELECT count(*) AS n FROM status_history').get()).toEqual({ n: 1 })
    expect(
      s.prepare('SELECT k.name FROM torrent_trackers l JOIN trackers k ON k.id = l.tracker_id ORDER BY 1').all(),
    ).toEqual([{ name: 'open' }, { name: 'ygg' }])
    expect(s.prepare('SELECT indexer, seeders, leechers FROM indexer_stats').all()).toEqual([
      { indexer: 'second', seeders: 9, leechers: 2 },
    ])
  })

  it('links no tracker to a torrent let go (unfollow is final: it is never scraped again)', async () => {
    const s = ctx.db().$client
    const links = () =>
      s.prepare('SELECT k.name FROM torrent_trackers l JOIN trackers k ON k.id = l.tracker_id ORDER BY 1').pluck().all()
    s.exec("DELETE FROM torrent_trackers WHERE tracker_id = (SELECT id FROM trackers WHERE name = 'ygg')")
    s.exec("UPDATE torrents SET status = 'unfollow'")
    await torrentsAdd(ctx, { categories: [], indexer: 'second' })
    expect(links()).toEqual(['open'])
    s.exec("UPDATE torrents SET status = 'follow'")
    await torrentsAdd(ctx, { categories: [], indexer: 'second' })
    expect(links()).toEqual(['open', 'ygg'])
  })

  it('fills missing fields of a hash known from the feed alone, without downloading', async () => {
    const r = await torrentsAdd(ctx, { categories: [], indexer: 'third' })
    expect(r.counts).toMatchObject({ kept: 0, duplicates: 1, failed: 0 })
    const s = ctx.db().$client
    expect(s.prepare('SELECT name, category, tmdb_id, imdb_id FROM torrents').all()).toEqual([
      { name: 'First.Name.2026', category: 'movies', tmdb_id: 999, imdb_id: 'tt7654321' },
    ])
    expect(s.prepare("SELECT seeders FROM indexer_stats WHERE indexer = 'third'").all()).toEqual([{ seeders: 4 }])
    expect(srv.requests.filter((x) => x.kind === 'download')).toEqual([])
  })
})
