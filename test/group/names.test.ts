/** The name cases of "Names → titles" (issue 15), with names made up for these tests. */
import { describe, expect, it } from 'vitest'
import { classify, groupTorrents, type ResolveId, type TorrentInput } from '../../pipeline/group/grouping.ts'
import { isJunkName, normaliseTitle, parseRelease } from '../../pipeline/group/parse.ts'

let nextId = 1
const t = (name: string, extra: Partial<TorrentInput> = {}): TorrentInput => {
  const id = nextId++
  return { id, infoHash: id.toString(16).padStart(40, '0'), name, category: 'unknown', ...extra }
}
const series = (name: string, extra: Partial<TorrentInput> = {}) => t(name, { category: 'series', ...extra })
const movie = (name: string, extra: Partial<TorrentInput> = {}) => t(name, { category: 'movies', ...extra })
/** Groups as sorted lists of names, sorted. */
const partition = (items: TorrentInput[], kind: 'movie' | 'series', resolveId?: ResolveId) =>
  groupTorrents(items.map(classify), kind, { resolveId })
    .map((g) => g.torrents.map((x) => x.name).sort())
    .sort((a, b) => (a[0] ?? '').localeCompare(b[0] ?? ''))

describe('year ranges', () => {
  it('give their first year, and the span', () => {
    const p = parseRelease('Harbour Lights (2002-2008) Complete Series 1080p BluRay x264')
    expect(p).toMatchObject({ title: 'Harbour Lights', year: 2002, yearEnd: 2008, isSeasonPack: true })
    expect(parseRelease('Harbour.Lights.2002-2008.Complete.Series.720p.WEB')).toMatchObject({
      title: 'Harbour Lights',
      year: 2002,
      yearEnd: 2008,
    })
    // ...so the pack joins the show's dated episodes.
    expect(
      partition(
        [series('Harbour Lights (2002-2008) Complete Series 1080p'), series('Harbour.Lights.2002.S03E04.720p.HDTV')],
        'series',
      ),
    ).toHaveLength(1)
  })
})

describe('dotted initials', () => {
  it('stay part of the title, never stripped like an article', () => {
    expect(normaliseTitle('A.J. Rivers')).toBe('aj rivers')
    expect(normaliseTitle(parseRelease('A.J.Rivers.2004.1080p.BluRay').title)).toBe('aj rivers')
    expect(normaliseTitle(parseRelease('L.A. Nocturne (1997) 720p').title)).toBe('la nocturne')
    expect(normaliseTitle(parseRelease('L.A.Nocturne.1997.1080p.WEB').title)).toBe('la nocturne')
    expect(normaliseTitle('A.I. Garden of Wires')).toBe('ai garden of wires')
    // An article is still an article.
    expect(normaliseTitle('The Garden of Wires')).toBe('garden of wires')
    expect(normaliseTitle('A Garden of Wires')).toBe('garden of wires')
    // "L.A. Nocturne" and "Nocturne" are two films.
    expect(partition([movie('L.A.Nocturne.1997.1080p'), movie('Nocturne.1997.1080p')], 'movie')).toHaveLength(2)
  })
})

