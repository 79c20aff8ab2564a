/**
 * The release-name parser on REAL third-party names: data/samples/real-release-names.tsv, gathered from the
 * parser test suites of PTN, guessit, Sonarr and Radarr (see the file's header). Floors are the figures measured
 * when the list was made (title+year 94.9 %, season/episode 96.9 %, kind 98.5 %), so a regression fails here;
 * `npm run eval:names -- data/samples/real-release-names.tsv --verbose` lists every miss.
 */
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { readLabelledNames, scoreNames } from '../../devkit/names/labelled.ts'
import { parseRelease } from '../../pipeline/group/parse.ts'

const FILE = join(import.meta.dirname, '..', '..', 'data', 'samples', 'real-release-names.tsv')
const { rows, problems } = readLabelledNames(FILE)

describe('real-world release names (PTN, guessit, Sonarr, Radarr test suites)', () => {
  it('has a varied labelled list', () => {
    expect(problems).toEqual([])
    expect(rows.length).toBeGreaterThanOrEqual(350)
    const series = rows.filter((r) => r.kind === 'series')
    expect(rows.length - series.length).toBeGreaterThanOrEqual(150)
    expect(series.length).toBeGreaterThanOrEqual(200)
    // Season packs, anime absolute numbers, years in titles and non-Latin names are all represented.
    expect(series.filter((r) => r.season !== undefined && r.episode === undefined).length).toBeGreaterThanOrEqual(15)
    expect(series.filter((r) => r.season === undefined && r.episode !== undefined).length).toBeGreaterThanOrEqual(40)
    expect(rows.some((r) => /\p{Script=Cyrillic}/u.test(r.name))).toBe(true)
    expect(new Set(rows.map((r) => r.name)).size).toBe(rows.length)
  })

  it('keeps title+year, season/episode and kind accuracy at the measured floors', () => {
    const { titleYearOk, kindOk, series: seriesN, seasonEpisodeOk: seOk, misses } = scoreNames(rows, parseRelease)
    const ratio = (a: number, b: number) => a / b
    // Measured: 372/392 title+year (94.9 %), 219/226 season/episode (96.9 %), 386/392 kind (98.5 %).
    expect(ratio(titleYearOk, rows.length), misses.join('\n')).toBeGreaterThanOrEqual(0.945)
    expect(ratio(seOk, seriesN), misses.join('\n')).toBeGreaterThanOrEqual(0.965)
    expect(ratio(kindOk, rows.length)).toBeGreaterThanOrEqual(0.98)
  })

  it('reads the real-name shapes the corrections in parse.ts were made for', () => {
    // Alternative title in parentheses (its ")" lost by the parser); a year inside it kept.
    expect(parseRelease('La Defense Lincoln (The Lincoln Lawyer) 2011 [DVDRIP][Vostfr]')).toMatchObject({
      title: 'La Defense Lincoln',
      year: 2011,
    })
    expect(parseRelease('Leaving Movie by Movie (1897) [DVD].mp4')).toMatchObject({
      title: 'Leaving Movie by Movie',
      year: 1897,
    })
    // …but not when the part before cannot end a title.
    expect(parseRelease('Birdman.or.(The.Unexpected.Virtue.of.Ignorance).2014.1080p.BluRay.x264').title).toBe(
      'Birdman or (The Unexpected Virtue of Ignorance',
    )
    expect(parseRelease('Simpsons,.The.12x08.A.Bas.Le.Sergent.Skinner.FR.avi')).toMatchObject({
      title: 'The Simpsons',
      season: 12,
      episode: 8,
    })
    expect(parseRelease('Cars.2.German.DL.720p.BluRay.x264-EmpireHD').title).toBe('Cars 2')
    expect(parseRelease('Das.Appartement.GERMAN.AC3D.DL.720p.BluRay.x264-TVP').title).toBe('Das Appartement')
    expect(parseRelease('The.Good.German.2006.720p.BluRay.x264-RlsGrp').title).toBe('The Good German')
    // Scene numbering (season digits + two episode digits before a TV source).
    expect(parseRelease('new.girl.117.hdtv-lol.mp4')).toMatchObject({ title: 'new girl', season: 1, episode: 17 })
    expect(parseRelease('the.Series.110.hdtv-lol')).toMatchObject({ title: 'the Series', season: 1, episode: 10 })
    expect(parseRelease('series.2009.416.hdtv-lol')).toMatchObject({ title: 'series', year: 2009, season: 4 })
    expect(parseRelease('Fahrenheit.451.1966.720p.BluRay.x264')).toMatchObject({ title: 'Fahrenheit 451' })
    expect(parseRelease('Apollo.13.1995.720p.HDTV.x264').hasEpisodeMarker).toBe(false)
    // Fansub names with the episode number straight after the title.
    expect(parseRelease('[K-F] Some Anime Show 214')).toMatchObject({ title: 'Some Anime Show', episode: 214 })
    expect(parseRelease('[Hatsuyuki]Series_Title-01[1280x720][122E6EF8]')).toMatchObject({ episode: 1 })
    expect(parseRelease('[YTS.MX] Apollo 13 (1995) [1080p]')).toMatchObject({ title: 'Apollo 13', year: 1995 })
    expect(parseRelease('[YTS.MX] Apollo 13 (1995) [1080p]').episode).toBeUndefined()
    // Season words with roman numerals, and complete series.
    expect(parseRelease('Dexter Saison VII FRENCH.BDRip.XviD-MiND.nfo')).toMatchObject({
      title: 'Dexter',
      season: 7,
      isSeasonPack: true,
    })
    expect(parseRelease('How.I.Met.Your.Mother.COMPLETE.SERIES.DVDRip.XviD-AR')).toMatchObject({
      title: 'How I Met Your Mother',
      hasEpisodeMarker: true,
      isSeasonPack: true,
    })
  })
})
