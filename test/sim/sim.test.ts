/** The swarm simulator: seeded, pure, consistent with its own demand curves. */
import { describe, expect, it } from 'vitest'
import {
  baseRate,
  type DemandCurve,
  demandRate,
  kendallTauB,
  makeScenario,
  ndcgAt,
  rng,
  SimTracker,
  Swarm,
  type TrackerSpec,
} from '../../devkit/sim/index.ts'

const T0 = Date.UTC(2026, 0, 1) / 1000
const H = 3600
const curve = (over: Partial<DemandCurve> = {}): DemandCurve => ({
  kind: 'steady',
  start: T0,
  peak: 10,
  riseHours: 2,
  decayHours: 24,
  dayNight: 0,
  peakHour: 20,
  ...over,
})
const swarm = (c: DemandCurve, over: Partial<ConstructorParameters<typeof Swarm>[0]> = {}) =>
  new Swarm({
    id: 1,
    infoHash: 'a'.repeat(40),
    name: 'x',
    category: 'movies',
    curve: c,
    downloadHours: 2,
    seedHours: 10,
    initialSeeders: 1,
    ...over,
  })

describe('demand curves', () => {
  it('have the documented shapes', () => {
    expect(demandRate(curve(), T0 - 1)).toBe(0)
    expect(demandRate(curve(), T0 + 5 * H)).toBe(10)
    // flash: rises then decays; peak near riseHours·ln(1 + decay/rise) = 2·ln(13) ≈ 5.1 h
    const f = curve({ kind: 'flash', peak: 100 })
    expect(baseRate(f, T0 + 5 * H)).toBeGreaterThan(baseRate(f, T0 + H))
    expect(baseRate(f, T0 + 5 * H)).toBeGreaterThan(baseRate(f, T0 + 48 * H))
    // decay halves every decayHours·ln 2
    const d = curve({ kind: 'decay', decayHours: 10 })
    expect(baseRate(d, T0 + 10 * Math.LN2 * H)).toBeCloseTo(5, 9)
    // slow burn: half the plateau at riseHours
    expect(baseRate(curve({ kind: 'slowBurn', riseHours: 48, decayHours: 12 }), T0 + 48 * H)).toBeCloseTo(5, 9)
    // day/night: peak at peakHour UTC, trough 12 h later
    const dn = curve({ dayNight: 0.5, peakHour: 20 })
    expect(demandRate(dn, T0 + 20 * H)).toBeCloseTo(15, 9)
    expect(demandRate(dn, T0 + 32 * H)).toBeCloseTo(5, 9)
  })
})

describe('swarm truth', () => {
  it('conserves peers: leechers + completed = started; steady state matches the fluid model', () => {
    const s = swarm(curve())
    const t = T0 + 200 * H
    const st = s.truth(t)
    expect(st.leechers + st.completed).toBeCloseTo(s.started(t), 6)
    // steady 10/h, 2 h downloads: 20 leechers; completed = 10·198; seeders → 1 + 10·10 = 101
    expect(st.leechers).toBeCloseTo(20, 3)
    expect(st.completed).toBeCloseTo(1980, 3)
    expect(st.seeders).toBeCloseTo(101, 0)
    expect(s.meanDemand(t - 24 * H, t)).toBeCloseTo(10, 6)
    expect(s.truth(T0 - H)).toEqual({ seeders: 0, leechers: 0, completed: 0 })
  })
  it('is a pure function of t (asking out of order gives the same answers)', () => {
    const a = swarm(curve({ kind: 'flash', peak: 80, dayNight: 0.4 }))
    const b = swarm(curve({ kind: 'flash', peak: 80, dayNight: 0.4 }))
    const late = a.truth(T0 + 72 * H)
    a.truth(T0 + 3 * H)
    expect(b.truth(T0 + 3 * H)).toEqual(a.truth(T0 + 3 * H))
    expect(b.truth(T0 + 72 * H)).toEqual(late)
  })
})

