/**
 * `npm run eval [-- --seeds 42,7,1234 --types releases,… --torrents N --days N --json]`: how well each
 * trend engine, and each naive baseline (latest seeders, latest leechers, Δcompleted over 24 h),
 * ranks the swarms of the harsh simulator (devkit/sim/harsh.ts) against the true downloads of the
 * next 24 hours and of the past 24 hours: NDCG@10, NDCG@50 and Kendall's τ-b per scenario type,
 * per seed and on the mean. `--legacy` runs the older evaluation below instead.
 *
 * The older evaluation (`evaluate`, kept for its test):
 * The scenario (fixed seed) mixes flash crowds, slow burns, decaying and steady titles and second
 * waves, with a day/night cycle, seen through two imperfect trackers (partial coverage, noise,
 * restarts that reset the completed counter, missing completed values, failed scrapes). Every
 * 12 hours from day 3 on, both engines score the scrapes of the last `delta_days` with the
 * package's default settings; their rankings are compared with the truth: each swarm's mean
 * demand (downloads started per hour) over the last 24 hours. Printed: NDCG@10 and Kendall's τ-b,
 * mean and worst over the evaluation times.
 */
import { parseArgs } from 'node:util'
import {
  BASELINES,
  type BaselineName,
  baselineScores,
  HARSH_TYPES,
  type HarshSwarm,
  type HarshType,
  harshBaseRate,
  kendallTauB,
  makeHarshScenario,
  makeScenario,
  ndcgAt,
} from '../devkit/sim/index.ts'
import { packageDefaults } from '../pipeline/config/load.ts'
import type { EngineName, IniConfig } from '../pipeline/config/schema.ts'
import { ENGINES, engines } from '../pipeline/score/engines.ts'
import { rankScores, trendingCount } from '../pipeline/score/rank.ts'
import { fromRows, type StatsTable } from '../pipeline/score/stats-table.ts'

const DAY = 86_400

/** The package's default [trends_manager] settings (the shipped mediastrends.ini). */
export function defaultTrendsManager(): IniConfig['trends_manager'] {
  return packageDefaults().trends_manager
}

export interface EvalFigures {
  engine: string
  ndcg: number[]
  tau: number[]
}

export interface EvalOptions {
  seed: number
  torrents: number
  days: number
  scrapesPerDay: number
}

export function evaluate(opts: EvalOptions, trends = defaultTrendsManager()): EvalFigures[] {
  const sc = makeScenario(opts)
  const all = sc.observations()
  const byId = new Map(sc.swarms.map((s) => [s.spec.id, s]))
  const figures: EvalFigures[] = ENGINES.map((engine) => ({ engine, ndcg: [], tau: [] }))
  for (let at = sc.start + 3 * DAY; at <= sc.end; at += DAY / 2) {
    const from = at - trends.delta_days * DAY
    const stats = fromRows(all.filter((r) => r.time <= at && r.time >= from))
    const ids = [...new Set(Array.from(stats.torrent))]
    const truth = new Map(ids.map((id) => [id, byId.get(id)?.meanDemand(at - DAY, at) ?? 0]))
    const gain = (id: number) => truth.get(id) ?? 0
    for (const f of figures) {
      const engine = engines[f.engine as keyof typeof engines]
      const scores = engine.score(stats, { now: at, trends })
      const k = trendingCount(ids.length, trends.tau, trends.max_trendings)
      const ranked = rankScores(scores, (id) => byId.get(id)?.spec.infoHash ?? '', { k })
      f.ndcg.push(
        ndcgAt(
          10,
          ranked.map((r) => r.torrent),
          gain,
          ids,
        ),
      )
      f.tau.push(
        kendallTauB(
          ids.map((id) => scores.get(id) ?? Number.NEGATIVE_INFINITY),
          ids.map(gain),
        ),
      )
    }
  }
  return figures
}

// ---- the harsh evaluation (devkit/sim/harsh.ts): engines and naive baselines vs next/past 24 h ----

export const TRUTHS = ['next-24h', 'past-24h'] as const
export type TruthName = (typeof TRUTHS)[number]
export const METRICS = ['NDCG@10', 'NDCG@50', 'Kendall τ'] as const

