/**
 * What a tracker reports about a swarm: a noisy, partial view of the truth.
 * - coverage: the tracker sees only a share of the peers (each torrent's share varies around the
 *   tracker's coverage, since peers pick their trackers);
 * - noise: seeders and leechers scatter (log-normal, unbiased) around the seen share;
 * - completed: counts the seen completions since the tracker's last restart; `nullRate` of the
 *   scrapes lack it (or all, when `sendsCompleted` is false);
 * - resets: the tracker restarts at random times (mean `resetEveryHours`); its completed counter
 *   starts again from 0 and the peers come back over half an hour;
 * - failRate: the scrape fails (no row).
 * `observe` is a pure function of (scenario seed, swarm, tracker, t).
 */
import { hashSeed, rng } from './rng.ts'
import type { Swarm } from './swarm.ts'

export interface TrackerSpec {
  id: number
  name: string
  coverage: number
  noise: number
  resetEveryHours: number
  nullRate: number
  failRate: number
  sendsCompleted: boolean
}

export interface Observation {
  seeders: number
  leechers: number
  completed: number | null
}

const HOUR = 3600
const REANNOUNCE = 1800

export class SimTracker {
  readonly spec: TrackerSpec
  /** Restart times, sorted. */
  readonly resets: number[]
  private readonly seed: number

  constructor(spec: TrackerSpec, seed: number, from: number, to: number) {
    this.spec = spec
    this.seed = seed
    const r = rng(hashSeed(seed, spec.id, 0x7e5e7))
    this.resets = []
    if (spec.resetEveryHours > 0) {
      // Poisson process: exponential gaps
      for (let t = from + -Math.log(1 - r.next()) * spec.resetEveryHours * HOUR; t < to; ) {
        this.resets.push(Math.round(t))
        t += -Math.log(1 - r.next()) * spec.resetEveryHours * HOUR
      }
    }
  }

  /** The latest restart at or before t (−∞ when none). */
  lastReset(t: number): number {
    let lo = 0
    let hi = this.resets.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if ((this.resets[mid] as number) <= t) lo = mid + 1
      else hi = mid
    }
    return lo === 0 ? Number.NEGATIVE_INFINITY : (this.resets[lo - 1] as number)
  }

  /** This tracker's share of a swarm's peers. */
  coverage(swarm: Swarm): number {
    const u = rng(hashSeed(this.seed, swarm.spec.id, this.spec.id)).next()
    return Math.min(1, Math.max(0.05, this.spec.coverage * (0.75 + 0.5 * u)))
  }

  /** What a scrape at t returns, or null when the scrape fails or the torrent is not out yet. */
  observe(swarm: Swarm, t: number): Observation | null {
    if (t < swarm.start) return null
    const r = rng(hashSeed(this.seed, swarm.spec.id, this.spec.id, t))
    if (r.next() < this.spec.failRate) return null
    const cov = this.coverage(swarm)
    const truth = swarm.truth(t)
    const reset = this.lastReset(t)
    const back = Math.min(1, (t - reset) / REANNOUNCE)
    const s = this.spec.noise
    const jitter = () => Math.exp(s * r.normal() - (s * s) / 2)
    const seeders = Math.round(cov * back * truth.seeders * jitter())
    const leechers = Math.round(cov * back * truth.leechers * jitter())
    const nullNow = r.next() < this.spec.nullRate
    let completed: number | null = null
    if (this.spec.sendsCompleted && !nullNow) {
      const since = reset > swarm.start ? swarm.truth(reset).completed : 0
      completed = Math.max(0, Math.round(cov * (truth.completed - since)))
    }
    return { seeders, leechers, completed }
  }
}
