/**
 * The Torznab parser against replies captured from real servers (Jackett, Cardigann, Anime Tosho, MoreThanTV,
 * bitmagnet's examples, Newznab errors and caps), kept in public repositories' test data. Each fixture names its
 * source at the top. Only the values the ingest stage keeps are checked: title, info hash, size, date,
 * category, indexer numbers, ids, download link and the details URL as it would be stored.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  categorize,
  FeedFormatError,
  type FeedItem,
  parseTorznab,
  safeDetailsUrl,
} from '../../pipeline/ingest/torznab.ts'

const real = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures', 'real', name), 'utf8')
const itemsOf = (name: string): FeedItem[] => {
  const r = parseTorznab(real(name))
  if (r.kind !== 'feed') throw new Error(`${name}: expected a feed, got ${JSON.stringify(r)}`)
  expect(r.bad).toEqual([])
  return r.items
}
const at = (items: FeedItem[], i: number): FeedItem => {
  const item = items[i]
  if (!item) throw new Error(`no item ${i}`)
  return item
}
/** The details URL the ingest stage stores (command.ts: <comments>, else an http <guid>). */
const details = (it: FeedItem) =>
  safeDetailsUrl(it.comments ?? (it.guid && /^https?:/i.test(it.guid) ? it.guid : undefined), () => true)
const utc = (y: number, mo: number, d: number, h: number, mi: number, s: number) =>
  Date.UTC(y, mo - 1, d, h, mi, s) / 1000

describe('Jackett, RuTracker (private tracker, .torrent through /dl/)', () => {
  const items = itemsOf('jackett-rutracker.xml')

  it('reads both items with size, date, grabs, seeders and peers', () => {
    expect(items).toHaveLength(2)
    expect(at(items, 0)).toMatchObject({
      title:
        'The Walking Dead: Dead City / S1E1-6 of 6 [2023, WEB-DL 720p] MVO (LostFilm, HDrezka, TVShows) + Original + Sub (Rus, Eng)',
      size: 10_709_966_848,
      pubDate: utc(2023, 7, 24, 5, 26, 11),
      grabs: 4397,
      seeders: 15,
      peers: 23,
      categories: [5040, 100266],
    })
    expect(at(items, 1)).toMatchObject({ size: 19_716_241_408, grabs: 7652, seeders: 57, peers: 65 })
    expect(at(items, 1).pubDate).toBe(utc(2023, 7, 23, 13, 8, 55))
  })

  it('has no hash in the feed (the .torrent must be fetched), and no ids', () => {
    for (const it of items) {
      expect(it.infoHash).toBeUndefined()
      expect(it.magnetUrl).toBeUndefined()
      expect(it.imdbId ?? it.tmdbId ?? it.tvdbId).toBeUndefined()
      expect(it.leechers).toBeUndefined() // stored as peers - seeders
    }
  })

  it('is series (TV/HD + a site category), whatever the feed was asked for', () => {
    expect(categorize(at(items, 0).categories, 'movies')).toEqual({ category: 'series', feedCategory: 5040 })
  })

  it('downloads through Jackett, stores the forum topic, never the key', () => {
    const it0 = at(items, 0)
    expect(it0.link).toMatch(/^http:\/\/localhost:9117\/dl\/rutracker\/\?jackett_apikey=/)
    expect(it0.link).toContain('&file=The+Walking+Dead')
    expect(details(it0)).toBe('https://rutracker.org/forum/viewtopic.php?t=6376416')
    const link = safeDetailsUrl(it0.link, () => true)
    expect(link).not.toContain('jackett_apikey')
    expect(link).toContain('file=The+Walking+Dead')
  })
})

describe('Jackett aggregate ("all") reply with redacted values and a repeated <pubDate>', () => {
  const [item] = itemsOf('jackett-aggregate.xml')

  it('keeps the date although <pubDate> appears twice', () => {
    expect(item?.pubDate).toBe(utc(2023, 12, 8, 23, 0, 0))
  })

  it('reads size, grabs, numbers and the upper-case infohash', () => {
    expect(item).toMatchObject({
      title: 'vid1',
      guid: 'vid1.mkv',
      size: 1_610_612_736,
      grabs: 1200,
      seeders: 84,
      peers: 165,
      categories: [5000],
      infoHash: '38c747c92231b893c6c00cdd8c1e32f6547e21b0',
    })
    expect(categorize(item?.categories ?? []).category).toBe('series')
  })

  it('drops values that are not URLs ("...", "comments") instead of storing them', () => {
    expect(item?.link).toBeUndefined()
    expect(item?.magnetUrl).toBeUndefined()
    expect(item?.comments).toBeUndefined()
    expect(item && details(item)).toBeUndefined()
  })
})

