/**
 * `npm run bench [-- NAME… [-- OPTION…]]`: runs every benchmark in scripts/bench/ (or the named
 * ones), one process each, and lets each print its own figures; options after a second `--` go to
 * each benchmark (`npm run bench -- group -- --torrents 100000`). Benchmarks measure; they never
 * fail a build.
 * `imdb` generates full-size IMDb datasets (~600 MB gzip, several minutes) and imports them:
 * `IMDB_BENCH_SCALE=0.1 npm run bench -- imdb` for a tenth (see scripts/bench/imdb.ts).
 */
import { spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const dir = join(dirname(fileURLToPath(import.meta.url)), 'bench')
const all = readdirSync(dir)
  .filter((f) => f.endsWith('.ts'))
  .sort()
const argv = process.argv.slice(2)
const cut = argv.indexOf('--')
const wanted = cut < 0 ? argv : argv.slice(0, cut)
const forwarded = cut < 0 ? [] : argv.slice(cut + 1)
const chosen = wanted.length ? all.filter((f) => wanted.includes(basename(f, '.ts'))) : all
if (chosen.length === 0) {
  console.error(`no benchmark named ${wanted.join(', ')}; have: ${all.map((f) => basename(f, '.ts')).join(', ')}`)
  process.exit(2)
}
let failed = 0
for (const f of chosen) {
  console.log(`\n== bench ${basename(f, '.ts')} ==`)
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(dir, f), ...forwarded], { stdio: 'inherit' })
  if (r.status !== 0) failed++
}
process.exit(failed ? 1 : 0)
