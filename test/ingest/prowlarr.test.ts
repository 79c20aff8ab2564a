/**
 * Jackett and Prowlarr as they behave (shared/ecosystem.md): Prowlarr rewrites `link` and
 * `magneturl` to its own /download endpoint, where every call is a grab on the user's account and
 * a magnet comes back as a 301; both answer an unsupported cat with an empty feed, cap a page at
 * `limits max`, and wait up to 100 s for a site. Real servers on loopback (devkit/servers/torznab.ts).
 */
import { afterEach, describe, expect, it } from 'vitest'
import { startTorznabServer, type TorznabItemSpec, type TorznabServer } from '../../devkit/servers/torznab.ts'
import { makeMagnet } from '../../devkit/torrent-file.ts'
import { parseCaps } from '../../pipeline/ingest/caps.ts'
import { torrentsAdd } from '../../pipeline/ingest/command.ts'
import { APIKEY, ingestContext, NOW, NOW_S, OPEN, YGG } from './helpers.ts'

const open: { close(): unknown }[] = []
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close()
})
async function server(opts: Parameters<typeof startTorznabServer>[0]): Promise<TorznabServer> {
  const srv = await startTorznabServer(opts)
  open.push(srv)
  return srv
}
function context(...args: Parameters<typeof ingestContext>) {
  const ctx = ingestContext(...args)
  open.push({
    close: () => {
      ctx.close()
      ctx.dirs.cleanup()
    },
  })
  return ctx
}
const hash = (n: number) => n.toString(16).padStart(40, 'a')
const downloads = (srv: TorznabServer) => srv.requests.filter((r) => r.kind === 'download')

