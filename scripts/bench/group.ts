/**
 * `npm run bench -- group`: `movies compute` at 1 M torrents (60 % movies, 40 % episodes; made-up
 * names of 1–3 words from a 4,000-word vocabulary, ~1.5 releases per film and ~10 episodes per
 * show, years 1950–2025) in a temp database, through the real command. Three processes, so each phase's peak RSS is its own (process.resourceUsage().maxRSS):
 * 1. setup: the torrents and a trend run over all of them;
 * 2. the first compute: every name parsed and grouped (a database that never grouped before);
 * 3. a second trend run with 1 % new torrents, then the incremental compute (goal: ≤ 30 s, ≤ 1 GB).
 * Options: --torrents N --new-share F (0.01).
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { rng } from '../../devkit/sim/rng.ts'
import { loadConfig } from '../../pipeline/config/load.ts'
import { makeContext } from '../../pipeline/context.ts'
import { fixedClock } from '../../pipeline/core/clock.ts'
import { mediaCompute } from '../../pipeline/group/command.ts'

const { values } = parseArgs({
  options: {
    torrents: { type: 'string', default: '1000000' },
    'new-share': { type: 'string', default: '0.01' },
    phase: { type: 'string' },
    dir: { type: 'string' },
  },
})
const N = Number(values.torrents)
const NEW = Math.round(N * Number(values['new-share']))
const T1 = Date.UTC(2026, 1, 1) / 1000
const T2 = T1 + 4 * 3600

/** A vocabulary of 4,000 made-up words (syllables), so titles collide about as often as real ones do. */
const SYLLABLES = 'ka lo mi ra te su no vi ar en do ma li ko ze ru pa sa to ne'.split(' ')
const WORDS = Array.from({ length: 4000 }, (_, i) => {
  const r = rng(i + 101)
  return Array.from({ length: r.int(1, 4) }, () => r.pick(SYLLABLES)).join('')
})
const RES = ['720p', '1080p', '2160p']
const SRC = ['BluRay.x264', 'WEB-DL.DDP5.1.H.264', 'WEBRip.x265', 'HDTV.x264']
const GRP = ['FGT', 'NTb', 'FLUX', 'ETHEL', 'SPARKS', 'GECKOS', 'RARBG', 'YTS']

function context(dir: string, now: number) {
  return makeContext({
    clock: fixedClock(new Date(now * 1000)),
    loadConfig: () => loadConfig({ mode: 'bench', configDir: dir, env: {}, cwd: dir, home: dir, systemDirs: [] }),
  })
}

/** The i-th made-up release name and its category. */
function release(i: number): { name: string; category: 'movies' | 'series' } {
  const r = rng(i * 7919 + 13)
  const series = i % 5 >= 3
  // ~1.5 releases per film, ~10 episodes per show: titles drawn from a pool sized to match.
  const pool = series ? Math.ceil(N / 25) : Math.ceil(N / 2.5)
  const t = rng(r.int(0, pool) + (series ? 1_000_000_007 : 0))
  const words = Array.from({ length: t.int(1, 4) }, () => t.pick(WORDS))
  const title = words.map((w) => w[0]?.toUpperCase() + w.slice(1)).join('.')
  const year = t.int(1950, 2026)
  const tail = `${r.pick(RES)}.${r.pick(SRC)}-${r.pick(GRP)}`
  if (!series) return { name: `${title}.${year}.${tail}`, category: 'movies' }
  const s = String(r.int(1, 6)).padStart(2, '0')
  const e = String(r.int(1, 13)).padStart(2, '0')
  return { name: `${title}.${t.next() < 0.5 ? `${year}.` : ''}S${s}E${e}.${tail}`, category: 'series' }
}

function seed(dir: string, from: number, to: number, time: number, runOver: number): void {
  const ctx = context(dir, time)
  const s = ctx.db().$client
  const ins = s.prepare(
    "INSERT INTO torrents (id, info_hash, name, pub_date, status, category, added_at) VALUES (?, ?, ?, ?, 'follow', ?, ?)",
  )
  const trend = s.prepare(
    'INSERT INTO trends (torrent_id, time, engine, score, rank, trending) VALUES (?, ?, ?, ?, ?, 0)',
  )
  const r = rng(time)
  for (let a = from; a <= to; a += 10_000) {
    s.transaction(() => {
      for (let id = a; id < Math.min(to + 1, a + 10_000); id++) {
        const { name, category } = release(id)
        ins.run(id, id.toString(16).padStart(40, '0'), name, time - 3600, category, time - 3600)
      }
    })()
  }
  for (let a = 1; a <= runOver; a += 10_000) {
    s.transaction(() => {
      for (let id = a; id < Math.min(runOver + 1, a + 10_000); id++)
        trend.run(id, time, 'nowcast', r.uniform(0, 100), id)
    })()
  }
  ctx.close()
}

async function compute(dir: string, time: number, label: string): Promise<void> {
  const ctx = context(dir, time)
  const t = performance.now()
  const res = await mediaCompute(ctx, 'movie')
  const secs = (performance.now() - t) / 1000
  const rss = process.resourceUsage().maxRSS / 1024
  const c = res.counts
  // A compute that did nothing (no trend run of the engine it reads) is no figure.
  if (!res.ok || c.parsed === undefined)
    throw new Error(`${label}: the compute did not run: ${JSON.stringify(res.errors ?? res)}`)
  console.log(
    `${label}: ${secs.toFixed(1)} s, peak RSS ${rss.toFixed(0)} MB (${c.parsed?.toLocaleString('en')} parsed, ` +
      `${c.regrouped?.toLocaleString('en')} regrouped, ${c.media?.toLocaleString('en')} movies ranked)`,
  )
  ctx.close()
}

const phase = values.phase
if (phase) {
  const dir = values.dir ?? ''
  if (phase === 'setup') seed(dir, 1, N, T1, N)
  else if (phase === 'first') await compute(dir, T1, `first movies compute over ${N.toLocaleString('en')} torrents`)
  else if (phase === 'more') seed(dir, N + 1, N + NEW, T2, N + NEW)
  else if (phase === 'incremental')
    await compute(
      dir,
      T2,
      `incremental movies compute after ${NEW.toLocaleString('en')} new torrents (goal ≤ 30 s, ≤ 1 GB)`,
    )
} else {
  const dir = mkdtempSync(join(tmpdir(), 'mediastrends-bench-group-'))
  writeFileSync(join(dir, 'mediastrends.bench.ini'), '[requests]\nuser_agent = bench\n')
  const self = fileURLToPath(import.meta.url)
  const step = (p: string) => {
    const t = performance.now()
    const r = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        self,
        '--phase',
        p,
        '--dir',
        dir,
        '--torrents',
        String(N),
        '--new-share',
        values['new-share'] ?? '',
      ],
      { stdio: 'inherit' },
    )
    if (r.status !== 0) throw new Error(`phase ${p} failed`)
    return (performance.now() - t) / 1000
  }
  try {
    const s1 = step('setup')
    console.log(`generated ${N.toLocaleString('en')} torrents and a trend run in ${s1.toFixed(1)} s`)
    step('first')
    step('more')
    step('incremental')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
