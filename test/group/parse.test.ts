import { describe, expect, it } from 'vitest'
import {
  aggregateScore,
  classify,
  groupTorrents,
  mergeByKey,
  type TorrentInput,
  yearClusters,
} from '../../pipeline/group/grouping.ts'
import { mediaKindOf, normaliseTitle, parseRelease, plainText } from '../../pipeline/group/parse.ts'

describe('parseRelease', () => {
  it('reads titles with numbers and years in them', () => {
    expect(parseRelease('2001.A.Space.Odyssey.1968.1080p.BluRay.x264-AMIABLE')).toMatchObject({
      title: '2001 A Space Odyssey',
      year: 1968,
      resolution: '1080p',
      source: 'BluRay',
      codec: 'x264',
      group: 'AMIABLE',
      fallback: false,
    })
    expect(parseRelease('Blade Runner 2049 (2017) [1080p] [BluRay] [5.1] [YTS.MX]')).toMatchObject({
      title: 'Blade Runner 2049',
      year: 2017,
    })
    expect(parseRelease('1917.2019.1080p.WEB-DL.DD5.1.H264-FGT')).toMatchObject({ title: '1917', year: 2019 })
  })

  it('reads episodes, multi-episodes, season packs and anime numbering', () => {
    expect(parseRelease('The.Office.US.S09E23.720p.HDTV.x264-KILLERS')).toMatchObject({
      title: 'The Office',
      season: 9,
      episode: 23,
      isSeasonPack: false,
      hasEpisodeMarker: true,
    })
    const multi = parseRelease('Shogun.2024.S01E01E02.1080p.WEB.h264-ETHEL')
    expect(multi).toMatchObject({ title: 'Shogun', year: 2024, season: 1, episode: 1, episodes: [1, 2] })
    expect(parseRelease('The.Boys.S04.COMPLETE.1080p.AMZN.WEB-DL.DDP5.1.H.264-NTb')).toMatchObject({
      title: 'The Boys',
      season: 4,
      isSeasonPack: true,
    })
    expect(parseRelease('[SubsPlease] Jujutsu Kaisen - 47 (1080p) [ABCD1234].mkv')).toMatchObject({
      title: 'Jujutsu Kaisen',
      episode: 47,
      group: 'SubsPlease',
    })
    expect(parseRelease('Kaamelott.Livre.VI.Episode.09.FRENCH.720p.HDTV.x264')).toMatchObject({
      title: 'Kaamelott',
      season: 6,
      episode: 9,
    })
  })

  it('never takes S20E11 for a year, and splits AKA titles', () => {
    const p = parseRelease('Some.Show.S20E11.720p.HDTV.x264')
    expect(p.year).toBeUndefined()
    expect(p).toMatchObject({ title: 'Some Show', season: 20, episode: 11 })
    expect(parseRelease('Amelie.AKA.Le.Fabuleux.Destin.d.Amelie.Poulain.2001.1080p.BluRay.x264')).toMatchObject({
      title: 'Amelie',
      aka: 'Le Fabuleux Destin d Amelie Poulain',
      year: 2001,
    })
  })

  it('drops site prefixes but not titles that look like domains', () => {
    expect(parseRelease('www.Torrenting.com - Fallout.S01E05.1080p.WEB.h264-ETHEL').title).toBe('Fallout')
    expect(parseRelease('[ www.Torrent9.fr ] Asterix.et.Obelix.2023.FRENCH.1080p').title).toBe('Asterix et Obelix')
    expect(parseRelease('Blade.Runner.1982.Final.Cut.1080p').title).toBe('Blade Runner')
    expect(parseRelease('Le.Comte.de.Monte-Cristo.2024.FRENCH.1080p.WEB.H264-FW').title).toBe(
      'Le Comte de Monte-Cristo',
    )
  })

  it('gives bad names a safe fallback, as plain text, without throwing', () => {
    const hash = parseRelease('8f3a1b2c4d5e6f708192a3b4c5d6e7f8091a2b3c')
    expect(hash.fallback).toBe(true)
    const html = parseRelease('<script>alert(1)</script><b>Evil</b>.2020.1080p')
    expect(html.title).not.toMatch(/[<>]/)
    expect(html.title).toContain('Evil')
    expect(parseRelease('').fallback).toBe(true)
    expect(parseRelease('...---___').fallback).toBe(true)
    expect(parseRelease('\u0000\u0007 \u200b').fallback).toBe(true)
    const long = parseRelease(`${'Very Long Title '.repeat(2000)}2020 1080p`)
    expect(long.title.length).toBeLessThanOrEqual(400)
    expect(parseRelease('Тест фильм 2022 1080p')).toMatchObject({ title: 'Тест фильм', year: 2022, fallback: false })
    expect(parseRelease('千と千尋の神隠し 2001 1080p')).toMatchObject({ title: '千と千尋の神隠し', year: 2001 })
    expect(plainText('Tom &amp; Jerry &#60;3 &#x263A;')).toBe('Tom & Jerry 3 ☺')
  })
})

