/**
 * `npm run bench -- imdb`: `movies import-imdb` of full-size synthetic IMDb datasets, in a child
 * process of its own, into a fresh database. Prints the time of each file (basics, then akas),
 * the importing process's peak RSS (process.resourceUsage().maxRSS) and the database growth.
 *
 * The files are generated first (gzip, the real format: header line, tab-separated, `\N` nulls)
 * with realistic distributions:
 *   title.basics: IMDB_BENCH_BASICS rows (default 11 M), title types as in the real file (about
 *     10 % movie/tvMovie/tvSeries/tvMiniSeries, the rest episodes, shorts, videos…);
 *   title.akas:   IMDB_BENCH_AKAS rows (default 50 M) sorted by titleId, several per title (about 12
 *     per kept title, 3–4 per other title), of which about half repeat the primary title (one per
 *     region, as the real file does) and the others are localised titles.
 * Knobs: IMDB_BENCH_SCALE (e.g. 0.1 = a tenth of both sizes), IMDB_BENCH_BASICS, IMDB_BENCH_AKAS,
 * IMDB_BENCH_DIR (where the files and the database go; default a temporary directory, removed
 * after unless IMDB_BENCH_KEEP=1; generated files are reused when present with the same sizes).
 * Goal (issue 15): ≤ 10 min on 2 cores and ≤ 1 GB RSS at full size. Measured (2026-12, 2 shared
 * cores at load ~15): basics 58 s CPU, akas 128 s CPU, 559 s wall, peak RSS 608 MB, database +537 MB.
 */
import { spawnSync } from 'node:child_process'
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { fileURLToPath } from 'node:url'
import { createGzip } from 'node:zlib'
import { mulberry32 as rng } from '../../devkit/sim/rng.ts'

const CHILD = '--child'

// Title types and their share of title.basics (rounded from the real file, 2025).
const TYPES: [string, number][] = [
  ['tvEpisode', 0.735],
  ['short', 0.09],
  ['movie', 0.063],
  ['video', 0.03],
  ['tvSeries', 0.024],
  ['tvMovie', 0.0135],
  ['tvMiniSeries', 0.0065],
  ['tvSpecial', 0.005],
  ['videoGame', 0.004],
  ['tvShort', 0.002],
  ['tvPilot', 0.00001],
]
const KEPT = new Set(['movie', 'tvMovie', 'tvSeries', 'tvMiniSeries'])
const WORDS = (
  'love night day man woman city house dark light last first lost return king queen road river war ' +
  'story life death blood fire water heart dream game time world star moon sun secret girl boy ' +
  'amour nuit jour homme femme ville maison noir dernier premier perdu retour roi reine rivière guerre ' +
  'histoire vie mort sang feu eau cœur rêve étoile lune soleil été noël mädchen straße größe ' +
  'amor noche día hombre mujer ciudad casa oscuro última corazón sueño niño señor ' +
  'samurai shichinin no kami sora hoshi yoru monogatari ojingeo geim gisaengchung'
).split(' ')
const REGIONS = ['US', 'GB', 'FR', 'DE', 'ES', 'IT', 'JP', 'BR', 'CA', 'AU', 'IN', 'MX', 'RU', 'XWW', 'PL', 'SE']

function title(r: () => number): string {
  const n = 1 + Math.floor(r() * r() * 6)
  const w: string[] = []
  for (let i = 0; i < n; i++) w.push(WORDS[Math.floor(r() * WORDS.length)] ?? 'x')
  const s = w.join(' ')
  return (s[0]?.toUpperCase() ?? '') + s.slice(1) + (r() < 0.05 ? `: Part ${1 + Math.floor(r() * 4)}` : '')
}

/** Write the chunks of `gen` gzipped into `file` (backpressure through stream.pipeline). */
async function writeGz(file: string, gen: () => Generator<string>): Promise<void> {
  await pipeline(Readable.from(gen()), createGzip({ level: 1 }), createWriteStream(file))
}

const typeOf = (r: () => number) => {
  let x = r()
  for (const [t, p] of TYPES) {
    x -= p
    if (x < 0) return t
  }
  return 'tvEpisode'
}
/** Title i's type, primary and original titles: the same in both files. */
function head(i: number): { type: string; primary: string; original: string } {
  const r = rng(i + 1)
  const type = typeOf(r)
  const primary = title(r)
  return { type, primary, original: r() < 0.2 ? title(r) : primary }
}
const tconst = (i: number) => `tt${String(i + 1).padStart(7, '0')}`
const CHUNK = 2000

