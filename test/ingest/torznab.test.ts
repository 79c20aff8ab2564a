import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  categorize,
  FeedFormatError,
  feedUrl,
  normalizeImdb,
  parseTorznab,
  safeDetailsUrl,
  toCount,
} from '../../pipeline/ingest/torznab.ts'

const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8')
const feedOf = (xml: string) => {
  const r = parseTorznab(xml)
  if (r.kind !== 'feed') throw new Error(`expected a feed, got ${JSON.stringify(r)}`)
  return r
}

describe('parseTorznab: Jackett shape', () => {
  const { items, bad } = feedOf(fixture('jackett-feed.xml'))

  it('reads every item', () => {
    expect(bad).toEqual([])
    expect(items.map((i) => i.title)).toEqual([
      'Dune.Part.Two.2024.MULTi.2160p.WEB-DL.DDP5.1.Atmos.HDR.H.265-FLUX',
      'The.Last.of.Us.S02E03.MULTi.1080p.WEB.H264-SuccessfulCrab',
      'Amélie & Nino (2001) [1080p] "remastered"',
    ])
  })

  it('takes size and grabs from plain elements, seeders/peers from attrs, imdbid', () => {
    const dune = items[0]
    expect(dune).toMatchObject({
      size: 18_468_359_372,
      grabs: 1342,
      files: 3,
      seeders: 412,
      peers: 455,
      imdbId: 'tt15239678',
      categories: [2000, 102183],
      pubDate: Date.UTC(2026, 10, 23, 21, 14, 3) / 1000,
      comments: 'https://www.yggtorrent.example/torrent/filmvideo/film/1187654-dune-part-two-2024',
    })
    expect(dune?.link).toContain('/dl/yggtorrent/?jackett_apikey=')
    expect(dune?.link).toContain('&path=Q2ZESjhH') // &amp; decoded
    expect(dune?.infoHash).toBeUndefined()
    expect(dune?.leechers).toBeUndefined()
  })

  it('normalises the infohash attribute (upper-case hex) and keeps the magnet', () => {
    const tlou = items[1]
    expect(tlou?.infoHash).toBe('a3f1c2d4e5b6978812ab34cd56ef7890a1b2c3d4')
    expect(tlou?.magnetUrl).toMatch(/^magnet:\?xt=urn:btih:A3F1/)
    expect(tlou?.magnetUrl).toContain('&tr=http%3A%2F%2Ftracker')
    expect(tlou?.tvdbId).toBe(392256)
  })

  it('decodes a base32 infohash, an offset pubDate, entities; 0 ids mean none; no link', () => {
    const amelie = items[2]
    expect(amelie?.infoHash).toBe('a3af446e9d56f30d4abcc20b7b38d9d86658e98c')
    expect(amelie?.pubDate).toBe(Date.UTC(2026, 10, 22, 7, 0, 0) / 1000)
    expect(amelie?.tmdbId).toBeUndefined()
    expect(amelie?.imdbId).toBe('tt0211915')
    expect(amelie?.size).toBeUndefined() // <size>0</size> means unknown
    expect(amelie?.link).toBeUndefined()
    expect(amelie?.comments).toBeUndefined()
    expect(amelie?.guid).toBe('https://www.yggtorrent.example/torrent/filmvideo/film/55555-amelie')
  })
})

describe('parseTorznab: Prowlarr shape', () => {
  const { items } = feedOf(fixture('prowlarr-feed.xml'))

  it('reads imdb (not imdbid), tmdbid and tmdb, grabs/files as attrs', () => {
    expect(items[0]).toMatchObject({
      imdbId: 'tt15398776',
      tmdbId: 872585,
      grabs: 5012,
      files: 1,
      seeders: 230,
      peers: 244,
      size: 4_187_593_113,
      infoHash: '0a1b2c3d4e5f60718293a4b5c6d7e8f901234567',
      categories: [2000, 100037],
    })
    expect(items[1]).toMatchObject({ imdbId: 'tt11280740', tmdbId: 95396, tvdbId: 371980, categories: [5000, 5045] })
    expect(items[1]?.link).toContain('/7/download?apikey=')
  })
})

