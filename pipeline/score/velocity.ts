/**
 * The "velocity" engine: how fast a torrent is being downloaded now (the default before nowcast).
 *
 * `completed` is a cumulative counter, so its rate of change is the download rate. Per tracker:
 * - each pair of consecutive scrapes with a completed count gives Δcompleted over Δt (hours), Δ
 *   counted by the pipeline's one counter rule (counter.ts: a restart counts the new value, jitter
 *   counts 0 and counting goes on from the higher value);
 * - the intervals are averaged with weights halving every `halfLifeHours` of age (age of the
 *   interval's midpoint at `now`): rate = Σ w·Δc / Σ w·Δt, downloads per hour;
 * - demand: the mean of leechers weighted by the age of each scrape, with a quarter of the
 *   half-life (6 h by default): leechers are a gauge of the present, so they need only enough
 *   smoothing to iron out scrape noise and the day/night cycle's sharpest swings.
 * Both are multiplied by 2^(−age of the last scrape / half-life), so a torrent no longer scraped
 * fades instead of keeping its last rate. Trackers see overlapping peers, so the torrent's rate
 * and demand are the max over its trackers (not the sum). Score = rate + β·demand, β =
 * weight_leechers / weight_completed (a leecher counts as β downloads per hour; with
 * weight_completed = 0 the score is the demand alone), rounded to 4 decimals.
 * A torrent with no usable scrape gets no score.
 */

import { type CompletedCounter, countCompleted } from './counter.ts'
import { roundTo } from './rank.ts'
import { byTracker, forEachTorrent, type StatsTable } from './stats-table.ts'

export interface VelocityOptions {
  /** The time the scores are for (unix s): ages are measured from it. */
  now: number
  halfLifeHours: number
  weightCompleted: number
  weightLeechers: number
}

export interface VelocityParts {
  rate: number
  demand: number
}

const HOUR = 3600
/** Demand (leechers) is smoothed with this share of the rate's half-life. */
export const DEMAND_HALF_LIFE = 0.25

/** Rate (downloads/hour) and demand (leechers) of one tracker's rows (indices in time order). */
export function trackerVelocity(stats: StatsTable, rows: readonly number[], now: number, halfLifeHours: number) {
  const h = halfLifeHours * HOUR
  const hd = h * DEMAND_HALF_LIFE
  let wdc = 0
  let wdt = 0
  let wl = 0
  let w = 0
  let prevT = Number.NaN
  const counter: CompletedCounter = { base: Number.NaN }
  let lastT = Number.NEGATIVE_INFINITY
  for (const i of rows) {
    const t = stats.time[i] as number
    const l = stats.leechers[i] as number
    const c = stats.completed[i] as number
    if (!Number.isNaN(l)) {
      const wi = 2 ** (-(now - t) / hd)
      wl += wi * l
      w += wi
      lastT = Math.max(lastT, t)
    }
    if (Number.isNaN(c)) continue
    if (t > prevT) {
      const dc = countCompleted(counter, c)
      const dt = (t - prevT) / HOUR
      const wi = 2 ** (-(now - (t + prevT) / 2) / h)
      wdc += wi * dc
      wdt += wi * dt
    } else counter.base = c // the first value (or a repeated time): no interval, counting starts here
    prevT = t
  }
  if (w === 0) return null
  const fade = 2 ** (-Math.max(0, now - lastT) / h)
  return { rate: wdt > 0 ? (wdc / wdt) * fade : null, demand: (wl / w) * fade }
}

/** torrent id → score (downloads/hour equivalent, 4 decimals) or null when it has nothing to score. */
export function velocityScores(stats: StatsTable, opts: VelocityOptions): Map<number, number | null> {
  const beta = opts.weightCompleted > 0 ? opts.weightLeechers / opts.weightCompleted : 1
  const rateWeight = opts.weightCompleted > 0 ? 1 : 0
  const scores = new Map<number, number | null>()
  forEachTorrent(stats, (torrent, start, end) => {
    let rate = 0
    let demand = 0
    let any = false
    for (const rows of byTracker(stats, start, end).values()) {
      const v = trackerVelocity(stats, rows, opts.now, opts.halfLifeHours)
      if (!v) continue
      any = true
      if (v.rate !== null) rate = Math.max(rate, v.rate)
      demand = Math.max(demand, v.demand)
    }
    scores.set(torrent, any ? roundTo(rateWeight * rate + beta * demand, 4) : null)
  })
  return scores
}
