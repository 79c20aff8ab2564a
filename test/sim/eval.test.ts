/** `npm run eval` on its default scenario: the default engine meets its target and beats the reference. */
import { expect, it } from 'vitest'
import { defaultTrendsManager, evaluate } from '../../scripts/eval.ts'

it('the default engine reaches NDCG@10 ≥ 0.9 and beats the reference engine', () => {
  const figures = evaluate({ seed: 42, torrents: 150, days: 10, scrapesPerDay: 6 })
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length
  const by = Object.fromEntries(figures.map((f) => [f.engine, { ndcg: mean(f.ndcg), tau: mean(f.tau) }]))
  const def = defaultTrendsManager().engine
  expect(def).toBe('velocity')
  expect(by.velocity?.ndcg).toBeGreaterThanOrEqual(0.9)
  expect(by.velocity?.ndcg).toBeGreaterThan(by.normalized?.ndcg ?? 1)
  expect(by.velocity?.tau).toBeGreaterThan(by.normalized?.tau ?? 1)
})