describe('noisy trackers', () => {
  const spec: TrackerSpec = {
    id: 1,
    name: 't',
    coverage: 0.6,
    noise: 0.2,
    resetEveryHours: 24,
    nullRate: 0,
    failRate: 0,
    sendsCompleted: true,
  }
  it('reports a partial, noisy view, reproducibly, and resets the completed counter on restart', () => {
    const s = swarm(curve({ peak: 50 }))
    const tr = new SimTracker(spec, 7, T0, T0 + 10 * 24 * H)
    expect(tr.resets.length).toBeGreaterThan(3)
    const t = T0 + 100 * H
    expect(tr.observe(s, t)).toEqual(new SimTracker(spec, 7, T0, T0 + 10 * 24 * H).observe(s, t))
    const o = tr.observe(s, t)
    const truth = s.truth(t)
    expect(o).not.toBeNull()
    expect(o?.leechers).toBeLessThan(truth.leechers)
    expect(o?.seeders).toBeLessThan(truth.seeders)
    // the counter drops right after a restart
    const r = tr.resets[2] as number
    const before = tr.observe(s, r - 60)?.completed ?? 0
    const after = tr.observe(s, r + 60)?.completed ?? 0
    expect(after).toBeLessThan(before / 2)
    // a tracker that never sends completed, or fails every scrape
    expect(new SimTracker({ ...spec, sendsCompleted: false }, 7, T0, T0 + H).observe(s, t)?.completed).toBeNull()
    expect(new SimTracker({ ...spec, failRate: 1 }, 7, T0, T0 + H).observe(s, t)).toBeNull()
    expect(tr.observe(s, T0 - H)).toBeNull()
  })
})

describe('scenario', () => {
  it('is fixed by its seed', () => {
    const a = makeScenario({ seed: 3, torrents: 20, days: 2 })
    const b = makeScenario({ seed: 3, torrents: 20, days: 2 })
    const c = makeScenario({ seed: 4, torrents: 20, days: 2 })
    expect(a.observations()).toEqual(b.observations())
    expect(a.observations()).not.toEqual(c.observations())
    expect(a.swarms.map((s) => s.spec.infoHash)).toEqual(b.swarms.map((s) => s.spec.infoHash))
    expect(new Set(a.swarms.map((s) => s.spec.infoHash)).size).toBe(20)
    expect(a.scrapeTimes).toHaveLength(13) // 6 a day for 2 days, both ends included
    for (const o of a.observations()) expect(o.time % 60).toBe(0)
  })
  it('rng draws are in range', () => {
    const r = rng(1)
    for (let i = 0; i < 1000; i++) {
      const x = r.logUniform(0.5, 200)
      expect(x).toBeGreaterThanOrEqual(0.5)
      expect(x).toBeLessThanOrEqual(200)
    }
  })
})

describe('metrics', () => {
  const truth = new Map([
    [1, 10],
    [2, 5],
    [3, 1],
    [4, 0],
  ])
  const gain = (id: number) => truth.get(id) ?? 0
  const ids = [1, 2, 3, 4]
  it('NDCG@k: 1 for the ideal order, less otherwise', () => {
    expect(ndcgAt(3, [1, 2, 3, 4], gain, ids)).toBe(1)
    // swapped top two: DCG = 5/1 + 10/log2(3) + 1/2 = 5 + 6.3093 + 0.5 = 11.8093; ideal 10 + 5/1.58496 + 0.5 = 13.6546
    expect(ndcgAt(3, [2, 1, 3, 4], gain, ids)).toBeCloseTo(11.8093 / 13.6546, 4)
  })
  it("Kendall's τ-b: 1, −1, and ties", () => {
    expect(kendallTauB([1, 2, 3, 4], [10, 20, 30, 40])).toBe(1)
    expect(kendallTauB([1, 2, 3, 4], [40, 30, 20, 10])).toBe(-1)
    // x ties one pair: C = 5, D = 0, tieX = 1 → 5/√(6·5) = 0.9129
    expect(kendallTauB([1, 1, 3, 4], [1, 2, 3, 4])).toBeCloseTo(5 / Math.sqrt(30), 9)
  })
})
