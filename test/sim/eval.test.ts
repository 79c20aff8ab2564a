/**
 * `npm run eval`: the default engine against the naive baselines on the harsh simulator (one seed
 * here; the README's figures are the mean over three), and the older evaluation still runs.
 */
import { expect, it } from 'vitest'
import { HARSH_TYPES } from '../../devkit/sim/index.ts'
import {
  defaultTrendsManager,
  evaluate,
  evaluateHarsh,
  formatHarsh,
  meanOf,
  ORACLE,
  RANKERS,
} from '../../scripts/eval.ts'

it('harsh eval: the default engine (nowcast) beats velocity and every naive baseline in every scenario type vs the next 24 h', () => {
  const def = defaultTrendsManager().engine
  expect(def).toBe('nowcast')
  const cells = evaluateHarsh({ seeds: [42] })
  expect(new Set(cells.map((c) => c.type))).toEqual(new Set(HARSH_TYPES))
  expect(new Set(cells.map((c) => c.ranker))).toEqual(new Set([...RANKERS, ORACLE]))
  const ndcg10 = (ranker: string, truth: string, type?: string) =>
    meanOf(cells, 0, (c) => c.ranker === ranker && c.truth === truth && (type === undefined || c.type === type))
  for (const type of HARSH_TYPES) {
    for (const other of RANKERS.filter((r) => r !== def && r !== 'normalized')) {
      expect(ndcg10(def, 'next-24h', type), `${def} vs ${other} on ${type}`).toBeGreaterThan(
        ndcg10(other, 'next-24h', type),
      )
    }
  }
  expect(ndcg10(def, 'next-24h')).toBeGreaterThan(0.9)
  // the reference line (the true arrival rate now, unknowable) is not far off: little is left to gain
  expect(ndcg10(ORACLE, 'next-24h')).toBeGreaterThan(ndcg10(def, 'next-24h') - 0.03)
  // against the past 24 h: no worse than velocity
  expect(ndcg10(def, 'past-24h')).toBeGreaterThanOrEqual(ndcg10('velocity', 'past-24h'))
  const lines = formatHarsh(cells, def)
  expect(lines.some((l) => l.startsWith('NDCG@10 vs next-24h downloads'))).toBe(true)
  expect(lines.some((l) => l.startsWith('nowcast*'))).toBe(true)
})

it('legacy eval (the older scenario, truth = past 24 h): velocity still beats the reference engine', () => {
  const figures = evaluate({ seed: 42, torrents: 150, days: 10, scrapesPerDay: 6 })
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length
  const by = Object.fromEntries(figures.map((f) => [f.engine, { ndcg: mean(f.ndcg), tau: mean(f.tau) }]))
  expect(by.velocity?.ndcg).toBeGreaterThanOrEqual(0.9)
  expect(by.velocity?.ndcg).toBeGreaterThan(by.normalized?.ndcg ?? 1)
  expect(by.nowcast?.ndcg).toBeGreaterThan(by.normalized?.ndcg ?? 1)
})