describe('Prowlarr: no grab for an item that carries its hash', () => {
  // Items as Prowlarr sends them for a public site: infohash attribute, link and magneturl both
  // pointing at /{id}/download, which 301-redirects to the magnet.
  const items: TorznabItemSpec[] = [1, 2, 3].map((n) => ({
    title: `Prowlarr.Movie.${n}.2026.1080p.WEB`,
    categories: [2000],
    pubDate: NOW_S - n * 600,
    infoHash: hash(n),
    magnet: makeMagnet(hash(n), { trackers: [`${OPEN}/announce`] }),
    seeders: 10 * n,
  }))

  it('the feed holds no magnet: URI, and the download endpoint answers 301 to the magnet', async () => {
    const srv = await server({ flavor: 'prowlarr', apikey: APIKEY, indexers: { '12': { items } } })
    const feed = await fetch(`${srv.origin}/12/api?t=search&apikey=${APIKEY}`).then((r) => r.text())
    expect(feed).toContain('name="infohash"')
    expect(feed).not.toContain('magnet:')
    expect(feed).toMatch(/name="magneturl" value="http:\/\/127\.0\.0\.1:\d+\/12\/download\?apikey=/)
    const link = /<link>([^<]+)<\/link>/.exec(feed.split('<item>')[1] ?? '')?.[1]?.replace(/&amp;/g, '&') ?? ''
    const res = await fetch(link, { redirect: 'manual' })
    expect(res.status).toBe(301)
    expect(res.headers.get('location')).toMatch(/^magnet:\?xt=urn:btih:/)
  })

  it('with the trackers declared in indexers.yaml: every item stored, 0 downloads', async () => {
    const srv = await server({ flavor: 'prowlarr', apikey: APIKEY, indexers: { '12': { items } } })
    const ctx = context(srv, { '12': { trackers: ['open'], movies: { params: { cat: 2000 } } } })
    const r = await torrentsAdd(ctx, { categories: ['movies'] })
    expect(r.errors).toEqual([])
    expect(r.counts).toMatchObject({ kept: 3, downloads: 0, failed: 0 })
    expect(downloads(srv)).toEqual([])
    const links = ctx
      .db()
      .$client.prepare(
        'SELECT t.info_hash, tr.name FROM torrent_trackers tt JOIN torrents t ON t.id = tt.torrent_id JOIN trackers tr ON tr.id = tt.tracker_id ORDER BY t.info_hash',
      )
      .all()
    expect(links).toEqual([1, 2, 3].map((n) => ({ info_hash: hash(n), name: 'open' })))
  })

  it('without declared trackers: one grab per item (301 read as a magnet), and none on the next run', async () => {
    const srv = await server({ flavor: 'prowlarr', apikey: APIKEY, indexers: { '12': { items } } })
    const ctx = context(srv, { '12': { movies: { params: { cat: 2000 } } } })
    const r = await torrentsAdd(ctx, { categories: ['movies'] })
    expect(r.counts).toMatchObject({ kept: 3, downloads: 3, failed: 0 })
    expect(downloads(srv).map((d) => d.status)).toEqual([301, 301, 301])
    const again = await torrentsAdd(ctx, { categories: ['movies'] })
    expect(again.counts).toMatchObject({ kept: 0, duplicates: 3, downloads: 0 })
    expect(downloads(srv)).toHaveLength(3)
  })

  it('an item skipped for its trackers is not grabbed again, until trackers.yaml changes', async () => {
    const elsewhere = [
      {
        ...items[0],
        magnet: makeMagnet(hash(9), { trackers: ['udp://elsewhere.example:1/announce'] }),
        infoHash: hash(9),
      },
    ] as TorznabItemSpec[]
    const srv = await server({ flavor: 'prowlarr', apikey: APIKEY, indexers: { '12': { items: elsewhere } } })
    const ctx = context(srv, { '12': { movies: {} } })
    expect((await torrentsAdd(ctx, { categories: ['movies'] })).counts).toMatchObject({ skipped: 1, downloads: 1 })
    expect((await torrentsAdd(ctx, { categories: ['movies'] })).counts).toMatchObject({
      skipped: 0,
      remembered: 1,
      downloads: 0,
    })
    expect(downloads(srv)).toHaveLength(1)
  })
})

describe('caps', () => {
  it('reads limits, categories with subcategories, and search functions', () => {
    const caps = parseCaps(`<?xml version="1.0"?><caps><limits default="50" max="1000"/><searching>
      <search available="yes" supportedParams="q"/><tv-search available="no" supportedParams="q,season,ep"/></searching>
      <categories><category id="2000" name="Movies"><subcat id="2040" name="HD"/></category><category id="100002" name="site"/></categories></caps>`)
    expect(caps.limitsMax).toBe(1000)
    expect(caps.limitsDefault).toBe(50)
    expect([...caps.categories].sort()).toEqual([100002, 2000, 2040])
    expect(caps.functions.get('tvsearch')).toEqual({ available: false, params: ['q', 'season', 'ep'] })
  })

  it('asked once per indexer per run; an unsupported cat is warned about, naming indexer and category; limit = limits max', async () => {
    const items: TorznabItemSpec[] = Array.from({ length: 60 }, (_, i) => ({
      title: `Movie.${i}.2026`,
      categories: [2000],
      magnet: makeMagnet(hash(100 + i), { trackers: [`${OPEN}/announce`] }),
      pubDate: NOW_S - i * 60,
    }))
    const srv = await server({
      flavor: 'jackett',
      apikey: APIKEY,
      indexers: { ygg: { items, caps: { categories: [2000, 2040], limitsMax: 50, limitsDefault: 20 } } },
    })
    const ctx = context(srv, {
      ygg: { movies: { params: { cat: 2000 } }, cat_tv: { action: 'tvsearch', params: { cat: 5000 } } },
    })
    const r = await torrentsAdd(ctx, { categories: [] })
    expect(srv.requests.filter((q) => q.kind === 'caps')).toHaveLength(1)
    const feeds = srv.requests.filter((q) => q.kind === 'feed')
    expect(feeds.map((f) => f.query.get('limit'))).toEqual(['50', '50'])
    expect(r.counts).toMatchObject({ kept: 50 }) // the page holds limits max, not the default 20
    const warnings = ctx.logs.lines.filter((l) => l.type === 'warn').map((l) => l.text)
    expect(warnings).toEqual([
      expect.stringMatching(
        /^ygg\/series: cat 5000 is not among its categories \(it would answer an empty feed\) \(see .*indexers\.yaml: ygg\.cat_tv\)$/,
      ),
    ])
  })
})

describe('a gap between two runs', () => {
  it('is told when the oldest item of a page is newer than the newest seen before', async () => {
    let page: TorznabItemSpec[] = [0, 1, 2].map((i) => ({
      title: `First.${i}.2026`,
      categories: [2000],
      magnet: makeMagnet(hash(200 + i), { trackers: [`${OPEN}/announce`] }),
      pubDate: NOW_S - 3 * 86_400 - i * 60,
    }))
    const srv = await server({ flavor: 'jackett', apikey: APIKEY, indexers: { ygg: { items: () => page } } })
    const ctx = context(srv, { ygg: { movies: {} } })
    await torrentsAdd(ctx, { categories: ['movies'] })
    const gapLines = () => ctx.logs.lines.filter((l) => l.type === 'warn' && /probably missed/.test(l.text))
    expect(gapLines()).toEqual([])
    // the next run sees only items newer than any of the first page: the ones between are gone
    page = [0, 1].map((i) => ({
      title: `Later.${i}.2026`,
      categories: [2000],
      magnet: makeMagnet(hash(300 + i), { trackers: [`${OPEN}/announce`] }),
      pubDate: NOW_S - i * 60,
    }))
    await torrentsAdd(ctx, { categories: ['movies'] })
    expect(gapLines()).toHaveLength(1)
    expect(gapLines()[0]?.text).toMatch(
      /^ygg\/movies: the oldest of these 2 items \(.+\) is newer than the newest one seen before \(.+\): items published in between were probably missed; run `torrents add` more often/,
    )
    // an overlapping page is no gap
    page = [
      ...page,
      {
        title: 'First.0.2026',
        categories: [2000],
        magnet: makeMagnet(hash(200), { trackers: [`${OPEN}/announce`] }),
        pubDate: NOW_S - 3 * 86_400,
      },
    ]
    await torrentsAdd(ctx, { categories: ['movies'] })
    expect(gapLines()).toHaveLength(1)
  })
})

describe('bad input', () => {
  it('a publication date in the future is the time it was fetched', async () => {
    const srv = await server({
      flavor: 'jackett',
      apikey: APIKEY,
      indexers: {
        ygg: {
          items: [
            {
              title: 'Far.Future.2999',
              categories: [2000],
              pubDate: 'Tue, 01 Jan 2999 00:00:00 +0000',
              magnet: makeMagnet(hash(400), { trackers: [`${YGG}/announce`] }),
            },
          ],
        },
      },
    })
    const ctx = context(srv, { ygg: { movies: {} } })
    await torrentsAdd(ctx, { categories: ['movies'] })
    expect(ctx.db().$client.prepare('SELECT pub_date FROM torrents').get()).toEqual({
      pub_date: Date.parse(NOW) / 1000,
    })
  })

  it('an endless feed is cut at max_feed_bytes with one line naming the indexer', async () => {
    const srv = await server({
      flavor: 'jackett',
      apikey: APIKEY,
      indexers: { big: { items: [], fault: { streamBytes: 50_000_000 } } },
    })
    const ctx = context(srv, { big: { movies: {} } }, { extraIni: '[requests]\nmax_feed_bytes = 100000\n' })
    const r = await torrentsAdd(ctx, { categories: ['movies'] })
    expect(r.errors).toEqual([
      "feed big/movies: the reply is larger than the 100000 bytes accepted (cut there); if this indexer's feeds really are that large, raise [requests] max_feed_bytes",
    ])
  })

  it('an entity bomb is not expanded; an external entity is refused, naming the feed', async () => {
    const lol = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">${Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`).join('')}]><rss><channel><item><title>&lol9;</title></item></channel></rss>`
    const ext =
      '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><rss><channel><item><title>&x;</title></item></channel></rss>'
    const srv = await server({
      flavor: 'jackett',
      apikey: APIKEY,
      indexers: { bomb: { items: [], fault: { raw: lol } }, ext: { items: [], fault: { raw: ext } } },
    })
    const ctx = context(srv, { bomb: { movies: {} }, ext: { movies: {} } })
    const r = await torrentsAdd(ctx, { categories: ['movies'] })
    expect(r.counts).toMatchObject({ feeds: 2, feeds_failed: 1, failed: 1 })
    expect(r.errors).toEqual([
      // the bomb's one item is read with its title as written, and fails for having no hash
      'bomb/movies item "&lol9;": no info hash, no magnet and no download link',
      expect.stringMatching(/^feed ext\/movies: .*External entities are not supported/),
    ])
  })
})