describe('country codes', () => {
  it('are dropped when one country is seen', () => {
    const p = parseRelease('Glass.House.US.S01E01.720p.HDTV')
    expect(p).toMatchObject({ title: 'Glass House', country: 'US', season: 1, episode: 1 })
    expect(partition([series('Glass.House.US.S01E02.720p'), series('Glass.House.S01E03.1080p.WEB')], 'series')).toEqual(
      [['Glass.House.S01E03.1080p.WEB', 'Glass.House.US.S01E02.720p']],
    )
  })

  it('tell two shows apart when both are seen', () => {
    const groups = groupTorrents(
      [
        series('Glass.House.US.S01E01.720p'),
        series('Glass.House.US.S01E02.1080p'),
        series('Glass.House.UK.S01E01.720p'),
        series('Glass.House.S02E01.720p'), // which one: unknown
      ].map(classify),
      'series',
    )
    expect(groups.map((g) => [g.key, g.torrents.length])).toEqual([
      ['title:glass house::us', 2],
      ['title:glass house::uk', 1],
      ['title:glass house:', 1],
    ])
  })

  it('with different years, the years keep the shows apart', () => {
    const groups = groupTorrents(
      [
        series('Glass.House.US.2011.S01E01.720p'),
        series('Glass.House.2011.S01E05.720p'),
        series('Glass.House.UK.2008.S02E01.720p'),
        series('Glass.House.UK.S03E01.720p'), // the UK show, by its country
      ].map(classify),
      'series',
    )
    expect(groups.map((g) => [g.key, g.torrents.map((x) => x.name).sort()])).toEqual([
      ['title:glass house:2011', ['Glass.House.2011.S01E05.720p', 'Glass.House.US.2011.S01E01.720p']],
      ['title:glass house:2008', ['Glass.House.UK.2008.S02E01.720p', 'Glass.House.UK.S03E01.720p']],
    ])
  })
})

describe('yearless series names', () => {
  it('join the one show of that title when only one is known', () => {
    expect(partition([series('Lanterns.2021.S01E01.720p'), series('Lanterns.S03E02.1080p')], 'series')).toHaveLength(1)
  })

  it('stay apart when two shows of that title are known', () => {
    expect(
      partition(
        [
          series('Lanterns.2019.S05E06.1080p'),
          series('Lanterns.2021.S01E01.720p'),
          series('Lanterns.2021.S01E02.720p'),
          series('Lanterns.S03E02.1080p'),
        ],
        'series',
      ),
    ).toEqual([
      ['Lanterns.2019.S05E06.1080p'],
      ['Lanterns.2021.S01E01.720p', 'Lanterns.2021.S01E02.720p'],
      ['Lanterns.S03E02.1080p'],
    ])
  })

  it('join the show metadata names (resolveId)', () => {
    const resolveId: ResolveId = (norm, year) => (norm === 'lanterns' && year !== 2019 ? 'tt7000001' : null)
    expect(
      partition(
        [series('Lanterns.2019.S05E06.1080p'), series('Lanterns.2021.S01E01.720p'), series('Lanterns.S03E02.1080p')],
        'series',
        resolveId,
      ),
    ).toEqual([['Lanterns.2019.S05E06.1080p'], ['Lanterns.2021.S01E01.720p', 'Lanterns.S03E02.1080p']])
  })
})

describe('aliases', () => {
  it('AKA: both titles are keys', () => {
    expect(parseRelease('Kumo.AKA.The.Spider.Web.1998.1080p.BluRay')).toMatchObject({
      title: 'Kumo',
      aliases: ['The Spider Web'],
      year: 1998,
    })
    expect(
      partition(
        [
          movie('Kumo.AKA.The.Spider.Web.1998.1080p.BluRay'),
          movie('The.Spider.Web.1998.720p.BRRip'),
          movie('The Spider Web (1998) 1080p WEB'),
          movie('Kumo.1998.JAPANESE.1080p'),
          movie('The.Spider.Web.2019.1080p'), // another film of that name
        ],
        'movie',
      ),
    ).toEqual([
      [
        'Kumo.1998.JAPANESE.1080p',
        'Kumo.AKA.The.Spider.Web.1998.1080p.BluRay',
        'The Spider Web (1998) 1080p WEB',
        'The.Spider.Web.1998.720p.BRRip',
      ],
      ['The.Spider.Web.2019.1080p'],
    ])
  })

  it('"Local Title / Original Title" and bracketed titles are keys', () => {
    expect(parseRelease('La Casa Blanca / The White Yard 2003 1080p').aliases).toEqual(['The White Yard'])
    expect(
      partition([movie('La Casa Blanca / The White Yard 2003 1080p'), movie('The.White.Yard.2003.720p.WEB')], 'movie'),
    ).toHaveLength(1)
    expect(parseRelease('[SubsX] Hoshi no Uta (Star Song) - 03 [1080p]')).toMatchObject({
      title: 'Hoshi no Uta',
      aliases: ['Star Song'],
      episode: 3,
    })
    expect(
      partition(
        [series('[SubsX] Hoshi no Uta (Star Song) - 03 [1080p]'), series('[Other] Star Song - 04 [720p]')],
        'series',
      ),
    ).toHaveLength(1)
    // Tags in brackets are no titles.
    expect(parseRelease('Iron Rain (Extended) (2011) 1080p').aliases).toBeUndefined()
  })
})

