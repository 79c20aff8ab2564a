/**
 * A seeded scenario: a mix of swarms with known demand curves, two imperfect trackers, and the
 * scrapes a collector would have made. Used by `npm run eval` (engines vs truth), by the tests,
 * and reusable by the demo (which can announce `swarm.truth(t)` peers to a real tracker).
 */
import type { StatRow } from '../../pipeline/score/stats-table.ts'
import { CURVE_KINDS, type CurveKind, type DemandCurve } from './demand.ts'
import { hashSeed, rng } from './rng.ts'
import { Swarm, type SwarmSpec } from './swarm.ts'
import { SimTracker, type TrackerSpec } from './tracker.ts'

const HOUR = 3600
const DAY = 86_400

export interface ScenarioOptions {
  seed?: number
  torrents?: number
  /** First simulated instant (unix s); default 2026-01-01T00:00:00Z. */
  start?: number
  days?: number
  scrapesPerDay?: number
  /** Share of each kind (default: flash .3, slowBurn .2, decay .2, steady .15, revival .15). */
  mix?: Partial<Record<CurveKind, number>>
  trackers?: TrackerSpec[]
}

export const DEFAULT_TRACKERS: TrackerSpec[] = [
  {
    id: 1,
    name: 'sim-main',
    coverage: 0.75,
    noise: 0.1,
    resetEveryHours: 96,
    nullRate: 0.02,
    failRate: 0.03,
    sendsCompleted: true,
  },
  {
    id: 2,
    name: 'sim-flaky',
    coverage: 0.5,
    noise: 0.25,
    resetEveryHours: 48,
    nullRate: 0.3,
    failRate: 0.1,
    sendsCompleted: true,
  },
]

const DEFAULT_MIX: Record<CurveKind, number> = { flash: 0.3, slowBurn: 0.2, decay: 0.2, steady: 0.15, revival: 0.15 }

export interface Scenario {
  seed: number
  start: number
  end: number
  swarms: Swarm[]
  trackers: SimTracker[]
  /** Scrape times (unix s, on the minute) in [start, end]. */
  scrapeTimes: number[]
  /** Every successful scrape of every published swarm on every tracker, up to `until`. */
  observations(until?: number): StatRow[]
}

function hex40(seed: number, i: number): string {
  let s = ''
  for (let k = 0; s.length < 40; k++) s += hashSeed(seed, i, k).toString(16).padStart(8, '0')
  return s.slice(0, 40)
}

/** One random curve of `kind` published at `start`. */
export function randomCurve(kind: CurveKind, start: number, r: ReturnType<typeof rng>): DemandCurve {
  const base = {
    kind,
    start,
    peak: r.logUniform(0.3, 150),
    dayNight: r.uniform(0.2, 0.7),
    peakHour: r.uniform(18, 23),
  }
  switch (kind) {
    case 'flash':
      return { ...base, riseHours: r.uniform(1, 6), decayHours: r.uniform(12, 48) }
    case 'slowBurn':
      return { ...base, riseHours: r.uniform(24, 120), decayHours: r.uniform(6, 24) }
    case 'decay':
      return { ...base, riseHours: 1, decayHours: r.uniform(24, 200) }
    case 'steady':
      return { ...base, peak: r.logUniform(0.2, 20), riseHours: 1, decayHours: 1 }
    case 'revival':
      return { ...base, riseHours: r.uniform(24, 120), decayHours: r.uniform(12, 48) }
  }
}

export function makeScenario(opts: ScenarioOptions = {}): Scenario {
  const seed = opts.seed ?? 42
  const n = opts.torrents ?? 150
  const start = opts.start ?? Date.UTC(2026, 0, 1) / 1000
  const days = opts.days ?? 10
  const end = start + days * DAY
  const perDay = opts.scrapesPerDay ?? 6
  const mix = { ...DEFAULT_MIX, ...opts.mix }
  const total = CURVE_KINDS.reduce((s, k) => s + (mix[k] ?? 0), 0)
  const r = rng(hashSeed(seed, 0x5ce7a))

  const swarms: Swarm[] = []
  for (let i = 0; i < n; i++) {
    let u = r.next() * total
    let kind: CurveKind = 'steady'
    for (const k of CURVE_KINDS) {
      u -= mix[k] ?? 0
      if (u < 0) {
        kind = k
        break
      }
    }
    const old = kind === 'decay' || kind === 'steady'
    const pub = Math.round(
      old ? r.uniform(start - 20 * DAY, start + days * DAY * 0.5) : r.uniform(start - 3 * DAY, end - 12 * HOUR),
    )
    const spec: SwarmSpec = {
      id: i + 1,
      infoHash: hex40(seed, i),
      name: `Sim ${kind} ${String(i + 1).padStart(3, '0')}`,
      category: r.next() < 0.6 ? 'movies' : 'series',
      curve: randomCurve(kind, pub, r),
      downloadHours: r.uniform(0.5, 4),
      seedHours: r.uniform(2, 72),
      initialSeeders: 1,
    }
    swarms.push(new Swarm(spec))
  }
  const trackers = (opts.trackers ?? DEFAULT_TRACKERS).map((t) => new SimTracker(t, seed, start - 30 * DAY, end + DAY))
  const scrapeTimes: number[] = []
  const every = DAY / perDay
  for (let t = start; t <= end; t += every) {
    // collectors do not run exactly on time: up to 10 minutes late, on the minute
    const late = Math.floor(rng(hashSeed(seed, t, 0x11a7e)).uniform(0, 10)) * 60
    scrapeTimes.push(Math.floor((t + late) / 60) * 60)
  }
  return {
    seed,
    start,
    end,
    swarms,
    trackers,
    scrapeTimes,
    observations(until = end) {
      const rows: StatRow[] = []
      for (const t of scrapeTimes) {
        if (t > until) break
        for (const s of swarms) {
          if (t < s.start) continue
          for (const tr of trackers) {
            const o = tr.observe(s, t)
            if (o) rows.push({ torrent: s.spec.id, time: t, tracker: tr.spec.id, ...o })
          }
        }
      }
      return rows
    },
  }
}