describe('parseTorznab: errors and malformed feeds', () => {
  it('returns a Torznab <error> as such', () => {
    expect(
      parseTorznab('<?xml version="1.0" encoding="UTF-8"?>\n<error code="100" description="Invalid API Key" />'),
    ).toEqual({ kind: 'error', code: '100', description: 'Invalid API Key' })
  })

  it('takes a magnet sent in <link> when there is no magneturl attribute', () => {
    const m = 'magnet:?xt=urn:btih:a3f1c2d4e5b6978812ab34cd56ef7890a1b2c3d4&amp;tr=udp%3A%2F%2Fx.example%3A1'
    const [item] = feedOf(`<rss><channel><item><title>x</title><link>${m}</link></item></channel></rss>`).items
    expect(item?.magnetUrl).toBe(m.replace('&amp;', '&'))
    expect(item?.link).toBeUndefined()
  })

  it('an empty channel is an empty feed', () => {
    expect(feedOf('<rss version="2.0"><channel><title>x</title></channel></rss>').items).toEqual([])
    expect(feedOf('<rss version="2.0"><channel></channel></rss>').items).toEqual([])
  })

  it('keeps the good items of a malformed feed and reports the bad one', () => {
    const xml = fixture('jackett-feed.xml').replace(
      '<title>The.Last.of.Us.S02E03.MULTi.1080p.WEB.H264-SuccessfulCrab</title>',
      '<title>The.Last.of.Us & Friends <b>broken</title>',
    )
    const r = feedOf(xml)
    expect(r.items.map((i) => i.title)).toEqual([
      'Dune.Part.Two.2024.MULTi.2160p.WEB-DL.DDP5.1.Atmos.HDR.H.265-FLUX',
      'Amélie & Nino (2001) [1080p] "remastered"',
    ])
    expect(r.bad).toHaveLength(1)
    expect(r.bad[0]).toMatch(/^item 2 "The.Last.of.Us & Friends <b>broken": malformed XML: /)
  })

  it('throws FeedFormatError for HTML, truncated XML and other roots', () => {
    expect(() => parseTorznab('<html><body>Login</body></html>')).toThrow(FeedFormatError)
    expect(() => parseTorznab('<rss><channel><item><title>x</title>')).toThrow(/malformed XML/)
    expect(() => parseTorznab('')).toThrow(FeedFormatError)
    expect(() => parseTorznab('{"error":"nope"}')).toThrow(FeedFormatError)
  })
})

describe('categories', () => {
  it('maps standard ranges and prefers a standard category over a site one', () => {
    expect(categorize([2000, 102183])).toEqual({ category: 'movies', feedCategory: 2000 })
    expect(categorize([102184, 5040])).toEqual({ category: 'series', feedCategory: 5040 })
    expect(categorize([2999])).toEqual({ category: 'movies', feedCategory: 2999 })
    expect(categorize([3000], 'movies')).toEqual({ category: 'unknown', feedCategory: 3000 })
    expect(categorize([1999, 5000]).category).toBe('unknown') // first standard one decides
  })
  it('site-specific only: the category the feed was asked for, else unknown', () => {
    expect(categorize([102183], 'movies')).toEqual({ category: 'movies', feedCategory: 102183 })
    expect(categorize([102183])).toEqual({ category: 'unknown', feedCategory: 102183 })
    expect(categorize([], 'series')).toEqual({ category: 'unknown', feedCategory: null })
  })
})

describe('ids and numbers', () => {
  it('normalises imdb ids to tt + at least 7 digits', () => {
    expect(normalizeImdb('tt0111161')).toBe('tt0111161')
    expect(normalizeImdb('111161')).toBe('tt0111161')
    expect(normalizeImdb('0111161')).toBe('tt0111161')
    expect(normalizeImdb('TT15239678')).toBe('tt15239678')
    expect(normalizeImdb('0')).toBeUndefined()
    expect(normalizeImdb('')).toBeUndefined()
    expect(normalizeImdb('tt')).toBeUndefined()
    expect(normalizeImdb('n/a')).toBeUndefined()
  })
  it('counts are whole non-negative numbers', () => {
    expect(toCount('12')).toBe(12)
    expect(toCount(' 7 ')).toBe(7)
    expect(toCount('-1')).toBeUndefined()
    expect(toCount('1.5')).toBeUndefined()
    expect(toCount('')).toBeUndefined()
  })
})

describe('feedUrl', () => {
  const base = { scheme: 'http', netloc: '127.0.0.1:9117', apikey: 'k3y-secret', action: 'search' }
  it('builds a Jackett URL with an empty q and the params', () => {
    const u = new URL(
      feedUrl({
        ...base,
        path: '/api/v2.0/indexers/{indexer}/results/torznab/',
        indexer: 'yggtorrent',
        params: { cat: '2000,2040' },
      }),
    )
    expect(u.pathname).toBe('/api/v2.0/indexers/yggtorrent/results/torznab/')
    expect(Object.fromEntries(u.searchParams)).toEqual({ t: 'search', q: '', cat: '2000,2040', apikey: 'k3y-secret' })
  })
  it('builds a Prowlarr URL, lets params override t, and omits a missing key', () => {
    const u = new URL(
      feedUrl({ ...base, apikey: undefined, path: '/{indexer}/api', indexer: '7', params: { t: 'movie' } }),
    )
    expect(u.pathname).toBe('/7/api')
    expect(u.searchParams.get('t')).toBe('movie')
    expect(u.searchParams.has('apikey')).toBe(false)
  })
})

describe('safeDetailsUrl', () => {
  const free = (s: string) => !s.includes('s3cr3t-key')
  it('removes credential parameters and user info', () => {
    expect(safeDetailsUrl('https://a.example/details.php?id=5&passkey=abc&apikey=s3cr3t-key', free)).toBe(
      'https://a.example/details.php?id=5',
    )
    expect(safeDetailsUrl('https://user:pw@a.example/t/5', free)).toBe('https://a.example/t/5')
  })
  it('drops URLs that still carry a secret, and non-http ones', () => {
    expect(safeDetailsUrl('https://a.example/s3cr3t-key/t/5', free)).toBeUndefined()
    expect(safeDetailsUrl('magnet:?xt=urn:btih:abc', free)).toBeUndefined()
    expect(safeDetailsUrl('not a url', free)).toBeUndefined()
    expect(safeDetailsUrl(undefined, free)).toBeUndefined()
  })
})
