/**
 * The harsh simulator: swarms as a tracker really sees them, to evaluate engines against the
 * downloads of the NEXT 24 hours (and of the past 24 hours). The older scenario (scenario.ts, a
 * fluid model with fixed download times and two fixed trackers) stays for the tests that use it.
 *
 * Each swarm is simulated on a 10-minute grid with random draws (Poisson arrivals, binomial
 * departures), from its release (or, for an old title, from 20 days before the scenario starts,
 * at equilibrium):
 * - demand: peers arriving per hour follow the title's kind (below) times a day/night cycle that
 *   is a mix of time zones (the Americas, Europe, Asia, Oceania: each swarm its own mix);
 * - a peer downloads in two stages (Erlang: random download times of mean `downloadHours`), at
 *   full speed only when the swarm has the upload for it: supply = uploader capacity + seeders ×
 *   per-seeder capacity + half the leechers that already hold pieces; a new release with one
 *   slow uploader is seeder-starved, so its leechers pile up first and complete later;
 * - leechers abort (a hazard per hour), some stall (they stay listed for hours, never complete);
 * - a completed peer seeds for a random time (mean `seedHours`), or leaves at once.
 * Kinds: `release` (a fresh release: arrivals peak within hours then decay), `slowBurn` (word of
 * mouth over days), `fading` (an older release decaying), `steady` (catalogue), `flash` (an old
 * catalogue title hit by a flash crowd during the scenario).
 *
 * Trackers: four in the world, each torrent announced on 2–3 of them; each sees 30–90 % of the
 * torrent's peers (its own share per torrent), counts the completions of the peers it sees, and
 * restarts now and then (its completed counter starts again from 0 and the peers come back over
 * half an hour); outages of hours (no answer at all, sometimes ending in a restart); failed
 * scrapes; a tracker that often omits `completed`. The collector finds a release within 0–2 h
 * and scrapes every hour or every 4 hours (a few minutes late).
 *
 * Scenario types (`HARSH_TYPES`): `releases` (mostly fresh releases, hourly scrapes),
 * `flash-crowds` (old titles, flash crowds, 4-hourly), `mixed-1h` and `mixed-4h` (every kind).
 * Everything is a pure function of (type, seed).
 */
import type { StatRow } from '../../pipeline/score/stats-table.ts'
import { hashSeed, type Rng, rng } from './rng.ts'

const HOUR = 3600
const DAY = 86_400
const STEP = 600 // s
const DT = STEP / HOUR

export type HarshKind = 'release' | 'slowBurn' | 'fading' | 'steady' | 'flash'
export const HARSH_KINDS: readonly HarshKind[] = ['release', 'slowBurn', 'fading', 'steady', 'flash']
export type HarshType = 'releases' | 'flash-crowds' | 'mixed-1h' | 'mixed-4h'
export const HARSH_TYPES: readonly HarshType[] = ['releases', 'flash-crowds', 'mixed-1h', 'mixed-4h']

const TYPES: Record<HarshType, { scrapeHours: number; mix: Record<HarshKind, number> }> = {
  releases: { scrapeHours: 1, mix: { release: 0.55, slowBurn: 0.1, fading: 0.2, steady: 0.15, flash: 0 } },
  'flash-crowds': { scrapeHours: 4, mix: { release: 0.05, slowBurn: 0.05, fading: 0.3, steady: 0.35, flash: 0.25 } },
  'mixed-1h': { scrapeHours: 1, mix: { release: 0.3, slowBurn: 0.1, fading: 0.25, steady: 0.2, flash: 0.15 } },
  'mixed-4h': { scrapeHours: 4, mix: { release: 0.3, slowBurn: 0.1, fading: 0.25, steady: 0.2, flash: 0.15 } },
}

/** Hours (UTC) at which each time zone's demand peaks: the Americas, Europe, Asia, Oceania (≈ 21:00 local). */
const ZONE_PEAKS = [2, 20, 13, 10]

/** Poisson draw (Knuth below 30, normal approximation above). */
export function poisson(r: Rng, mean: number): number {
  if (mean <= 0) return 0
  if (mean > 30) return Math.max(0, Math.round(mean + Math.sqrt(mean) * r.normal()))
  const l = Math.exp(-mean)
  let k = 0
  let p = r.next()
  while (p > l) {
    k++
    p *= r.next()
  }
  return k
}

/** Binomial draw (exact below 20 trials, else a capped normal/Poisson approximation). */
export function binomial(r: Rng, n: number, p: number): number {
  if (n <= 0 || p <= 0) return 0
  if (p >= 1) return n
  if (n < 20) {
    let k = 0
    for (let i = 0; i < n; i++) if (r.next() < p) k++
    return k
  }
  const m = n * p
  if (m < 10) return Math.min(n, poisson(r, m))
  return Math.min(n, Math.max(0, Math.round(m + Math.sqrt(m * (1 - p)) * r.normal())))
}

