/**
 * Labelled release names (data/samples/*.tsv, devkit/names/*.tsv: name, kind, title, year, season,
 * episode, group label) and how well a parser reads and the grouping groups them. Shared by
 * `npm run eval:names` and the tests. Kind "junk" marks a name that must stay ungrouped (a phone's
 * file name, a sample, a default folder name): it counts as read right when the parser says junk.
 */
import { readFileSync } from 'node:fs'
import { classify, groupTorrents, type ResolveId } from '../../pipeline/group/grouping.ts'
import { normaliseTitle } from '../../pipeline/group/parse.ts'

export interface LabelledName {
  name: string
  kind: 'movie' | 'series' | 'junk'
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
      if (c.length !== 7 || (c[1] !== 'movie' && c[1] !== 'series' && c[1] !== 'junk')) {
        problems.push(`${file}:${i + 1}: expected 7 tab-separated columns with kind movie|series|junk`)
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
  junk?: boolean
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
    if (r.kind === 'junk' || p.junk) {
      // Junk: read right when recognised as junk (and a real name never taken for junk).
      const ok = r.kind === 'junk' && p.junk === true
      if (ok) {
        s.titleOk++
        s.titleYearOk++
        s.kindOk++
      } else
        s.misses.push(`  line ${r.line}: ${r.name}\n    expected ${r.kind} | got ${p.junk ? 'junk' : `"${p.title}"`}`)
      if (r.kind === 'series') s.series++
      continue
    }
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

/** Torrent inputs for the grouping from labelled rows (Torznab category from the kind, as an indexer would send). */
export function labelledTorrents(rows: readonly LabelledName[]) {
  return rows.map((r, i) => ({
    id: i,
    infoHash: i.toString(16).padStart(40, '0'),
    name: r.name,
    category:
      r.kind === 'movie' ? ('movies' as const) : r.kind === 'series' ? ('series' as const) : ('unknown' as const),
  }))
}

export interface PairScores {
  tp: number
  fp: number
  fn: number
  precision: number
  recall: number
  f1: number
  groups: number
  labels: number
  /** One line per pair grouped wrongly. */
  misses: string[]
}

/**
 * Grouping quality over pairs of rows: a pair is predicted together when both land in one group
 * (`groupOf`: row index → group id; undefined = left ungrouped, a group of its own), and truly
 * together when both carry the same label.
 */
export function scorePairs(rows: readonly LabelledName[], groupOf: (i: number) => string | undefined): PairScores {
  let tp = 0
  let fp = 0
  let fn = 0
  const misses: string[] = []
  const g = rows.map((_, i) => groupOf(i) ?? `ungrouped:${i}`)
  for (let i = 0; i < rows.length; i++) {
    for (let j = i + 1; j < rows.length; j++) {
      const same = rows[i]?.label === rows[j]?.label
      const together = g[i] === g[j]
      if (same && together) tp++
      else if (together) {
        fp++
        misses.push(`  merged but different: "${rows[i]?.name}" + "${rows[j]?.name}" (${g[i]})`)
      } else if (same) {
        fn++
        misses.push(`  split but same ${rows[i]?.label}: "${rows[i]?.name}" (${g[i]}) vs "${rows[j]?.name}" (${g[j]})`)
      }
    }
  }
  const precision = tp + fp === 0 ? 1 : tp / (tp + fp)
  const recall = tp + fn === 0 ? 1 : tp / (tp + fn)
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall)
  return {
    tp,
    fp,
    fn,
    precision,
    recall,
    f1,
    groups: new Set(g).size,
    labels: new Set(rows.map((r) => r.label)).size,
    misses,
  }
}

/**
 * Group labelled rows as `movies compute` / `series compute` would (names only, or with a
 * metadata resolver): row index → `kind|key`, undefined for rows left ungrouped (junk).
 */
export function groupLabelled(rows: readonly LabelledName[], resolveId?: ResolveId): (i: number) => string | undefined {
  const classified = labelledTorrents(rows).map(classify)
  const predicted = new Map<number, string>()
  for (const kind of ['movie', 'series'] as const) {
    for (const g of groupTorrents(classified, kind, { resolveId }))
      for (const t of g.torrents) predicted.set(t.id, `${kind}|${g.key}`)
  }
  return (i) => predicted.get(i)
}
