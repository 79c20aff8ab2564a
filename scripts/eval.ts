/**
 * `npm run eval [-- --seed N --torrents N --days N --scrapes-per-day N]`: how well each trend
 * engine recovers the true demand of simulated swarms (pipeline/sim).
 *
 * The scenario (fixed seed) mixes flash crowds, slow burns, decaying and steady titles and second
 * waves, with a day/night cycle, seen through two imperfect trackers (partial coverage, noise,
 * restarts that reset the completed counter, missing completed values, failed scrapes). Every
 * 12 hours from day 3 on, both engines score the scrapes of the last `delta_days` with the
 * package's default settings; their rankings are compared with the truth: each swarm's mean
 * demand (downloads started per hour) over the last 24 hours. Printed: NDCG@10 and Kendall's τ-b,
 * mean and worst over the evaluation times.
 */
import { parseArgs } from 'node:util'
import { kendallTauB, makeScenario, ndcgAt } from '../devkit/sim/index.ts'
import { packageDefaults } from '../pipeline/config/load.ts'
import type { IniConfig } from '../pipeline/config/schema.ts'
import { ENGINES, engines } from '../pipeline/score/engines.ts'
import { rankScores, trendingCount } from '../pipeline/score/rank.ts'
import { fromRows } from '../pipeline/score/stats-table.ts'

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

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length)
const fmt = (x: number) => x.toFixed(3)

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      seed: { type: 'string', default: '42' },
      torrents: { type: 'string', default: '150' },
      days: { type: 'string', default: '10' },
      'scrapes-per-day': { type: 'string', default: '6' },
    },
  })
  const opts = {
    seed: Number(values.seed),
    torrents: Number(values.torrents),
    days: Number(values.days),
    scrapesPerDay: Number(values['scrapes-per-day']),
  }
  const t0 = performance.now()
  const figures = evaluate(opts)
  const def = defaultTrendsManager().engine
  console.log(
    `eval: seed ${opts.seed}, ${opts.torrents} swarms, ${opts.days} days, ${opts.scrapesPerDay} scrapes/day, 2 trackers; ` +
      `${figures[0]?.ndcg.length ?? 0} evaluation times (every 12 h from day 3); truth = mean demand over the last 24 h`,
  )
  console.log('engine       NDCG@10 mean  NDCG@10 min  Kendall τ mean  Kendall τ min')
  for (const f of figures) {
    console.log(
      `${`${f.engine}${f.engine === def ? '*' : ''}`.padEnd(12)} ${fmt(mean(f.ndcg)).padStart(12)} ${fmt(Math.min(...f.ndcg)).padStart(12)} ${fmt(mean(f.tau)).padStart(15)} ${fmt(Math.min(...f.tau)).padStart(14)}`,
    )
  }
  console.log(`(* = the default engine, [trends_manager] engine) in ${Math.round(performance.now() - t0)} ms`)
}