export interface HarshSwarmSpec {
  id: number
  infoHash: string
  kind: HarshKind
  /** Release time (unix s). */
  pub: number
  /** Peak (or level) arrivals per hour before the day/night factor. */
  peak: number
  riseHours: number
  decayHours: number
  /** flash: the crowd's start (unix s) and size; others 0. */
  flashAt: number
  flashPeak: number
  zones: number[]
  dayNight: number
  downloadHours: number
  seedHours: number
  /** Share of completed peers that leave at once. */
  hitAndRun: number
  abortPerHour: number
  stallShare: number
  stallHours: number
  /** Upload capacity of the uploader and of each seeder, in leechers served at full speed. */
  uploaderCapacity: number
  seederCapacity: number
  /** When the collector first finds it (unix s). */
  found: number
  /** Trackers (world ids) and the share of the peers each sees. */
  trackers: { id: number; share: number }[]
}

/** Arrivals per hour before the day/night factor. */
export function harshBaseRate(s: HarshSwarmSpec, t: number): number {
  if (t < s.pub) return 0
  const h = (t - s.pub) / HOUR
  switch (s.kind) {
    case 'release':
      return s.peak * ((1 - Math.exp(-h / s.riseHours)) * Math.exp(-h / s.decayHours) + 0.03 * Math.exp(-h / 2000))
    case 'slowBurn':
      return s.peak / (1 + Math.exp(-(h - s.riseHours) / s.decayHours))
    case 'fading':
      return s.peak * Math.exp(-h / s.decayHours)
    case 'steady':
      return s.peak
    case 'flash': {
      const d = (t - s.flashAt) / HOUR
      const crowd = d < 0 ? 0 : s.flashPeak * (1 - Math.exp(-d / s.riseHours)) * Math.exp(-d / s.decayHours)
      return s.peak + crowd
    }
  }
}

export function harshDayNight(s: HarshSwarmSpec, t: number): number {
  const hour = (t / HOUR) % 24
  let f = 0
  for (let z = 0; z < ZONE_PEAKS.length; z++) {
    f +=
      (s.zones[z] as number) * (1 + s.dayNight * Math.sin((2 * Math.PI * (hour - (ZONE_PEAKS[z] as number) + 6)) / 24))
  }
  return f
}

/** A simulated swarm: its true state on the grid, and what each of its trackers has counted. */
export class HarshSwarm {
  readonly spec: HarshSwarmSpec
  /** First grid time (unix s). */
  readonly t0: number
  readonly leechers: Float64Array
  readonly seeders: Float64Array
  /** True completions since t0. */
  readonly completed: Float64Array
  /** Per tracker (same order as spec.trackers): completions of the peers it sees, since t0. */
  readonly seen: Float64Array[]

  constructor(spec: HarshSwarmSpec, until: number, seed: number) {
    this.spec = spec
    const r = rng(hashSeed(seed, spec.id, 0x5a4a))
    this.t0 = Math.max(spec.pub, spec.found - 20 * DAY)
    const n = Math.ceil((until - this.t0) / STEP) + 2
    this.leechers = new Float64Array(n)
    this.seeders = new Float64Array(n)
    this.completed = new Float64Array(n)
    this.seen = spec.trackers.map(() => new Float64Array(n))
    const D = spec.downloadHours
    let a1 = 0
    let a2 = 0
    let st = 0
    let seeds = 0
    if (this.t0 > spec.pub) {
      // an old title: start at the equilibrium of its current rate
      const rate = harshBaseRate(spec, this.t0)
      a1 = Math.round((rate * D) / 2)
      a2 = a1
      st = Math.round(rate * spec.stallShare * spec.stallHours)
      seeds = Math.round(rate * (1 - spec.hitAndRun) * spec.seedHours)
    }
    let c = 0
    const cs = spec.trackers.map(() => 0)
    for (let k = 0; k < n; k++) {
      const t = this.t0 + k * STEP
      const rate = harshBaseRate(spec, t + STEP / 2) * harshDayNight(spec, t + STEP / 2)
      const arrive = poisson(r, rate * DT)
      const stalled = binomial(r, arrive, spec.stallShare)
      const leech = a1 + a2
      const supply = spec.uploaderCapacity + spec.seederCapacity * seeds + 0.5 * a2
      const speed = leech > 0 ? Math.min(1, supply / leech) : 1
      const pStage = 1 - Math.exp((-2 / D) * speed * DT)
      const pAbort = 1 - Math.exp(-spec.abortPerHour * DT)
      const ab1 = binomial(r, a1, pAbort)
      const ab2 = binomial(r, a2, pAbort)
      const up = binomial(r, a1 - ab1, pStage)
      const done = binomial(r, a2 - ab2, pStage)
      const stallGone = binomial(r, st, 1 - Math.exp(-DT / spec.stallHours))
      const seedGone = binomial(r, seeds, 1 - Math.exp(-DT / spec.seedHours))
      a1 += arrive - stalled - ab1 - up
      a2 += up - ab2 - done
      st += stalled - stallGone
      seeds += done - binomial(r, done, spec.hitAndRun) - seedGone
      c += done
      for (let j = 0; j < cs.length; j++) {
        cs[j] = (cs[j] as number) + binomial(r, done, (spec.trackers[j] as { share: number }).share)
        ;(this.seen[j] as Float64Array)[k] = cs[j] as number
      }
      this.leechers[k] = a1 + a2 + st
      this.seeders[k] = seeds + 1 // the uploader
      this.completed[k] = c
    }
  }