export interface HarshCell {
  ranker: string
  truth: TruthName
  type: HarshType
  seed: number
  /** Means over the scenario's evaluation times, in METRICS order. */
  values: [number, number, number]
}

export interface HarshEvalOptions {
  seeds: number[]
  types?: readonly HarshType[]
  torrents?: number
  days?: number
  rankers?: readonly string[]
}

export const RANKERS: readonly string[] = [...ENGINES, ...BASELINES]
/**
 * A reference line, not a ranker: the simulator's true arrival rate now (before the day/night
 * factor). No engine can know it; it shows how much of the next 24 h is foreseeable at all
 * (flash crowds that have not started yet are not).
 */
export const ORACLE = 'oracle-now'

/** Scores of an engine or a naive baseline. */
export function rankerScores(
  ranker: string,
  stats: StatsTable,
  now: number,
  trends: IniConfig['trends_manager'],
): Map<number, number | null> {
  if ((BASELINES as readonly string[]).includes(ranker)) return baselineScores(ranker as BaselineName, stats, now)
  return engines[ranker as EngineName].score(stats, { now, trends })
}

export function evaluateHarsh(opts: HarshEvalOptions, trends = defaultTrendsManager()): HarshCell[] {
  const cells: HarshCell[] = []
  const rankers = opts.rankers ?? [...RANKERS, ORACLE]
  for (const type of opts.types ?? HARSH_TYPES) {
    for (const seed of opts.seeds) {
      const sc = makeHarshScenario({ type, seed, torrents: opts.torrents, days: opts.days })
      const all = sc.observations()
      const byId = new Map(sc.swarms.map((s) => [s.spec.id, s]))
      const sums = new Map<string, number[]>()
      for (const at of sc.evalTimes) {
        const from = at - trends.delta_days * DAY
        const stats = fromRows(all.filter((r) => r.time <= at && r.time >= from))
        const ids = [...new Set(Array.from(stats.torrent))]
        const truths: Record<TruthName, Map<number, number>> = {
          'next-24h': new Map(ids.map((id) => [id, byId.get(id)?.downloads(at, at + DAY) ?? 0])),
          'past-24h': new Map(ids.map((id) => [id, byId.get(id)?.downloads(at - DAY, at) ?? 0])),
        }
        for (const ranker of rankers) {
          const scores =
            ranker === ORACLE
              ? new Map(ids.map((id) => [id, harshBaseRate((byId.get(id) as HarshSwarm).spec, at)]))
              : rankerScores(ranker, stats, at, trends)
          const ranked = rankScores(scores, (id) => byId.get(id)?.spec.infoHash ?? '', { k: 0 }).map((r) => r.torrent)
          const xs = ids.map((id) => scores.get(id) ?? Number.NEGATIVE_INFINITY)
          for (const truth of TRUTHS) {
            const g = truths[truth]
            const gain = (id: number) => g.get(id) ?? 0
            const key = `${ranker}|${truth}`
            const acc = sums.get(key) ?? [0, 0, 0]
            acc[0] = (acc[0] as number) + ndcgAt(10, ranked, gain, ids)
            acc[1] = (acc[1] as number) + ndcgAt(50, ranked, gain, ids)
            acc[2] = (acc[2] as number) + kendallTauB(xs, ids.map(gain))
            sums.set(key, acc)
          }
        }
      }
      const n = sc.evalTimes.length
      for (const ranker of rankers) {
        for (const truth of TRUTHS) {
          const acc = sums.get(`${ranker}|${truth}`) ?? [0, 0, 0]
          cells.push({
            ranker,
            truth,
            type,
            seed,
            values: [(acc[0] as number) / n, (acc[1] as number) / n, (acc[2] as number) / n],
          })
        }
      }
    }
  }
  return cells
}

/** Mean of one metric over the cells that match. */
export function meanOf(cells: readonly HarshCell[], metric: number, where: (c: HarshCell) => boolean): number {
  const xs = cells.filter(where).map((c) => c.values[metric] as number)
  return xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length)
}

