/**
 * The engines on small worked examples, computed by hand (arithmetic in the comments).
 * Defaults: weights seeders 0.4 / completed 0.4 / leechers 0.2, λ = 0.8.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { normalizedScores } from '../../pipeline/score/normalized.ts'
import { rankScores, roundTo, trendingCount } from '../../pipeline/score/rank.ts'
import { fromRows, type StatRow } from '../../pipeline/score/stats-table.ts'
import { velocityScores } from '../../pipeline/score/velocity.ts'

const W = { weightSeeders: 0.4, weightCompleted: 0.4, weightLeechers: 0.2, lambda: 0.8 }
const D = Date.UTC(2026, 0, 10) / 1000 // 2026-01-10T00:00:00Z, a UTC midnight
const H = 3600
const row = (torrent: number, time: number, tracker: number, s: number, l: number, c: number | null): StatRow => ({
  torrent,
  time,
  tracker,
  seeders: s,
  leechers: l,
  completed: c,
})

describe('normalized engine (reference)', () => {
  it('scores one tracker: day means, n = rank of the day, gaps between days, null completed', () => {
    const scores = normalizedScores(
      fromRows([
        // torrent 1, one day (n = 1): means S = (10+20)/2 = 15, L = (4+6)/2 = 5, C = (100+110)/2 = 105
        //   mix = 0.4·15 + 0.4·105 + 0.2·5 = 6 + 42 + 1 = 49;  raw = 49·0.8·e^-0.8
        row(1, D + 10 * H, 1, 10, 4, 100),
        row(1, D + 14 * H, 1, 20, 6, 110),
        // torrent 2, one day (n = 1), completed null: mix = 0.4·5 + 0 + 0.2·10 = 4;  raw = 4·0.8·e^-0.8
        row(2, D + 9 * H, 1, 5, 10, null),
        // torrent 3: stats on D−2 and D (a gap: D−1 has none), so day D is its 2nd day: n = 2
        //   last day: mix = 0.4·10 + 0.4·20 + 0.2·5 = 4 + 8 + 1 = 13;  raw = 13·0.8·e^-1.6
        row(3, D - 2 * 86400 + 12 * H, 1, 100, 100, 1000),
        row(3, D + 23 * H + 59 * 60, 1, 10, 5, 20),
      ]),
      W,
    )
    // max_r = torrent 1's raw = 49·0.8·e^-0.8
    // 1: 100;  2: 4/49·100 = 8.1632… → 8.16;  3: 13·e^-1.6 / (49·e^-0.8)·100 = 13·0.449329/49·100 = 11.9210… → 11.92
    expect(scores.get(1)).toBe(100)
    expect(scores.get(2)).toBe(8.16)
    expect(scores.get(3)).toBe(11.92)
  })

  it('averages over trackers, each normalised by its own max', () => {
    const scores = normalizedScores(
      fromRows([
        // tracker 1: torrent 1 mix = 0.4·10 + 0.4·10 + 0.2·10 = 10, torrent 2 mix = 0.4·5 + 0.4·5 + 0.2·5 = 5 (both n = 1)
        row(1, D + H, 1, 10, 10, 10),
        row(2, D + H, 1, 5, 5, 5),
        // tracker 2: torrent 2 mix = 0.4·20 + 0.4·0 + 0.2·20 = 12 (n = 1), torrent 1 absent
        row(2, D + 2 * H, 2, 20, 20, 0),
      ]),
      W,
    )
    // torrent 1: v1 = 100 (its only tracker) → 100
    // torrent 2: v1 = 5/10·100 = 50, v2 = 100 (it is tracker 2's max) → (50 + 100)/2 = 75
    expect(scores.get(1)).toBe(100)
    expect(scores.get(2)).toBe(75)
  })

  it('counts days on each tracker separately and uses only the last day', () => {
    const scores = normalizedScores(
      fromRows([
        // torrent 1: days D and D+1 on tracker 1 (n = 2 for D+1): last-day mix = 0.4·10 + 0.4·10 + 0.2·10 = 10
        //   raw = 10·0.8·e^-1.6 ; day D's huge numbers do not count
        row(1, D + H, 1, 1000, 1000, 1000),
        row(1, D + 86400 + H, 1, 10, 10, 10),
        // torrent 2: only D+1 (n = 1), mix = 10 → raw = 10·0.8·e^-0.8 = the max
        row(2, D + 86400 + 2 * H, 1, 10, 10, 10),
      ]),
      W,
    )
    // torrent 1: e^-1.6/e^-0.8·100 = e^-0.8·100 = 44.9329 → 44.93
    expect(scores.get(1)).toBe(44.93)
    expect(scores.get(2)).toBe(100)
  })

  it('gives 0 when a tracker max is 0, and no score when nothing can be scored', () => {
    const stats = fromRows([
      row(1, D + H, 1, 0, 0, 0), // mix 0 → raw 0 → max_r = 0 → norm 0 (no division by zero)
      row(2, D + H, 1, 0, 0, null),
      row(3, D + H, 1, Number.NaN, Number.NaN, null), // unusable row: nothing to score
    ])
    const scores = normalizedScores(stats, W)
    expect(scores.get(1)).toBe(0)
    expect(scores.get(2)).toBe(0)
    expect(scores.get(3)).toBeNull()
    // a torrent without a score is not ranked; zero scores rank by info hash
    const ranked = rankScores(scores, (id) => ['', 'bb', 'aa', 'cc'][id] ?? '', { k: 1 })
    expect(ranked.map((r) => [r.torrent, r.rank, r.trending])).toEqual([
      [2, 1, true],
      [1, 2, false],
    ])
  })

  it('breaks ties by info hash ascending, whatever the input order', () => {
    // torrents 5, 6, 7 identical (mix = 0.4·2 + 0.4·2 + 0.2·2 = 2, n = 1) → all 100
    const rows = [7, 5, 6].map((t) => row(t, D + H, 1, 2, 2, 2))
    const scores = normalizedScores(fromRows(rows), W)
    expect([...scores.values()]).toEqual([100, 100, 100])
    const hash: Record<number, string> = { 5: 'ffff', 6: '0000', 7: '8888' }
    const ranked = rankScores(scores, (id) => hash[id] ?? '', { k: 2 })
    expect(ranked.map((r) => r.torrent)).toEqual([6, 7, 5])
    expect(ranked.map((r) => r.trending)).toEqual([true, true, false])
  })
})

describe('K and rounding', () => {
  it('K = min(ceil(tau·N), max_trendings)', () => {
    expect(trendingCount(10, 0.2, 50)).toBe(2) // 0.2·10 = 2
    expect(trendingCount(15, 0.2, 50)).toBe(3) // 0.2·15 is exactly 3 in float64
    // float64 as the older tool computed it (np.ceil(tau * n)): these products land just above a whole number
    expect(0.28 * 25).toBe(7.000000000000001)
    expect(trendingCount(25, 0.28, 50)).toBe(8)
    expect(trendingCount(25, 0.56, 50)).toBe(15) // 14.000000000000002
    expect(trendingCount(50, 0.14, 50)).toBe(8) // 7.000000000000001
    expect(trendingCount(50, 0.28, 50)).toBe(15) // 14.000000000000002
    expect(trendingCount(50, 0.56, 50)).toBe(29) // 28.000000000000004
    expect(trendingCount(11, 0.2, 50)).toBe(3) // ceil(2.2)
    expect(trendingCount(1000, 0.2, 50)).toBe(50)
    expect(trendingCount(0, 0.2, 50)).toBe(0)
    expect(trendingCount(3, 1, 50)).toBe(3)
  })
  it('rounds as numpy/pandas do: half to even on x·10^d in float64', () => {
    expect(roundTo(3.125, 2)).toBe(3.12)
    expect(roundTo(53.125, 2)).toBe(53.12)
    expect(roundTo(3.135, 2)).toBe(3.14) // as np.round(3.135, 2)
    expect(roundTo(0.375, 2)).toBe(0.38) // an exact half, odd neighbour below
    expect(roundTo(1.005, 2)).toBe(1) // 100.49999999999999
    expect(roundTo(11.9249, 2)).toBe(11.92)
    expect(roundTo(2.5, 0)).toBe(2)
    expect(roundTo(3.5, 0)).toBe(4)
    expect(roundTo(-2.5, 0)).toBe(-2)
  })
})

describe('velocity engine', () => {
  const V = { halfLifeHours: 24, weightCompleted: 0.4, weightLeechers: 0.2 }
  it('scores downloads per hour plus β·leechers (β = 0.2/0.4 = 0.5)', () => {
    const now = D + 2 * H
    // one interval: Δc = 20 over 2 h = 10/h; leechers 4 then 4: demand 4; last scrape at now: no fade
    const s = velocityScores(fromRows([row(1, D, 1, 1, 4, 0), row(1, D + 2 * H, 1, 1, 4, 20)]), { now, ...V })
    expect(s.get(1)).toBe(12) // 10 + 0.5·4
  })
  it('weights intervals by age: Σw·Δc / Σw·Δt with w halving every half-life', () => {
    const now = D + 48 * H
    // intervals [0,24h] Δc 240 (midpoint age 36 h, w = 2^-1.5), [24h,48h] Δc 0 (age 12 h, w = 2^-0.5);
    // leechers 0. rate = 240·2^-1.5 / (24·2^-1.5 + 24·2^-0.5) = 10·2^-1.5/(2^-1.5 + 2^-0.5) = 10/(1+2) = 3.3333
    const s = velocityScores(
      fromRows([row(1, D, 1, 0, 0, 0), row(1, D + 24 * H, 1, 0, 0, 240), row(1, D + 48 * H, 1, 0, 0, 240)]),
      { now, ...V },
    )
    expect(s.get(1)).toBe(3.3333)
  })
  it('handles counter resets and jitter, takes the max over trackers, fades stale torrents', () => {
    const now = D + 4 * H
    const s = velocityScores(
      fromRows([
        // tracker 1: 100 → 30 (below half: a reset, Δ = 30) → 28 (jitter, Δ = 0); 2 h each
        //   rate ≈ (30·w1 + 0·w2)/(2·w1 + 2·w2) with w1 = 2^(-3/24), w2 = 2^(-1/24)
        row(1, D, 1, 0, 0, 100),
        row(1, D + 2 * H, 1, 0, 0, 30),
        row(1, D + 4 * H, 1, 0, 0, 28),
        // tracker 2: 0 → 40 over 4 h = 10/h (one interval, weight cancels): the max
        row(1, D, 2, 0, 0, 0),
        row(1, D + 4 * H, 2, 0, 0, 40),
        // torrent 2: last seen 24 h before now: rate 10/h, faded by 2^-1 → 5
        row(2, D - 22 * H, 1, 0, 0, 0),
        row(2, D - 20 * H, 1, 0, 0, 20),
        // torrent 3: no completed at all: leechers only (demand 6, β = 0.5 → 3)
        row(3, D + 4 * H, 1, 0, 6, null),
        // torrent 4: 100 → 98 (jitter: 0) → 100 (0 again, counted from 100) → 110 (+10), 1 h each, now = last
        //   rate = (0·w1 + 0·w2 + 10·w3)/(w1 + w2 + w3) with w = 2^(-2.5/24), 2^(-1.5/24), 2^(-0.5/24)
        row(4, D + 1 * H, 1, 0, 0, 100),
        row(4, D + 2 * H, 1, 0, 0, 98),
        row(4, D + 3 * H, 1, 0, 0, 100),
        row(4, D + 4 * H, 1, 0, 0, 110),
      ]),
      { now, ...V },
    )
    const w1 = 2 ** (-3 / 24)
    const w2 = 2 ** (-1 / 24)
    expect((30 * w1) / (2 * w1 + 2 * w2)).toBeLessThan(10)
    expect(s.get(1)).toBe(10)
    expect(s.get(2)).toBe(5)
    expect(s.get(3)).toBe(3)
    const [a, b, c] = [2.5, 1.5, 0.5].map((age) => 2 ** (-age / 24)) as [number, number, number]
    expect(s.get(4)).toBe(roundTo((10 * c) / (a + b + c), 4)) // ≈ 3.4301
  })
})

describe('normalized = the older tool, number for number', () => {
  // Computed with the older tool's own NormalizedTrendsEngine (pandas 2, numpy rounding) on seeded
  // synthetic swarms with clean data (every scrape has seeders, leechers and completed).
  const fixture = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures/legacy-normalized.json'), 'utf8')) as {
    cases: { seed: number; rows: number[][]; scores: Record<string, number> }[]
  }
  for (const c of fixture.cases) {
    it(`seed ${c.seed}: ${Object.keys(c.scores).length} torrents, every score equal`, () => {
      const table = fromRows(
        c.rows.map(([torrent = 0, time = 0, tracker = 0, seeders = 0, leechers = 0, completed = 0]) => ({
          torrent,
          time,
          tracker,
          seeders,
          leechers,
          completed,
        })),
      )
      const scores = normalizedScores(table, {
        weightSeeders: 0.4,
        weightCompleted: 0.4,
        weightLeechers: 0.2,
        lambda: 0.8,
      })
      expect(Object.fromEntries([...scores].map(([k, v]) => [String(k), v]))).toEqual(c.scores)
    })
  }
})