  private index(t: number): number {
    return Math.max(0, Math.min(this.completed.length - 1, Math.floor((t - this.t0) / STEP)))
  }

  /** True completions up to t. */
  completedAt(t: number): number {
    return t < this.t0 ? 0 : (this.completed[this.index(t)] as number)
  }

  /** True completed downloads in (from, to]. */
  downloads(from: number, to: number): number {
    return this.completedAt(to) - this.completedAt(from)
  }

  state(t: number): { seeders: number; leechers: number } {
    const k = this.index(t)
    return { seeders: this.seeders[k] as number, leechers: this.leechers[k] as number }
  }

  seenCompleted(j: number, t: number): number {
    return t < this.t0 ? 0 : ((this.seen[j] as Float64Array)[this.index(t)] as number)
  }
}

interface WorldTracker {
  id: number
  share: number
  nullRate: number
  failRate: number
  resets: number[]
  outages: [number, number][]
}

export interface HarshScenario {
  type: HarshType
  seed: number
  start: number
  end: number
  swarms: HarshSwarm[]
  scrapeTimes: number[]
  /** Evaluation times: every 6 h from day 4 to a day before the end (the next 24 h are known). */
  evalTimes: number[]
  observations(until?: number): StatRow[]
}

export interface HarshOptions {
  type: HarshType
  seed: number
  torrents?: number
  days?: number
  /** First simulated instant (unix s); default 2026-01-01T00:00:00Z. */
  start?: number
}

function hex40(seed: number, i: number): string {
  let s = ''
  for (let k = 0; s.length < 40; k++) s += hashSeed(seed, i, k, 0x4a).toString(16).padStart(8, '0')
  return s.slice(0, 40)
}

function lastBefore(sorted: readonly number[], t: number): number {
  let lo = 0
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if ((sorted[mid] as number) <= t) lo = mid + 1
    else hi = mid
  }
  return lo === 0 ? Number.NEGATIVE_INFINITY : (sorted[lo - 1] as number)
}

function randomSpec(
  id: number,
  kind: HarshKind,
  start: number,
  end: number,
  seed: number,
  world: WorldTracker[],
): HarshSwarmSpec {
  const r = rng(hashSeed(seed, id, 0x59ec))
  const old = kind === 'fading' || kind === 'steady' || kind === 'flash'
  const pub = Math.round(old ? start - r.uniform(2, 120) * DAY : r.uniform(start - 3 * DAY, end - 12 * HOUR))
  const zones = ZONE_PEAKS.map(() => r.next() ** 2)
  const zsum = zones.reduce((a, b) => a + b, 0)
  const nTrackers = r.next() < 0.5 ? 2 : 3
  const ids = [...world].sort(() => r.next() - 0.5).slice(0, nTrackers)
  const spec: HarshSwarmSpec = {
    id,
    infoHash: hex40(seed, id),
    kind,
    pub,
    peak: 1,
    riseHours: 1,
    decayHours: 1,
    flashAt: 0,
    flashPeak: 0,
    zones: zones.map((z) => z / zsum),
    dayNight: r.uniform(0.2, 0.8),
    downloadHours: r.logUniform(0.3, 6),
    seedHours: r.logUniform(1, 96),
    hitAndRun: r.uniform(0.1, 0.5),
    abortPerHour: r.uniform(0.005, 0.08),
    stallShare: r.uniform(0.02, 0.15),
    stallHours: r.uniform(4, 48),
    uploaderCapacity: old ? r.uniform(1, 5) : r.logUniform(0.3, 4),
    seederCapacity: r.uniform(0.3, 2),
    found: Math.max(start - 20 * DAY, pub + Math.round(r.uniform(0, 2) * HOUR)),
    trackers: ids.map((t) => ({ id: t.id, share: Math.min(0.9, Math.max(0.3, t.share * r.uniform(0.7, 1.3))) })),
  }
  switch (kind) {
    case 'release':
      return { ...spec, peak: r.logUniform(2, 300), riseHours: r.uniform(0.5, 4), decayHours: r.uniform(10, 96) }
    case 'slowBurn':
      return { ...spec, peak: r.logUniform(1, 80), riseHours: r.uniform(24, 120), decayHours: r.uniform(6, 24) }
    case 'fading':
      return { ...spec, peak: r.logUniform(1, 100), decayHours: r.uniform(48, 600) }
    case 'steady':
      return { ...spec, peak: r.logUniform(0.2, 20) }
    case 'flash':
      return {
        ...spec,
        peak: r.logUniform(0.1, 4),
        flashAt: Math.round(r.uniform(start + DAY, end - DAY)),
        flashPeak: r.logUniform(3, 100),
        riseHours: r.uniform(0.5, 4),
        decayHours: r.uniform(6, 40),
      }
  }
}

