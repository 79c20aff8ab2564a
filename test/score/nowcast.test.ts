/**
 * The nowcast engine on small worked examples (arithmetic in the comments), with the shipped
 * defaults: completion 0.85, pipeline 0.3, recent window 6 scrape intervals within [4 h, 12 h],
 * trend power 0.3 clamped to [1/3, 3], young for 12 h with a boost of 1.5, stale after 12 h.
 */
import { describe, expect, it } from 'vitest'
import { packageDefaults } from '../../pipeline/config/load.ts'
import { engines } from '../../pipeline/score/engines.ts'
import { nowcastOptions, nowcastParts } from '../../pipeline/score/nowcast.ts'
import { fromRows, type StatRow } from '../../pipeline/score/stats-table.ts'

const NOW = Date.UTC(2026, 0, 10, 12) / 1000
const H = 3600
const opts = nowcastOptions(packageDefaults().trends_manager, NOW, NOW - 31 * 86_400)
const parts = (rows: StatRow[]) => nowcastParts(fromRows(rows), opts)

/** Hourly scrapes of one tracker from `fromH` hours ago to now. */
function hourly(
  torrent: number,
  tracker: number,
  fromH: number,
  f: (hoursAgo: number) => { s: number; l: number; c: number | null },
  toH = 0,
): StatRow[] {
  const rows: StatRow[] = []
  for (let k = fromH; k >= toH; k--) {
    const { s, l, c } = f(k)
    rows.push({ torrent, time: NOW - k * H, tracker, seeders: s, leechers: l, completed: c })
  }
  return rows
}
// steady: 10 downloads an hour, 20 leechers, for 50 hours
const steady = (torrent: number, tracker = 1, k = 1) =>
  hourly(torrent, tracker, 50, (ago) => ({ s: 30 * k, l: 20 * k, c: Math.round(1000 * k + 10 * k * (50 - ago)) }))