/** The printed tables: per truth and metric, rankers × scenario types (mean over seeds), the mean, and per seed. */
export function formatHarsh(cells: readonly HarshCell[], def: string): string[] {
  const types = [...new Set(cells.map((c) => c.type))]
  const seeds = [...new Set(cells.map((c) => c.seed))]
  const rankers = [...new Set(cells.map((c) => c.ranker))]
  const lines: string[] = []
  for (const truth of TRUTHS) {
    for (let m = 0; m < METRICS.length; m++) {
      lines.push('', `${METRICS[m]} vs ${truth} downloads (mean over seeds ${seeds.join(', ')})`)
      const head = ['ranker', ...types, 'mean', ...seeds.map((s) => `seed ${s}`)]
      const rows = rankers.map((r) => [
        `${r}${r === def ? '*' : ''}${(BASELINES as readonly string[]).includes(r) ? ' (naive)' : ''}${r === ORACLE ? ' (ceiling)' : ''}`,
        ...types.map((t) => meanOf(cells, m, (c) => c.ranker === r && c.truth === truth && c.type === t).toFixed(3)),
        meanOf(cells, m, (c) => c.ranker === r && c.truth === truth).toFixed(3),
        ...seeds.map((s) => meanOf(cells, m, (c) => c.ranker === r && c.truth === truth && c.seed === s).toFixed(3)),
      ])
      const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
      const fmtRow = (r: string[]) =>
        r.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ')
      lines.push(fmtRow(head), ...rows.map(fmtRow))
    }
  }
  return lines
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length)
const fmt = (x: number) => x.toFixed(3)

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      seeds: { type: 'string', default: '42,7,1234' },
      types: { type: 'string', default: HARSH_TYPES.join(',') },
      torrents: { type: 'string', default: '120' },
      days: { type: 'string', default: '10' },
      legacy: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  })
  const def = defaultTrendsManager().engine
  const t0 = performance.now()
  if (values.legacy) {
    // the older scenario (devkit/sim/scenario.ts), truth = mean download starts over the past 24 h
    const opts = { seed: Number(values.seeds.split(',')[0]), torrents: 150, days: 10, scrapesPerDay: 6 }
    const figures = evaluate(opts)
    console.log(`eval --legacy: seed ${opts.seed}, 150 swarms, 10 days, 6 scrapes/day, 2 trackers; truth = past 24 h`)
    console.log('engine       NDCG@10 mean  NDCG@10 min  Kendall τ mean  Kendall τ min')
    for (const f of figures) {
      console.log(
        `${`${f.engine}${f.engine === def ? '*' : ''}`.padEnd(12)} ${fmt(mean(f.ndcg)).padStart(12)} ${fmt(Math.min(...f.ndcg)).padStart(12)} ${fmt(mean(f.tau)).padStart(15)} ${fmt(Math.min(...f.tau)).padStart(14)}`,
      )
    }
  } else {
    const seeds = values.seeds.split(',').map(Number)
    const types = values.types.split(',') as HarshType[]
    const bad = types.filter((t) => !HARSH_TYPES.includes(t))
    if (bad.length || seeds.some((x) => !Number.isInteger(x))) {
      console.error(
        `eval: --types from ${HARSH_TYPES.join(',')}, --seeds whole numbers (got ${values.types} / ${values.seeds})`,
      )
      process.exit(2)
    }
    const cells = evaluateHarsh({ seeds, types, torrents: Number(values.torrents), days: Number(values.days) })
    if (values.json) {
      console.log(JSON.stringify(cells, null, 2))
    } else {
      console.log(
        `eval: harsh simulator (devkit/sim/harsh.ts), ${values.torrents} swarms × ${values.days} days per scenario, ` +
          `types ${types.join(', ')}, seeds ${seeds.join(', ')}; scored every 6 h from day 4 with the shipped ` +
          '[trends_manager] settings; truth = true completed downloads in the next (past) 24 h',
      )
      for (const l of formatHarsh(cells, def)) console.log(l)
    }
  }
  console.error(`(* = the default engine, [trends_manager] engine) in ${Math.round(performance.now() - t0)} ms`)
}