describe('Jackett 2015, The Pirate Bay (magnets everywhere, no category)', () => {
  const items = itemsOf('jackett-tpb-magnet.xml')

  it('takes the hash and trackers from the magnet, and no download link', () => {
    const first = at(items, 0)
    expect(first.infoHash).toBe('9fb267cff5ae5603f07a347676ec3bf3e35f75e1')
    expect(first.magnetUrl).toMatch(/^magnet:\?xt=urn:btih:9fb267cf/)
    expect(first.magnetUrl).toContain('&tr=udp:%2F%2Fopen.demonii.com:1337')
    expect(first.link).toBeUndefined()
    expect(at(items, 1).infoHash).toBe('c1f9f6bade11a4c46028b118053452460ab94be1')
  })

  it('reads a -0600 date, size, seeders and peers', () => {
    expect(at(items, 0)).toMatchObject({
      title: 'Series Title S05E02 HDTV x264-Xclusive [eztv]',
      pubDate: utc(2015, 4, 12, 3, 34, 0),
      size: 388_895_872,
      seeders: 34128,
      peers: 36724,
    })
  })

  it('has no category: the category cannot be decided from the item', () => {
    expect(at(items, 0).categories).toEqual([])
    expect(categorize(at(items, 0).categories, 'series')).toEqual({ category: 'unknown', feedCategory: null })
  })

  it('stores the TPB page as details', () => {
    expect(details(at(items, 0))).toBe(
      'https://thepiratebay.se/torrent/11811366/Series_Title_S05E02_HDTV_x264-Xclusive_[eztv]',
    )
  })
})

describe('Anime Tosho (own Torznab feed: newznab + torznab attrs, details page in <link>)', () => {
  const items = itemsOf('animetosho.xml')

  it('downloads the .torrent enclosure, not the HTML page in <link> nor the NZB', () => {
    expect(at(items, 0).link).toMatch(/^https:\/\/storage\.animetosho\.org\/torrents\/4a1040cc.*\.torrent$/)
    expect(at(items, 1).link).toMatch(/^https:\/\/storage\.animetosho\.org\/torrents\/c7e658f2.*\.torrent$/)
    expect(details(at(items, 0))).toBe(
      'https://animetosho.org/view/golumpa-space-battleship-Yoghurt-01-Achoo-senkan-english.d138816',
    )
  })

  it('decodes the base32 magnet to the same hash as the infohash attribute', () => {
    expect(at(items, 0).infoHash).toBe('4a1040ccfe6674bfb07281c5cc15b32294bdddf8')
    expect(at(items, 0).magnetUrl).toContain('&tr=http%3A%2F%2Fanidex.moe%3A6969%2Fannounce')
    expect(at(items, 1).infoHash).toBe('c7e658f2a10e729080859b180946b44b45aaef49')
  })

  it('reads size from the attribute (enclosure length is 0), numbers, tvdbid, year; imdb "" is none', () => {
    expect(at(items, 0)).toMatchObject({
      size: 422_590_144,
      pubDate: utc(2018, 4, 18, 20, 52, 1),
      seeders: 5,
      leechers: 0,
      peers: 5,
      files: 1,
      tvdbId: 344222,
      year: 2018,
      categories: [5070],
    })
    expect(at(items, 0).imdbId).toBeUndefined()
    expect(at(items, 1).title).toBe('[BakedFish] Achoo Senkan Yoghurt - 01 & 02 - Batch [720p][MP4][AAC]')
    expect(at(items, 1).files).toBe(2)
  })

  it('is series (TV/Anime)', () => {
    expect(categorize(at(items, 0).categories, 'movies').category).toBe('series')
  })
})

describe('Anime Tosho as kept by Sonarr (magnet without trackers)', () => {
  const [item] = itemsOf('animetosho-no-tracker.xml')

  it('links to the .torrent enclosure, so the trackers can be read from it', () => {
    expect(item?.link).toBe('http://storage.localhost/torrents/123451.torrent')
  })

  it('takes the magnet hash first (as the swarm a client would join), categories from attrs', () => {
    expect(item?.infoHash).toBe('ad350c37deb53e59bef236e651c6f6f2a640bc25') // base32 VU2QYN66…
    expect(item).toMatchObject({ size: 316_477_946, categories: [5070, 100001], files: 1 })
    expect(categorize(item?.categories ?? [])).toEqual({ category: 'series', feedCategory: 5070 })
  })
})