describe('junk names', () => {
  it('are recognised and left ungrouped', () => {
    const junk = [
      'IMG_20230101_101010.mp4',
      'VID_20220505_121212.mp4',
      'PXL_20240214_183005123.mp4',
      'sample.mkv',
      'Some.Film.2020.1080p-sample.mkv',
      'New folder',
      'New Folder (3)',
      'Nouveau dossier',
      'Untitled',
    ]
    for (const n of junk) expect([n, isJunkName(n)]).toEqual([n, true])
    for (const n of ['Sample.People.2021.1080p.WEB', 'The.New.Folder.Mystery.2019.720p', 'Imagine.2020.1080p'])
      expect([n, isJunkName(n)]).toEqual([n, false])
    const items = [...junk.map((n) => t(n)), t('Real.Film.2020.1080p')]
    expect(partition(items, 'movie')).toEqual([['Real.Film.2020.1080p']])
    expect(partition(items, 'series')).toEqual([])
  })
})

describe('anime absolute numbering', () => {
  it('never merges into a live-action show of the same name', () => {
    expect(parseRelease('[Grp] Iron Tide - 0987 [1080p]')).toMatchObject({
      title: 'Iron Tide',
      episode: 987,
      absolute: true,
    })
    expect(
      partition(
        [
          series('[Grp] Iron Tide - 0987 [1080p]'),
          series('[Other] Iron Tide - 0988 [720p]'),
          series('Iron.Tide.2023.S01E01.1080p.WEB'),
          series('Iron.Tide.S01E02.1080p.WEB'),
        ],
        'series',
      ),
    ).toEqual([
      ['[Grp] Iron Tide - 0987 [1080p]', '[Other] Iron Tide - 0988 [720p]'],
      ['Iron.Tide.2023.S01E01.1080p.WEB', 'Iron.Tide.S01E02.1080p.WEB'],
    ])
  })

  it('joins the season-numbered releases of the same anime (one show, no year, small numbers)', () => {
    expect(
      partition([series('[SubsX] Moon Blade - 14 [1080p]'), series('Moon.Blade.S02E02.1080p.WEB')], 'series'),
    ).toHaveLength(1)
  })
})

describe('resolveId', () => {
  it('joins releases whose resolved ids agree; a feed id still wins', () => {
    const resolveId: ResolveId = (norm) => (norm === 'grey wolves' || norm === 'loups gris' ? 'tt7000002' : null)
    expect(
      partition(
        [
          movie('Grey.Wolves.2010.1080p'),
          movie('Les.Loups.Gris.2010.FRENCH.720p'),
          movie('Grey.Wolf.Pack.2010.720p', { imdbId: 'tt7000003' }), // the feed says another film
        ],
        'movie',
        (norm, year, kind) => (norm === 'grey wolf pack' ? 'tt7000002' : resolveId(norm, year, kind)),
      ),
    ).toEqual([['Grey.Wolf.Pack.2010.720p'], ['Grey.Wolves.2010.1080p', 'Les.Loups.Gris.2010.FRENCH.720p']])
    // A name resolving to the feed's id joins the torrents that carry it.
    expect(
      partition(
        [movie('Grey.Wolves.2010.720p', { imdbId: 'tt7000002' }), movie('Les.Loups.Gris.2010.FRENCH.720p')],
        'movie',
        resolveId,
      ),
    ).toHaveLength(1)
  })
})