describe('nowcast engine', () => {
  it('a steady swarm: rate part 24·0.85·10 = 204, pipeline 0.3·20 = 6, no trend', () => {
    const p = parts(steady(1)).get(1)
    // leechers flat → growth 0; arrivals today = yesterday = 10/h and leechers now = yesterday → trend 1
    expect(p).toEqual({
      rate: 204,
      pipeline: 6,
      trend: 1,
      agePrior: 1,
      ageHours: 50,
      trackers: [{ tracker: 1, share: 1 }],
      score: 210,
    })
  })

  it('a tracker restart is left out, not counted', () => {
    // the counter restarts 10 h ago: 1400 → 3, then +10/h again; the interval across it is unknown
    const rows = hourly(1, 1, 50, (ago) => ({
      s: 30,
      l: 20,
      c: ago >= 10 ? 1000 + 10 * (50 - ago) : 3 + 10 * (9 - ago),
    }))
    expect(parts(rows).get(1)?.score).toBe(210)
    // a small drop is jitter: it counts 0 and counting goes on from the higher value
    const jitter = hourly(1, 1, 50, (ago) => ({ s: 30, l: 20, c: 1000 + 10 * (50 - ago) - (ago === 5 ? 12 : 0) }))
    // (1440 → 1438 counts 0, then 1438 → 1460 counts 1460 − 1440 = 20): nothing lost, nothing doubled
    expect(parts(jitter).get(1)?.rate).toBe(204)
  })

  it('trackers seeing different shares: Σ estimates / Σ shares; a tracker out is left out', () => {
    // tracker 2 sees half the peers: share 0.5 (median of its peers / the busiest tracker's)
    const both = [...steady(1, 1), ...steady(1, 2, 0.5)]
    const p = parts(both).get(1)
    // tracker 1: 210; tracker 2: 24·0.85·5 + 0.3·10 = 105 → (210 + 105) / (1 + 0.5) = 210
    expect(p?.trackers).toEqual([
      { tracker: 1, share: 1 },
      { tracker: 2, share: 0.5 },
    ])
    expect(p?.score).toBe(210)
    // the busier tracker out for the last 14 h (> 12 h before the latest scrape): tracker 2 alone, 105 / 0.5 = 210
    const out = [...steady(1, 1).filter((r) => r.time <= NOW - 14 * H), ...steady(1, 2, 0.5)]
    // (shares stay run-wide: torrent 2 keeps both trackers fresh)
    const other = [...steady(2, 1), ...steady(2, 2, 0.5)]
    const q = nowcastParts(fromRows([...out, ...other]), opts).get(1)
    expect(q?.trackers).toEqual([{ tracker: 2, share: 0.5 }])
    expect(q?.score).toBe(210)
  })

  it('a seeder-starved surge (leechers piling up, no completions yet) outranks a quiet steady swarm', () => {
    const starved = hourly(1, 1, 50, (ago) => ({ s: 1, l: ago > 24 ? 0 : 2 * (24 - ago), c: 0 }))
    const quiet = hourly(2, 1, 50, (ago) => ({ s: 5, l: 2, c: 50 - ago }))
    const ps = parts([...starved, ...quiet])
    const a = ps.get(1)
    const b = ps.get(2)
    expect(a?.rate).toBe(0)
    expect(a?.pipeline).toBeGreaterThan(24 * 0.85 * 1.5) // leechers grow ≈ 2/h
    // from ~nothing yesterday: leechers ×~28, arrivals ×~4.5 → e^(0.3·mean log) ≈ 1.95
    expect(a?.trend).toBeGreaterThan(1.5)
    expect(a?.score).toBeGreaterThan(b?.score ?? Number.POSITIVE_INFINITY)
  })

  it('a fading swarm gets a trend below 1; a new one the age prior', () => {
    // arrivals halve from yesterday to today: 20/h then 10/h, leechers 40 then 20
    const fading = hourly(1, 1, 50, (ago) => ({
      s: 30,
      l: ago > 24 ? 40 : 20,
      c: ago > 24 ? 20 * (50 - ago) : 520 + 10 * (24 - ago),
    }))
    const f = parts(fading).get(1)
    expect(f?.trend).toBeLessThan(0.95)
    expect(f?.trend).toBeGreaterThanOrEqual(1 / 3)
    // first seen 3 h ago: young, no trend; age prior 1 + 0.5·(1 − 3/12) = 1.375
    const young = hourly(1, 1, 3, (ago) => ({ s: 2, l: 30, c: 10 * (3 - ago) }))
    const y = parts(young).get(1)
    expect(y).toMatchObject({ trend: 1, agePrior: 1.375, ageHours: 3 })
    expect(y?.score).toBeCloseTo(((y?.rate ?? 0) + (y?.pipeline ?? 0)) * 1.375, 1)
  })

  it('is registered: engine nowcast scores and explains through the registry', () => {
    const stats = fromRows(steady(7))
    const run = { now: NOW, trends: packageDefaults().trends_manager }
    expect(engines.nowcast.score(stats, run).get(7)).toBe(210)
    expect(engines.nowcast.explain?.(stats, run).get(7)).toMatchObject({ rate: 204, pipeline: 6, score: 210 })
    expect(engines.nowcast.positiveOnly).toBe(true)
  })
})

describe('nowcast lookback', () => {
  it('scores the same from the last 72 h plus each torrent’s first time as from the whole window', async () => {
    const { makeHarshScenario } = await import('../../devkit/sim/index.ts')
    const { NOWCAST_LOOKBACK } = await import('../../pipeline/score/nowcast.ts')
    const sc = makeHarshScenario({ type: 'mixed-4h', seed: 9, torrents: 40, days: 8 })
    const at = sc.evalTimes[8] as number
    const all = sc.observations(at)
    const full = nowcastParts(fromRows(all), { ...opts, now: at, windowStart: at - 31 * 86_400 })
    const firstSeen = new Map<number, number>()
    for (const r of all) firstSeen.set(r.torrent, Math.min(firstSeen.get(r.torrent) ?? r.time, r.time))
    const recent = fromRows(all.filter((r) => r.time >= at - NOWCAST_LOOKBACK))
    const cut = nowcastParts(recent, { ...opts, now: at, windowStart: at - 31 * 86_400, firstSeen })
    expect(cut.size).toBeGreaterThan(30)
    for (const [id, p] of cut) expect(p.score, `torrent ${id}`).toBeCloseTo(full.get(id)?.score ?? Number.NaN, 1)
  })
})