/** Generate title.basics and title.akas (reused when already there). */
async function generate(dir: string, nBasics: number, nAkas: number): Promise<{ basics: string; akas: string }> {
  const basics = join(dir, `title.basics.${nBasics}.tsv.gz`)
  const akas = join(dir, `title.akas.${nAkas}.tsv.gz`)
  // Average akas per kept title and per other title, scaled so the total is nAkas.
  const keptShare = TYPES.filter(([t]) => KEPT.has(t)).reduce((a, [, p]) => a + p, 0)
  const ratio = 3.5 // kept titles have ~3.5× the akas of others
  const perOther = nAkas / (nBasics * (keptShare * ratio + (1 - keptShare)))
  const perKept = perOther * ratio
  const t0 = performance.now()
  if (!existsSync(basics)) {
    const r = rng(7)
    await writeGz(basics, function* () {
      yield 'tconst\ttitleType\tprimaryTitle\toriginalTitle\tisAdult\tstartYear\tendYear\truntimeMinutes\tgenres\n'
      let chunk = ''
      for (let i = 0; i < nBasics; i++) {
        const { type, primary, original } = head(i)
        const y = r() < 0.1 ? '\\N' : String(1900 + Math.floor(125 * Math.sqrt(r())))
        const end = (type === 'tvSeries' || type === 'tvMiniSeries') && r() < 0.5 ? '2024' : '\\N'
        chunk += `${tconst(i)}\t${type}\t${primary}\t${original}\t0\t${y}\t${end}\t${Math.floor(r() * 150)}\tDrama,Comedy\n`
        if (i % CHUNK === CHUNK - 1) {
          yield chunk
          chunk = ''
        }
      }
      yield chunk
    })
  }
  if (!existsSync(akas)) {
    const r = rng(11)
    await writeGz(akas, function* () {
      yield 'titleId\tordering\ttitle\tregion\tlanguage\ttypes\tattributes\tisOriginalTitle\n'
      let written = 0
      let chunk = ''
      for (let i = 0; i < nBasics && written < nAkas; i++) {
        const { type, primary, original } = head(i)
        const mean = KEPT.has(type) ? perKept : perOther
        const n = i === nBasics - 1 ? nAkas - written : Math.round(mean * 2 * r())
        for (let k = 0; k < n && written < nAkas; k++, written++) {
          // The original title once, then the primary title in many regions, and localised titles.
          const t = k === 0 ? original : r() < 0.5 ? primary : title(r)
          const region = k === 0 ? '\\N' : (REGIONS[Math.floor(r() * REGIONS.length)] ?? 'US')
          chunk += `${tconst(i)}\t${k + 1}\t${t}\t${region}\t\\N\t${k === 0 ? 'original' : '\\N'}\t\\N\t${k === 0 ? 1 : 0}\n`
        }
        if (i % CHUNK === CHUNK - 1) {
          yield chunk
          chunk = ''
        }
      }
      yield chunk
    })
  }
  const secs = ((performance.now() - t0) / 1000).toFixed(0)
  console.log(
    `files: ${(statSync(basics).size / 2 ** 20).toFixed(0)} MB + ${(statSync(akas).size / 2 ** 20).toFixed(0)} MB gzip (${secs} s to generate)`,
  )
  return { basics, akas }
}

