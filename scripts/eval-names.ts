/**
 * `npm run eval:names [-- FILE] [--verbose]`: measures release-name parsing and grouping on a
 * labelled list (default data/samples/release-names.tsv; columns: name, kind, title, year,
 * season, episode, group label).
 *
 * Prints:
 * - title+year accuracy: normalised parsed title equals the normalised expected title AND the
 *   parsed year equals the expected one (both absent counts as equal);
 * - kind accuracy from the name alone (category "unknown": episode markers decide), and
 *   season/episode accuracy on series;
 * - grouping precision/recall over pairs of torrents: a pair is predicted together when both land
 *   in one group (Torznab category set from the label's kind, as an indexer would), and truly
 *   together when both carry the same group label.
 * Every miss is listed with --verbose (the first 20 otherwise); --raw measures the bare library.
 */
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseTorrentTitle } from '@viren070/parse-torrent-title'
import { readLabelledNames, scoreNames } from '../devkit/names/labelled.ts'
import { classify, groupTorrents } from '../pipeline/group/grouping.ts'
import { parseRelease } from '../pipeline/group/parse.ts'

function rawParse(name: string): {
  title: string
  year?: number
  season?: number
  episode?: number
  hasEpisodeMarker: boolean
} {
  const r = parseTorrentTitle(name)
  return {
    title: r.title ?? '',
    year: r.year ? Number(r.year) : undefined,
    season: r.seasons?.[0],
    episode: r.episodes?.[0],
    hasEpisodeMarker: !!(r.seasons?.length || r.episodes?.length),
  }
}

const args = process.argv.slice(2)
const verbose = args.includes('--verbose') || args.includes('-v')
/** --raw: measure the bare library (parseTorrentTitle) without our corrections, for comparison. */
const raw = args.includes('--raw')
const file =
  args.find((a) => !a.startsWith('-')) ??
  join(dirname(fileURLToPath(import.meta.url)), '..', 'data', 'samples', 'release-names.tsv')

const read = readLabelledNames(file)
for (const p of read.problems) console.error(`${p}; skipped`)
const rows = read.rows

const pct = (a: number, b: number) => (b === 0 ? 'n/a' : `${((100 * a) / b).toFixed(1)}%`)
const t0 = performance.now()
const {
  titleYearOk,
  titleOk,
  kindOk,
  series: seriesN,
  seasonEpisodeOk: seOk,
  misses,
} = scoreNames(rows, raw ? rawParse : parseRelease)
const parseMs = performance.now() - t0

// Grouping: pairs.
const classified = rows.map((r, i) =>
  classify({
    id: i,
    infoHash: i.toString(16).padStart(40, '0'),
    name: r.name,
    category: r.kind === 'movie' ? 'movies' : 'series',
  }),
)
const predicted = new Map<number, string>()
for (const kind of ['movie', 'series'] as const) {
  for (const g of groupTorrents(classified, kind)) for (const t of g.torrents) predicted.set(t.id, `${kind}|${g.key}`)
}
let tp = 0
let fp = 0
let fn = 0
const pairMisses: string[] = []
for (let i = 0; i < rows.length; i++) {
  for (let j = i + 1; j < rows.length; j++) {
    const same = rows[i]?.label === rows[j]?.label
    const together = predicted.get(i) === predicted.get(j)
    if (same && together) tp++
    else if (together) {
      fp++
      pairMisses.push(`  merged but different: "${rows[i]?.name}" + "${rows[j]?.name}" (${predicted.get(i)})`)
    } else if (same) {
      fn++
      pairMisses.push(`  split but same ${rows[i]?.label}: ${predicted.get(i)} vs ${predicted.get(j)}`)
    }
  }
}
const labels = new Set(rows.map((r) => r.label)).size
const groups = new Set(predicted.values()).size

console.log(
  `release names: ${rows.length} (${rows.filter((r) => r.kind === 'movie').length} movies, ${seriesN} episodes/packs) from ${file}`,
)
console.log(
  `title+year accuracy: ${pct(titleYearOk, rows.length)} (${titleYearOk}/${rows.length}); title only ${pct(titleOk, rows.length)}`,
)
console.log(
  `kind from the name alone: ${pct(kindOk, rows.length)}; season/episode on series: ${pct(seOk, seriesN)} (${seOk}/${seriesN})`,
)
console.log(
  `grouping: ${groups} groups for ${labels} labels; pair precision ${pct(tp, tp + fp)}, recall ${pct(tp, tp + fn)} (tp ${tp}, fp ${fp}, fn ${fn})`,
)
console.log(`parse speed: ${(parseMs / rows.length).toFixed(3)} ms/name`)
const shown = verbose ? misses : misses.slice(0, 20)
if (shown.length) console.log(`parse misses (${misses.length}):\n${shown.join('\n')}`)
const shownPairs = verbose ? pairMisses : pairMisses.slice(0, 20)
if (shownPairs.length) console.log(`grouping misses (${pairMisses.length} pairs):\n${shownPairs.join('\n')}`)