describe('normaliseTitle', () => {
  it('folds case, accents, punctuation, &, leading articles and a trailing year', () => {
    expect(normaliseTitle('Amélie')).toBe('amelie')
    expect(normaliseTitle('Fast & Furious 6')).toBe(normaliseTitle('Fast and Furious 6'))
    expect(normaliseTitle("Ocean's Eleven")).toBe(normaliseTitle('Oceans.Eleven'))
    expect(normaliseTitle('The Matrix')).toBe('matrix')
    expect(normaliseTitle('Les Misérables')).toBe('miserables')
    expect(normaliseTitle('Doctor Who 2005')).toBe('doctor who')
    expect(normaliseTitle('Spider-Man: Across the Spider-Verse')).toBe('spider man across the spider verse')
    // Titles that are a year or end with a far year stay whole.
    expect(normaliseTitle('1917')).toBe('1917')
    expect(normaliseTitle('2012')).toBe('2012')
    expect(normaliseTitle('Blade Runner 2049')).toBe('blade runner 2049')
    expect(normaliseTitle('The')).toBe('the')
  })
})

describe('mediaKindOf', () => {
  it('takes the category first, then episode markers, never a year', () => {
    const ep = parseRelease('Dark.S03E08.1080p')
    const movie = parseRelease('Dark.2011.1080p')
    expect(mediaKindOf('movies', ep)).toBe('movie')
    expect(mediaKindOf('series', movie)).toBe('series')
    expect(mediaKindOf('unknown', ep)).toBe('series')
    expect(mediaKindOf('unknown', movie)).toBe('movie')
    expect(mediaKindOf('unknown', parseRelease('[SubsPlease] Frieren - 28 (1080p)'))).toBe('series')
  })
})

let nextId = 1
const t = (name: string, extra: Partial<TorrentInput> = {}): TorrentInput => {
  const id = nextId++
  return { id, infoHash: id.toString(16).padStart(40, '0'), name, category: 'unknown', ...extra }
}
const names = (gs: ReturnType<typeof groupTorrents>) =>
  gs.map((g) => ({ key: g.key, names: g.torrents.map((x) => x.name).sort() }))

