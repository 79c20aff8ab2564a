/**
 * `npm run eval:names [-- FILE…] [--verbose] [--raw]`: measures release-name parsing and grouping
 * on labelled lists (default: data/samples/release-names.tsv and devkit/names/name-cases.tsv, the
 * made-up names of the name cases; columns: name, kind, title, year, season, episode, group label).
 *
 * Prints, per file:
 * - title+year accuracy: normalised parsed title equals the normalised expected title AND the
 *   parsed year equals the expected one (both absent counts as equal); a "junk" row is read right
 *   when the parser says junk;
 * - kind accuracy from the name alone (category "unknown": episode markers decide), and
 *   season/episode accuracy on series;
 * - grouping precision/recall/F1 over pairs of torrents, names only: a pair is predicted together
 *   when both land in one group (Torznab category set from the label's kind, as an indexer would;
 *   junk left ungrouped is a group of its own), and truly together when both carry the same label.
 * - the same grouping with the datasets: IMDb-shaped basics + akas of the labelled titles
 *   (devkit/names/imdb) imported into a scratch database, `imdbResolver` as the grouping's
 *   `resolveId`, as `movies compute` does when `movies import-imdb` has run.
 * Every miss is listed with --verbose (the first 20 otherwise); --raw measures the bare library.
 */
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseTorrentTitle } from '@viren070/parse-torrent-title'
import { loadImdbFixture } from '../devkit/names/imdb/index.ts'
import { groupLabelled, readLabelledNames, scoreNames, scorePairs } from '../devkit/names/labelled.ts'
import { openDb } from '../pipeline/db/client.ts'
import { imdbResolver } from '../pipeline/group/aliases.ts'
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
const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const given = args.filter((a) => !a.startsWith('-'))
const files = given.length
  ? given
  : [join(root, 'data', 'samples', 'release-names.tsv'), join(root, 'devkit', 'names', 'name-cases.tsv')]

const datasets = openDb(':memory:')
await loadImdbFixture(datasets)
const resolveId = imdbResolver(datasets)

const pct = (a: number, b: number) => (b === 0 ? 'n/a' : `${((100 * a) / b).toFixed(1)}%`)
for (const file of files) {
  const read = readLabelledNames(file)
  for (const p of read.problems) console.error(`${p}; skipped`)
  const rows = read.rows
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
  const pairs = scorePairs(rows, groupLabelled(rows))
  const movies = rows.filter((r) => r.kind === 'movie').length
  const junk = rows.filter((r) => r.kind === 'junk').length
  console.log(
    `\nrelease names: ${rows.length} (${movies} movies, ${seriesN} episodes/packs${junk ? `, ${junk} junk` : ''}) from ${file}`,
  )
  console.log(
    `title+year accuracy: ${pct(titleYearOk, rows.length)} (${titleYearOk}/${rows.length}); title only ${pct(titleOk, rows.length)}`,
  )
  console.log(
    `kind from the name alone: ${pct(kindOk, rows.length)}; season/episode on series: ${pct(seOk, seriesN)} (${seOk}/${seriesN})`,
  )
  console.log(
    `grouping (names only): ${pairs.groups} groups for ${pairs.labels} labels; pair precision ${pct(pairs.tp, pairs.tp + pairs.fp)}, ` +
      `recall ${pct(pairs.tp, pairs.tp + pairs.fn)}, F1 ${pairs.f1.toFixed(3)} (tp ${pairs.tp}, fp ${pairs.fp}, fn ${pairs.fn})`,
  )
  const withData = scorePairs(rows, groupLabelled(rows, resolveId))
  console.log(
    `grouping (with IMDb basics + akas): pair precision ${pct(withData.tp, withData.tp + withData.fp)}, ` +
      `recall ${pct(withData.tp, withData.tp + withData.fn)}, F1 ${withData.f1.toFixed(3)} (tp ${withData.tp}, fp ${withData.fp}, fn ${withData.fn})`,
  )
  console.log(`parse speed: ${(parseMs / Math.max(1, rows.length)).toFixed(3)} ms/name`)
  const shown = verbose ? misses : misses.slice(0, 20)
  if (shown.length) console.log(`parse misses (${misses.length}):\n${shown.join('\n')}`)
  const shownPairs = verbose ? pairs.misses : pairs.misses.slice(0, 20)
  if (shownPairs.length) console.log(`grouping misses (${pairs.misses.length} pairs):\n${shownPairs.join('\n')}`)
}