describe('MoreThanTV native Torznab (credentials in the link, redacted hash)', () => {
  const items = itemsOf('morethantv.xml')

  it('reads title, size (element, not the enclosure length of the .torrent), date, numbers and ids', () => {
    expect(at(items, 0)).toMatchObject({
      title: 'Out of the Past 1947 720p BluRay FLAC2.0 x264-CtrlHD.mkv',
      size: 5_412_993_028,
      pubDate: utc(2022, 12, 20, 21, 32, 17),
      files: 1,
      grabs: 2,
      seeders: 3,
      leechers: 0,
      peers: 3,
      imdbId: 'tt0039689',
      categories: [2000, 2040],
    })
    expect(at(items, 1)).toMatchObject({ size: 30_524_085_127, files: 78, grabs: 0, seeders: 1 })
  })

  it('ignores the "(removed)" infohash', () => {
    expect(at(items, 0).infoHash).toBeUndefined()
  })

  it('is movies', () => {
    expect(categorize(at(items, 0).categories, 'series')).toEqual({ category: 'movies', feedCategory: 2000 })
  })

  it('stores the torrent page, and would strip authkey and torrent_pass from a link', () => {
    expect(details(at(items, 0))).toBe('https://www.morethantv.me/torrents.php?id=(removed)&torrentid=836164')
    const link = safeDetailsUrl(at(items, 0).link, () => true)
    expect(at(items, 0).link).toContain('torrent_pass=')
    expect(link).toBe('https://www.morethantv.me/torrents.php?action=download&id=%28removed%29')
  })
})

describe('Cardigann (paired attr tags, bare enclosure, size attribute only)', () => {
  const items = itemsOf('cardigann.xml')

  it('reads both items', () => {
    expect(at(items, 0)).toMatchObject({
      title: 'American Stuff S03E02 1080p HEVC x265-MeGusta',
      link: 'http://127.0.0.1:5060/download/111.torrent',
      size: 620_000_000,
      grabs: 14,
      seeders: 11,
      peers: 11,
      pubDate: utc(2017, 5, 4, 12, 14, 24),
      categories: [5040],
    })
    expect(at(items, 1)).toMatchObject({ size: 1_390_000_000, grabs: 149, seeders: 101, peers: 112 })
  })

  it('categories: series and movies', () => {
    expect(categorize(at(items, 0).categories).category).toBe('series')
    expect(categorize(at(items, 1).categories).category).toBe('movies')
  })

  it('keeps the details URL with its query and fragment', () => {
    expect(details(at(items, 0))).toBe('https://some-torrents.com/details.php?id=111&page=0#startcomments')
  })
})

describe('bitmagnet example feed (plain RSS torrent items)', () => {
  const items = itemsOf('bitmagnet-rss.xml')

  it('parses dates without weekday, with an offset or a zone name', () => {
    expect(at(items, 0).pubDate).toBe(utc(2017, 2, 16, 2, 24, 26))
    expect(at(items, 1).pubDate).toBe(utc(2002, 10, 2, 13, 0, 0))
  })

  it('prefers the .torrent enclosure over a <link> to the details page', () => {
    expect(at(items, 0).link).toBe(
      'http://itorrents.org/torrent/51C578C9823DD58F6EEA287C368ED935843D63AC.torrent?title=The-Expense-2x04-(720p-HDTV-x264-SVA)[VTV]',
    )
    expect(at(items, 0).size).toBe(880_496_711)
  })

  it('ignores text categories; a magnet only in the enclosure gives the hash', () => {
    expect(at(items, 0).categories).toEqual([])
    expect(at(items, 1).categories).toEqual([4050])
    expect(categorize(at(items, 1).categories, 'movies').category).toBe('unknown')
    expect(at(items, 1).magnetUrl).toMatch(/^magnet:\?xt=urn:btih:455DB531/)
    expect(at(items, 1).infoHash).toBe('455db5316bcce87deaf2107f7df5efa27c8c618c')
    expect(at(items, 1).link).toBeUndefined()
  })
})

describe('non-feed replies', () => {
  it('returns a Newznab/Torznab <error> (declaration with a trailing space, comment before the root)', () => {
    expect(parseTorznab(real('error-unauthorized.xml'))).toEqual({
      kind: 'error',
      code: '100',
      description: 'Incorrect user credentials',
    })
  })

  it('refuses a caps document with a message naming its root', () => {
    expect(() => parseTorznab(real('caps-animetosho.xml'))).toThrow(FeedFormatError)
    expect(() => parseTorznab(real('caps-animetosho.xml'))).toThrow(/root element: caps/)
  })
})