describe('groupTorrents', () => {
  it('groups movies by normalised title and year ±1, a yearless name apart when two films share the title', () => {
    const items = [
      t('The.Matrix.1999.1080p.BluRay.x264-FGT'),
      t('Matrix 1999 720p BRRip'),
      t('The Matrix (2000) 2160p'), // off by one: same movie
      t('The.Matrix.2021.1080p.WEB'), // far year: another movie
      t('The.Matrix.1080p.BluRay'), // no year, two films of that title: which one is unknown
      t('Dune.2021.1080p'),
      t('Dune.1984.720p'),
    ].map(classify)
    const groups = groupTorrents(items, 'movie')
    expect(names(groups)).toEqual([
      {
        key: 'title:matrix:1999',
        names: ['Matrix 1999 720p BRRip', 'The Matrix (2000) 2160p', 'The.Matrix.1999.1080p.BluRay.x264-FGT'],
      },
      { key: 'title:matrix:2021', names: ['The.Matrix.2021.1080p.WEB'] },
      { key: 'title:matrix:', names: ['The.Matrix.1080p.BluRay'] },
      { key: 'title:dune:2021', names: ['Dune.2021.1080p'] },
      { key: 'title:dune:1984', names: ['Dune.1984.720p'] },
    ])
    expect(groups[0]?.title).toBe('The Matrix')
    expect(yearClusters([2001, 1999, 2000, 2003, 2003])).toEqual([[1999, 2000, 2001], [2003]])
  })

  it('lets feed ids win over names, and never merges different ids by name', () => {
    const items = [
      t('Dune.Part.Two.2024.1080p', { imdbId: 'tt15239678' }),
      t('Dune.Deuxieme.Partie.2024.FRENCH.1080p', { imdbId: 'tt15239678' }), // other name, same id
      t('Dune Part Two 2024 720p'), // no id: joins by name
      t('The.Thing.1982.1080p', { imdbId: 'tt0084787' }),
      t('The.Thing.1982.720p', { imdbId: 'tt9999999' }), // same name, different id: kept apart
      t('Bad.Id.2020.1080p', { imdbId: 'not-an-id' }), // a malformed id counts as none
    ].map(classify)
    const groups = groupTorrents(items, 'movie')
    expect(names(groups)).toEqual([
      {
        key: 'imdb:tt15239678',
        names: ['Dune Part Two 2024 720p', 'Dune.Deuxieme.Partie.2024.FRENCH.1080p', 'Dune.Part.Two.2024.1080p'],
      },
      { key: 'imdb:tt0084787', names: ['The.Thing.1982.1080p'] },
      { key: 'imdb:tt9999999', names: ['The.Thing.1982.720p'] },
      { key: 'title:bad id:2020', names: ['Bad.Id.2020.1080p'] },
    ])
  })

  it('groups series by show title and year ±1 (yearless names join), keeps season/episode per torrent', () => {
    const items = [
      t('Shogun.2024.S01E01.1080p.WEB', { category: 'series' }),
      t('Shōgun S01E10 2160p WEB', { category: 'series' }),
      t('Shogun.S01.COMPLETE.720p', { category: 'series' }),
      t('Fallout.S01E03.1080p', { category: 'series' }),
      t('Shogun.1980.1080p.BluRay', { category: 'movies' }), // the movie category keeps it a movie
      t('Ghosts.2019.S05E06.1080p', { category: 'series' }), // two shows of one name
      t('Ghosts.2021.S04E22.720p', { category: 'series' }),
    ].map(classify)
    const series = groupTorrents(items, 'series')
    expect(names(series)).toEqual([
      {
        key: 'title:shogun:2024',
        names: ['Shogun.2024.S01E01.1080p.WEB', 'Shogun.S01.COMPLETE.720p', 'Shōgun S01E10 2160p WEB'],
      },
      { key: 'title:fallout:', names: ['Fallout.S01E03.1080p'] },
      { key: 'title:ghosts:2019', names: ['Ghosts.2019.S05E06.1080p'] },
      { key: 'title:ghosts:2021', names: ['Ghosts.2021.S04E22.720p'] },
    ])
    expect(series[0]?.torrents.map((x) => [x.parsed.season, x.parsed.episode ?? null])).toEqual([
      [1, 1],
      [1, 10],
      [1, null],
    ])
    expect(series[0]?.year).toBe(2024)
    expect(groupTorrents(items, 'movie').map((g) => g.key)).toEqual(['title:shogun:1980'])
  })

  it('puts every unrecognisable name in a group of its own', () => {
    const items = [
      t('8f3a1b2c4d5e6f708192a3b4c5d6e7f8091a2b3c'),
      t('0123456789abcdef0123456789abcdef01234567'),
      t('<<<>>>'),
    ].map(classify)
    const groups = groupTorrents(items, 'movie')
    expect(groups).toHaveLength(3)
    expect(groups.every((g) => g.fallback && g.key.startsWith('torrent:'))).toBe(true)
    expect(groups.map((g) => g.title)).toContain('8f3a1b2c4d5e6f708192a3b4c5d6e7f8091a2b3c')
  })

  it('merges groups that resolve to one key', () => {
    const items = [t('Gisaengchung.2019.1080p'), t('Parasite.2019.1080p')].map(classify)
    const groups = groupTorrents(items, 'movie')
    expect(groups).toHaveLength(2)
    const merged = mergeByKey(groups.map((g) => ({ ...g, key: 'imdb:tt6751668' })))
    expect(merged).toHaveLength(1)
    expect(merged[0]?.torrents).toHaveLength(2)
  })
})

describe('aggregateScore', () => {
  it('is the best score plus a tenth of the other positive scores', () => {
    expect(aggregateScore([])).toBe(0)
    expect(aggregateScore([5])).toBe(5)
    expect(aggregateScore([2, 10, 3, -4])).toBeCloseTo(10.5)
  })
})
