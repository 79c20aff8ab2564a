/**
 * A swarm's true state over time, from its demand curve (a fluid model):
 * - peers arrive at the demand rate r(t) and download for `downloadHours`;
 * - leechers(t) = arrivals in (t − D, t];  completed(t) = arrivals up to t − D;
 * - a finished peer seeds for an exponential time of mean `seedHours`:
 *   seeders(t) = initialSeeders + ∫ r(s) e^(−(t − D − s)/S) ds over s ≤ t − D.
 * Integrals are taken on a fixed grid (5 minutes) built lazily up to the latest time asked for,
 * and read with linear interpolation: `truth(t)` is a pure function of the spec and t.
 */
import { type DemandCurve, demandRate } from './demand.ts'

export interface SwarmSpec {
  /** Index in the scenario (also the torrent id the engines see). */
  id: number
  infoHash: string
  name: string
  category: 'movies' | 'series'
  curve: DemandCurve
  downloadHours: number
  seedHours: number
  /** The uploader, and whoever else never leaves. */
  initialSeeders: number
}

export interface SwarmState {
  seeders: number
  leechers: number
  completed: number
}

const STEP = 300 // s

export class Swarm {
  readonly spec: SwarmSpec
  /** Cumulative arrivals A at grid point k (time start + k·STEP). */
  private readonly arrivals: number[] = [0]
  /** G(u) = ∫ r(s) e^(−(u − s)/S) ds over s ≤ u, at grid point k. */
  private readonly seeding: number[] = [0]

  constructor(spec: SwarmSpec) {
    this.spec = spec
  }

  get start(): number {
    return this.spec.curve.start
  }

  /** Downloads started per hour at t (the truth the engines estimate). */
  demand(t: number): number {
    return demandRate(this.spec.curve, t)
  }

  /** Mean demand (downloads per hour) over [from, to]. */
  meanDemand(from: number, to: number): number {
    return to > from
      ? ((this.cumulative(this.arrivals, to) - this.cumulative(this.arrivals, from)) * 3600) / (to - from)
      : this.demand(to)
  }

  /** Peers that started downloading up to t. */
  started(t: number): number {
    return this.cumulative(this.arrivals, t)
  }

  /** True seeders, leechers, completed at t (real numbers; trackers round them). */
  truth(t: number): SwarmState {
    if (t < this.start) return { seeders: 0, leechers: 0, completed: 0 }
    const done = t - this.spec.downloadHours * 3600
    const completed = this.cumulative(this.arrivals, done)
    return {
      seeders: this.spec.initialSeeders + this.cumulative(this.seeding, done),
      leechers: this.cumulative(this.arrivals, t) - completed,
      completed,
    }
  }

  /** The truth rounded to whole peers: what the demo announces to a real tracker at t. */
  peers(t: number): SwarmState {
    const s = this.truth(t)
    return { seeders: Math.round(s.seeders), leechers: Math.round(s.leechers), completed: Math.round(s.completed) }
  }

  private extend(k: number): void {
    const decay = Math.exp(-STEP / (this.spec.seedHours * 3600))
    const half = Math.exp(-STEP / 2 / (this.spec.seedHours * 3600))
    for (let j = this.arrivals.length; j <= k; j++) {
      // midpoint rule on [t_{j−1}, t_j]
      const add = (demandRate(this.spec.curve, this.start + (j - 0.5) * STEP) * STEP) / 3600
      this.arrivals.push((this.arrivals[j - 1] as number) + add)
      this.seeding.push((this.seeding[j - 1] as number) * decay + add * half)
    }
  }

  private cumulative(grid: number[], t: number): number {
    if (t <= this.start) return 0
    const x = (t - this.start) / STEP
    const k = Math.floor(x)
    this.extend(k + 1)
    const a = grid[k] as number
    const b = grid[k + 1] as number
    // linear between grid points: close enough at 5 minutes for both integrals
    return a + (b - a) * (x - k)
  }
}
