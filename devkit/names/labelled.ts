/**
 * Labelled release names (data/samples/*.tsv: name, kind, title, year, season, episode, group
 * label) and how well a parser reads them. Shared by `npm run eval:names` and the tests.
 */
import { readFileSync } from 'node:fs'
import { normaliseTitle } from '../../pipeline/group/parse.ts'

export interface LabelledName {
  name: string
  kind: 'movie' | 'series'
  title: string
  year?: number
  season?: number
  episode?: number
  label: string
  line: number
}

/** The rows of a labelled list, and a `file:line` message for every row that could not be read. */
export function readLabelledNames(file: string): { rows: LabelledName[]; problems: string[] } {
  const num = (s: string | undefined) => (s && s.trim() !== '' ? Number(s) : undefined)
  const rows: LabelledName[] = []
  const problems: string[] = []
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((text, i) => {
      if (text.trim() === '' || text.startsWith('#')) return
      const c = text.split('\t')
      if (c.length !== 7 || (c[1] !== 'movie' && c[1] !== 'series')) {
        problems.push(`${file}:${i + 1}: expected 7 tab-separated columns with kind movie|series`)
        return
      }
      rows.push({
        name: c[0] ?? '',
        kind: c[1],
        title: c[2] ?? '',
        year: num(c[3]),
        season: num(c[4]),
        episode: num(c[5]),
        label: c[6] ?? '',
        line: i + 1,
      })
    })
  return { rows, problems }
}

export interface ParsedForScore {
  title: string
  year?: number
  season?: number
  episode?: number
  hasEpisodeMarker: boolean
}

export interface NameScores {
  rows: number
  titleOk: number
  titleYearOk: number
  kindOk: number
  series: number
  seasonEpisodeOk: number
  /** One line per row read wrongly (title/year, kind or season/episode). */
  misses: string[]
}

/** Title (normalised) + year, kind from the name alone, and season/episode on series. */
export function scoreNames(rows: readonly LabelledName[], parse: (name: string) => ParsedForScore): NameScores {
  const s: NameScores = {
    rows: rows.length,
    titleOk: 0,
    titleYearOk: 0,
    kindOk: 0,
    series: 0,
    seasonEpisodeOk: 0,
    misses: [],
  }
  for (const r of rows) {
    const p = parse(r.name)
    const tOk = normaliseTitle(p.title) === normaliseTitle(r.title)
    const yOk = p.year === r.year
    if (tOk) s.titleOk++
    if (tOk && yOk) s.titleYearOk++
    const kind = p.hasEpisodeMarker ? 'series' : 'movie'
    if (kind === r.kind) s.kindOk++
    let seGood = true
    if (r.kind === 'series') {
      s.series++
      seGood = p.season === r.season && p.episode === r.episode
      if (seGood) s.seasonEpisodeOk++
    }
    if (!(tOk && yOk) || kind !== r.kind || !seGood) {
      s.misses.push(
        `  line ${r.line}: ${r.name}\n    expected ${r.kind} "${r.title}" ${r.year ?? '-'} S${r.season ?? '-'}E${r.episode ?? '-'}` +
          ` | got ${kind} "${p.title}" ${p.year ?? '-'} S${p.season ?? '-'}E${p.episode ?? '-'}`,
      )
    }
  }
  return s
}
