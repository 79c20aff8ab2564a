/** The harsh simulator: seeded, labelled, and showing what it promises (starved swarms, shares, restarts, outages). */
import { describe, expect, it } from 'vitest'
import {
  BASELINES,
  baselineScores,
  binomial,
  HARSH_TYPES,
  HarshSwarm,
  type HarshSwarmSpec,
  makeHarshScenario,
  poisson,
  rng,
} from '../../devkit/sim/index.ts'
import { fromRows } from '../../pipeline/score/stats-table.ts'

const T0 = Date.UTC(2026, 0, 1) / 1000
const H = 3600
const spec = (over: Partial<HarshSwarmSpec> = {}): HarshSwarmSpec => ({
  id: 1,
  infoHash: 'a'.repeat(40),
  kind: 'release',
  pub: T0,
  peak: 100,
  riseHours: 1,
  decayHours: 48,
  flashAt: 0,
  flashPeak: 0,
  zones: [0, 1, 0, 0],
  dayNight: 0,
  downloadHours: 1,
  seedHours: 24,
  hitAndRun: 0.2,
  abortPerHour: 0.02,
  stallShare: 0.05,
  stallHours: 12,
  uploaderCapacity: 1,
  seederCapacity: 1,
  found: T0,
  trackers: [{ id: 1, share: 0.6 }],
  ...over,
})

describe('harsh swarms', () => {
  it('a seeder-starved release: leechers first, completions later', () => {
    const starved = new HarshSwarm(spec({ uploaderCapacity: 0.5, seederCapacity: 0.5 }), T0 + 3 * 86_400, 1)
    const fed = new HarshSwarm(spec({ uploaderCapacity: 200 }), T0 + 3 * 86_400, 1)
    // after 6 h the starved swarm has more leechers and far fewer completions
    expect(starved.state(T0 + 6 * H).leechers).toBeGreaterThan(2 * fed.state(T0 + 6 * H).leechers)
    expect(starved.completedAt(T0 + 6 * H)).toBeLessThan(0.5 * fed.completedAt(T0 + 6 * H))
    // completions catch up later as seeders appear
    expect(starved.downloads(T0 + 24 * H, T0 + 48 * H)).toBeGreaterThan(0.5 * fed.downloads(T0 + 24 * H, T0 + 48 * H))
    // aborts and stalls: fewer completions than arrivals (≈ 100·48·(1 − e^-2) over 3 days, minus losses)
    expect(fed.completedAt(T0 + 3 * 86_400)).toBeLessThan(100 * 48)
    // a tracker counts only the completions of the peers it sees (60 %)
    const share = fed.seenCompleted(0, T0 + 3 * 86_400) / fed.completedAt(T0 + 3 * 86_400)
    expect(share).toBeGreaterThan(0.55)
    expect(share).toBeLessThan(0.65)
  })

  it('draws are in range and have the right means', () => {
    const r = rng(5)
    let sp = 0
    let sb = 0
    for (let i = 0; i < 2000; i++) {
      const p = poisson(r, 3)
      const b = binomial(r, 50, 0.3)
      expect(p).toBeGreaterThanOrEqual(0)
      expect(b).toBeGreaterThanOrEqual(0)
      expect(b).toBeLessThanOrEqual(50)
      sp += p
      sb += b
    }
    expect(sp / 2000).toBeCloseTo(3, 0)
    expect(sb / 2000).toBeCloseTo(15, 0)
  })
})

describe('harsh scenarios', () => {
  it('are fixed by type and seed, labelled, with hourly or 4-hourly scrapes and 2–3 trackers per torrent', () => {
    const a = makeHarshScenario({ type: 'mixed-1h', seed: 3, torrents: 30, days: 5 })
    const b = makeHarshScenario({ type: 'mixed-1h', seed: 3, torrents: 30, days: 5 })
    const c = makeHarshScenario({ type: 'mixed-1h', seed: 4, torrents: 30, days: 5 })
    expect(a.observations()).toEqual(b.observations())
    expect(a.observations()).not.toEqual(c.observations())
    expect(a.type).toBe('mixed-1h')
    expect(a.scrapeTimes).toHaveLength(5 * 24 + 1)
    expect(makeHarshScenario({ type: 'mixed-4h', seed: 3, torrents: 5, days: 5 }).scrapeTimes).toHaveLength(5 * 6 + 1)
    for (const s of a.swarms) {
      expect(s.spec.trackers.length).toBeGreaterThanOrEqual(2)
      expect(s.spec.trackers.length).toBeLessThanOrEqual(3)
      for (const t of s.spec.trackers) {
        expect(t.share).toBeGreaterThanOrEqual(0.3)
        expect(t.share).toBeLessThanOrEqual(0.9)
      }
    }
    expect(HARSH_TYPES).toEqual(['releases', 'flash-crowds', 'mixed-1h', 'mixed-4h'])
    const flash = makeHarshScenario({ type: 'flash-crowds', seed: 1, torrents: 60, days: 5 })
    expect(flash.swarms.some((s) => s.spec.kind === 'flash' && s.spec.flashAt > flash.start)).toBe(true)
  })

  it('trackers restart (counters fall) and go out (no rows for hours)', () => {
    const sc = makeHarshScenario({ type: 'mixed-1h', seed: 42, torrents: 40, days: 10 })
    const rows = sc.observations()
    // restarts: a completed count below half the previous one on the same torrent and tracker
    let drops = 0
    const last = new Map<string, number>()
    for (const r of rows) {
      const key = `${r.torrent}/${r.tracker}`
      const prev = last.get(key)
      if (r.completed === null) continue
      if (prev !== undefined && prev > 20 && r.completed < prev / 2) drops++
      last.set(key, r.completed)
    }
    expect(drops).toBeGreaterThan(10)
    // outages: some tracker has no row at all at some hourly scrape while it answers before and after
    const byTime = new Map<number, Set<number>>()
    for (const r of rows) {
      const s = byTime.get(r.time) ?? new Set()
      s.add(r.tracker)
      byTime.set(r.time, s)
    }
    const silent = sc.scrapeTimes.filter((t) => (byTime.get(t)?.size ?? 0) < 4).length
    expect(silent).toBeGreaterThan(3)
    // the naive baselines score every torrent seen
    const stats = fromRows(rows)
    for (const b of BASELINES) expect(baselineScores(b, stats, sc.end).size).toBe(40)
  })
})