/** The importing process: import basics, then akas, print figures as JSON on stdout. */
async function child(dbPath: string, basics: string, akas: string): Promise<void> {
  const { openDb, closeDb } = await import('../../pipeline/db/client.ts')
  const { importImdbFiles } = await import('../../pipeline/group/imdb.ts')
  const { createConsola } = await import('consola')
  const log = createConsola({ level: 3 }).withTag('bench')
  const db = openDb(dbPath)
  if (process.env.IMDB_BENCH_MEMLOG === '1') {
    const mb = (n: number) => (n / 2 ** 20).toFixed(0)
    setInterval(() => {
      const m = process.memoryUsage()
      process.stderr.write(`rss ${mb(m.rss)} heap ${mb(m.heapUsed)}/${mb(m.heapTotal)} ext ${mb(m.external)} MB\n`)
    }, 5000).unref()
  }
  const size = () => [dbPath, `${dbPath}-wal`].reduce((a, f) => a + (existsSync(f) ? statSync(f).size : 0), 0)
  const count = (t: string) => (db.$client.prepare(`SELECT COUNT(*) AS n FROM ${t}`).get() as { n: number }).n
  db.$client.pragma('wal_checkpoint(TRUNCATE)')
  const empty = size()
  const cpu = () => {
    const u = process.cpuUsage()
    return (u.user + u.system) / 1e6
  }
  let t = performance.now()
  let c0 = cpu()
  const b = await importImdbFiles(db, [basics], log)
  const basicsCpu = cpu() - c0
  db.$client.pragma('wal_checkpoint(TRUNCATE)')
  const basicsSecs = (performance.now() - t) / 1000
  const afterBasics = size()
  t = performance.now()
  c0 = cpu()
  const a = await importImdbFiles(db, [akas], log)
  const akasCpu = cpu() - c0
  db.$client.pragma('wal_checkpoint(TRUNCATE)')
  const akasSecs = (performance.now() - t) / 1000
  const afterAkas = size()
  const res = {
    basicsSecs,
    akasSecs,
    basicsCpu,
    akasCpu,
    titles: count('imdb_titles'),
    akas: count('imdb_akas'),
    basicsLines: b.counts.lines,
    akasLines: a.counts.lines,
    empty,
    afterBasics,
    afterAkas,
    maxRssMB: process.resourceUsage().maxRSS / 1024,
  }
  closeDb(db)
  process.stdout.write(`${JSON.stringify(res)}\n`)
}

async function main(): Promise<void> {
  const scale = Number(process.env.IMDB_BENCH_SCALE ?? 1)
  const nBasics = Math.round(Number(process.env.IMDB_BENCH_BASICS ?? 11_000_000 * scale))
  const nAkas = Math.round(Number(process.env.IMDB_BENCH_AKAS ?? 50_000_000 * scale))
  const given = process.env.IMDB_BENCH_DIR
  const dir = given ?? mkdtempSync(join(tmpdir(), 'ms-bench-imdb-'))
  mkdirSync(dir, { recursive: true })
  try {
    console.log(`IMDb import: ${nBasics.toLocaleString('en')} basics rows, ${nAkas.toLocaleString('en')} akas rows`)
    const files = await generate(dir, nBasics, nAkas)
    const dbPath = join(dir, `bench-${process.pid}.db`)
    const t0 = performance.now()
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(import.meta.url), CHILD, dbPath, files.basics, files.akas],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 20 },
    )
    const wall = (performance.now() - t0) / 1000
    if (r.status !== 0) {
      console.error(`the import failed (exit ${r.status})`)
      process.exitCode = 1
      return
    }
    const f = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, number>
    const mb = (n = 0) => `${(n / 2 ** 20).toFixed(0)} MB`
    const s = (n = 0) => `${n.toFixed(0)} s`
    console.log(
      `basics  ${s(f.basicsSecs)} wall, ${s(f.basicsCpu)} CPU  (${f.basicsLines?.toLocaleString('en')} lines → ${f.titles?.toLocaleString('en')} titles kept)`,
    )
    console.log(
      `akas    ${s(f.akasSecs)} wall, ${s(f.akasCpu)} CPU  (${f.akasLines?.toLocaleString('en')} lines → ${f.akas?.toLocaleString('en')} alternative titles kept)`,
    )
    console.log(
      `total   ${s(wall)} wall (process start and migrations included), ${s((f.basicsCpu ?? 0) + (f.akasCpu ?? 0))} CPU; load average ${loadavg()[0]?.toFixed(1)} on ${cpus().length} cores`,
    )
    console.log(`peak RSS of the importing process: ${f.maxRssMB?.toFixed(0)} MB`)
    console.log(
      `database growth: imdb_titles ${mb((f.afterBasics ?? 0) - (f.empty ?? 0))}, imdb_akas ${mb((f.afterAkas ?? 0) - (f.afterBasics ?? 0))}, file ${mb(f.afterAkas)}`,
    )
    if (scale !== 1) {
      const k = 1 / scale
      console.log(
        `scale ${scale}: ×${k.toFixed(0)} linear extrapolation to full size: ~${s(wall * k)}, database ~${mb((f.afterAkas ?? 0) * k)}`,
      )
    }
    rmSync(dbPath, { force: true })
    rmSync(`${dbPath}-wal`, { force: true })
    rmSync(`${dbPath}-shm`, { force: true })
  } finally {
    if (!given && process.env.IMDB_BENCH_KEEP !== '1') rmSync(dir, { recursive: true, force: true })
  }
}

if (process.argv[2] === CHILD) {
  const [, , , dbPath, basics, akas] = process.argv
  await child(dbPath ?? '', basics ?? '', akas ?? '')
} else {
  await main()
}