export function makeHarshScenario(opts: HarshOptions): HarshScenario {
  const { type, seed } = opts
  const n = opts.torrents ?? 120
  const start = opts.start ?? Date.UTC(2026, 0, 1) / 1000
  const days = opts.days ?? 10
  const end = start + days * DAY
  const def = TYPES[type]
  const r = rng(hashSeed(seed, HARSH_TYPES.indexOf(type), 0x77))
  const world: WorldTracker[] = [0.8, 0.6, 0.45, 0.35].map((share, i) => {
    const resets: number[] = []
    const outages: [number, number][] = []
    for (let t = start - 30 * DAY + r.uniform(0, 4) * DAY; t < end + DAY; t += r.uniform(1, 7) * DAY) {
      resets.push(Math.round(t))
    }
    for (let t = start + r.uniform(0, 5) * DAY; t < end + DAY; t += r.uniform(2, 8) * DAY) {
      const until = Math.round(t + r.uniform(2, 14) * HOUR)
      outages.push([Math.round(t), until])
      if (r.next() < 0.5) resets.push(until)
    }
    resets.sort((a, b) => a - b)
    return { id: i + 1, share, nullRate: i === 3 ? 0.4 : 0.02, failRate: r.uniform(0.01, 0.06), resets, outages }
  })
  const kinds = HARSH_KINDS.filter((k) => def.mix[k] > 0)
  const total = kinds.reduce((s, k) => s + def.mix[k], 0)
  const swarms: HarshSwarm[] = []
  for (let i = 0; i < n; i++) {
    let u = r.next() * total
    let kind = kinds[kinds.length - 1] as HarshKind
    for (const k of kinds) {
      u -= def.mix[k]
      if (u < 0) {
        kind = k
        break
      }
    }
    swarms.push(new HarshSwarm(randomSpec(i + 1, kind, start, end, seed, world), end + DAY, seed))
  }
  const scrapeTimes: number[] = []
  const every = def.scrapeHours * HOUR
  for (let t = start; t <= end; t += every) {
    const late = Math.floor(rng(hashSeed(seed, t, 0x11a7e)).uniform(0, 10)) * 60
    scrapeTimes.push(Math.floor((t + late) / 60) * 60)
  }
  const evalTimes: number[] = []
  for (let t = start + 4 * DAY; t <= end - DAY; t += DAY / 4) evalTimes.push(t)
  const byId = new Map(world.map((w) => [w.id, w]))
  return {
    type,
    seed,
    start,
    end,
    swarms,
    scrapeTimes,
    evalTimes,
    observations(until = end) {
      const rows: StatRow[] = []
      for (const t of scrapeTimes) {
        if (t > until) break
        for (const s of swarms) {
          if (t < s.spec.found) continue
          const state = s.state(t)
          s.spec.trackers.forEach((tr, j) => {
            const w = byId.get(tr.id) as WorldTracker
            const o = rng(hashSeed(seed, s.spec.id, tr.id, t))
            if (o.next() < w.failRate) return
            if (w.outages.some(([a, b]) => t >= a && t < b)) return
            const reset = lastBefore(w.resets, t)
            const back = Math.min(1, (t - reset) / 1800)
            const seeders = binomial(o, Math.round(state.seeders * back), tr.share)
            const leechers = binomial(o, Math.round(state.leechers * back), tr.share)
            const counted = s.seenCompleted(j, t) - (reset > s.t0 ? s.seenCompleted(j, reset) : 0)
            const completed = o.next() < w.nullRate ? null : counted
            rows.push({ torrent: s.spec.id, time: t, tracker: tr.id, seeders, leechers, completed })
          })
        }
      }
      return rows
    },
  }
}
