/**
 * The "nowcast" engine (the default): how many times a torrent will be downloaded in the NEXT
 * 24 hours, estimated from what the scrapes show now. Per tracker, from its scrapes in the window:
 *
 * - arrivals: peers who started downloading, per hour = completions per hour + growth of the
 *   leechers per hour (a swarm short of seeders shows its demand as leechers long before it
 *   shows completions). Measured over the last 24 h (the day/night cycle cancels out) and over a
 *   recent window whose length follows the scrape density (`recent_scrapes` scrape intervals,
 *   within [recent_min_hours, recent_max_hours]: short where scrapes are dense), blended with
 *   `recent_weight` on the recent one. Completions are Δcompleted / Δt; an interval across a
 *   tracker restart (the counter fell below half: counter.ts's rule) is left out, not counted,
 *   and a small drop counts 0 (jitter). Leechers "now", "24 h ago"… are means weighted by
 *   distance in time with a half-life of `leechers_scrapes` scrape intervals;
 * - rate part = 24 h × `completion` × completions per hour (the share of starters who finish),
 *   from the trackers that send `completed`; when none does, leechers × the run's median of
 *   completions per leecher-hour;
 * - pipeline part = 24 h × `completion` × leecher growth per hour + `pipeline` × leechers now
 *   (the current leechers who will complete). A swarm with fewer than `starved_ratio` seeders
 *   per leecher has too little upload to turn its new leechers into downloads within a day: its
 *   growth counts only by seeders / (starved_ratio × leechers);
 * - trend factor: the day-over-day change, from the arrivals of the last 24 h against the 24 h
 *   before and from the leechers now against the same hour yesterday (mean of the logs), raised
 *   to `trend_power` and clamped to [1/trend_max, trend_max];
 * - age prior: a torrent first seen less than `young_hours` ago (and after the window opened)
 *   has no yesterday: its trend factor is 1 and its age prior `young_boost` at first, falling
 *   linearly to 1 at `young_hours` (a new release grows or holds through its first hours).
 *
 * estimate = (rate part + pipeline part) × trend × age prior, in downloads over the next 24 h.
 * Trackers see different shares of the same swarm. Each tracker's share is its run-wide median
 * of (its peers / the peers of the torrent's busiest tracker), and the torrent's estimate is
 * Σ tracker estimates / Σ their shares (in the busiest tracker's units: a tracker that sees half
 * the peers counts half). A tracker out (no scrape within `stale_hours` of the latest one) is
 * left out; when the torrent's latest scrape itself is old, the estimate fades with a half-life
 * of `stale_hours`. Score = the estimate, 2 decimals; a torrent with no usable scrape gets none.
 *
 * Only the last 72 h matter (leechers farther than a day from a kernel's centre do not count), so
 * `trends compute` loads only those rows, plus each candidate's first time in the window (for the
 * age): the cost of a run does not grow with delta_days.
 */

import type { IniConfig } from '../config/schema.ts'
import { roundTo } from './rank.ts'
import { byTracker, forEachTorrent, type StatsTable } from './stats-table.ts'

const HOUR = 3600
const DAY = 86_400
/** Leechers farther than this from a kernel's centre do not count (so older rows never matter). */
const KERNEL_REACH = DAY
/** The engine reads the last 72 h: 48 h of windows plus a kernel's reach. */
export const NOWCAST_LOOKBACK = 2 * DAY + KERNEL_REACH

export interface NowcastOptions {
  /** The time the scores are for (unix s). */
  now: number
  /** When the window opened (unix s): only a torrent first seen after it can be young. */
  windowStart: number
  recentScrapes: number
  recentMinHours: number
  recentMaxHours: number
  recentWeight: number
  leechersScrapes: number
  completion: number
  pipeline: number
  trendPower: number
  trendMax: number
  youngHours: number
  youngBoost: number
  staleHours: number
  starvedRatio: number
  /** Each torrent's first time in the window, when the stats hold only the lookback. */
  firstSeen?: ReadonlyMap<number, number>
}

export function nowcastOptions(
  t: IniConfig['trends_manager'],
  now: number,
  windowStart: number,
  firstSeen?: ReadonlyMap<number, number>,
): NowcastOptions {
  return {
    now,
    windowStart,
    firstSeen,
    recentScrapes: t.nowcast_recent_scrapes,
    recentMinHours: t.nowcast_recent_min_hours,
    recentMaxHours: t.nowcast_recent_max_hours,
    recentWeight: t.nowcast_recent_weight,
    leechersScrapes: t.nowcast_leechers_scrapes,
    completion: t.nowcast_completion,
    pipeline: t.nowcast_pipeline,
    trendPower: t.nowcast_trend_power,
    trendMax: t.nowcast_trend_max,
    youngHours: t.nowcast_young_hours,
    youngBoost: t.nowcast_young_boost,
    staleHours: t.nowcast_stale_hours,
    starvedRatio: t.nowcast_starved_ratio,
  }
}

/** One tracker's view of a torrent (in that tracker's units: the peers it sees). */
export interface TrackerView {
  tracker: number
  /** Completions per hour over the recent window and the last 24 h (since first seen when younger);
   * NaN when the tracker sent no usable completed count. */
  rateRecent: number
  rateDay: number
  /** Leecher growth per hour over the same windows. */
  growthRecent: number
  growthDay: number
  /** Arrivals per hour over the 24 h before the last 24 h (NaN when not covered). */
  arrivalsPrev: number
  leechers: number
  /** Seeders at the latest scrape. */
  seeders: number
  /** leechers now / leechers 24 h ago (NaN when not covered). */
  leechersRatio: number
  /** Seeders + leechers at the latest scrape (for the share calibration). */
  peers: number
  firstSeen: number
  lastSeen: number
}

/** The parts of a torrent's score (what `trends get --json` shows). */
export interface NowcastParts {
  /** Downloads expected from the completion rate (busiest tracker's units). */
  rate: number
  /** Downloads expected from the leechers: their growth and the ones there now. */
  pipeline: number
  trend: number
  agePrior: number
  /** Hours since the torrent's first scrape in the window. */
  ageHours: number
  /** The trackers that counted, with their run-wide shares. */
  trackers: { tracker: number; share: number }[]
  score: number
}

function median(xs: number[]): number {
  if (xs.length === 0) return Number.NaN
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2
}

/** Median gap between the last (up to 12) scrapes, in hours; 4 when there is only one. */
function scrapeGapHours(stats: StatsTable, rows: readonly number[]): number {
  const gaps: number[] = []
  for (let k = rows.length - 1; k > 0 && gaps.length < 12; k--) {
    const g = ((stats.time[rows[k] as number] as number) - (stats.time[rows[k - 1] as number] as number)) / HOUR
    if (g > 0) gaps.push(g)
  }
  return gaps.length ? median(gaps) : 4
}

/** Leechers weighted by distance in time to `at` (half-life `h` s). */
class Kernel {
  sum = 0
  w = 0
  constructor(
    readonly at: number,
    readonly h: number,
  ) {}
  add(t: number, x: number): void {
    const d = Math.abs(t - this.at)
    if (d > KERNEL_REACH) return
    const w = 2 ** (-d / this.h)
    this.sum += w * x
    this.w += w
  }
  /** The weighted mean, or NaN when no scrape lies within a few half-lives of `at`. */
  get value(): number {
    return this.w > 1e-3 ? this.sum / this.w : Number.NaN
  }
}

export function trackerView(
  stats: StatsTable,
  tracker: number,
  rows: readonly number[],
  o: NowcastOptions,
): TrackerView | null {
  const now = o.now
  const gap = scrapeGapHours(stats, rows)
  const recent = Math.min(o.recentMaxHours, Math.max(o.recentMinHours, o.recentScrapes * gap)) * HOUR
  const h = Math.max(0.1, o.leechersScrapes * gap) * HOUR
  const kNow = new Kernel(now, h)
  const kRecent = new Kernel(now - recent, h)
  const kDay = new Kernel(now - DAY, h)
  const kPrev = new Kernel(now - 2 * DAY, h)
  // completions and their time, per window: recent, last 24 h, the 24 h before
  let dcR = 0
  let dtR = 0
  let dcD = 0
  let dtD = 0
  let dcP = 0
  let dtP = 0
  let first = Number.POSITIVE_INFINITY
  let last = Number.NEGATIVE_INFINITY
  let peers = 0
  let lastLeechers = Number.NaN
  let prevT = Number.NaN
  let base = Number.NaN
  for (const i of rows) {
    const t = stats.time[i] as number
    const l = stats.leechers[i] as number
    const s = stats.seeders[i] as number
    if (Number.isNaN(l) || Number.isNaN(s)) continue
    if (t < first) first = t
    if (t >= last) {
      last = t
      peers = l + s
      lastLeechers = l
    }
    if (t >= now - NOWCAST_LOOKBACK) {
      kNow.add(t, l)
      kRecent.add(t, l)
      kDay.add(t, l)
      kPrev.add(t, l)
    }
    const c = stats.completed[i] as number
    if (Number.isNaN(c)) continue
    if (!Number.isNaN(base) && t > prevT) {
      let dc = Number.NaN
      if (c >= base) {
        dc = c - base
        base = c
      } else if (c < base / 2)
        base = c // a restart: this interval is unknown
      else dc = 0 // jitter: counting goes on from the higher value
      if (!Number.isNaN(dc)) {
        const dt = (t - prevT) / HOUR
        const mid = (t + prevT) / 2
        if (mid > now - recent) {
          dcR += dc
          dtR += dt
        }
        if (mid > now - DAY) {
          dcD += dc
          dtD += dt
        } else if (mid > now - 2 * DAY) {
          dcP += dc
          dtP += dt
        }
      }
    } else base = c
    prevT = t
  }
  if (Number.isNaN(lastLeechers)) return null
  // no scrape within a day of now (the tracker is out): its last count
  const leechers = Number.isNaN(kNow.value) ? lastLeechers : kNow.value
  // NaN when this tracker sent no usable completed count lately
  const rateDay = dtD > 0 ? dcD / dtD : dtR > 0 ? dcR / dtR : Number.NaN
  const rateRecent = dtR > 0 ? dcR / dtR : rateDay
  const hoursSeen = (now - first) / HOUR + 1
  const covered = (at: number) => first < at - h / 2
  // leecher growth since `then`; since first seen when younger; 0 when nothing was scraped near `then`
  const growth = (then: number, k: Kernel, hours: number) =>
    covered(then) ? (Number.isNaN(k.value) ? 0 : (leechers - k.value) / hours) : leechers / hoursSeen
  const lDay = covered(now - DAY) ? kDay.value : Number.NaN
  const lPrev = covered(now - 2 * DAY) ? kPrev.value : Number.NaN
  return {
    tracker,
    rateRecent,
    rateDay,
    growthRecent: growth(now - recent, kRecent, recent / HOUR),
    growthDay: growth(now - DAY, kDay, 24),
    arrivalsPrev: dtP > 0 && !Number.isNaN(lDay) && !Number.isNaN(lPrev) ? dcP / dtP + (lDay - lPrev) / 24 : Number.NaN,
    leechers,
    seeders: peers - lastLeechers,
    leechersRatio: Number.isNaN(lDay) ? Number.NaN : (leechers + 1) / (lDay + 1),
    peers,
    firstSeen: first,
    lastSeen: last,
  }
}

/** Run-wide share of each tracker: the median of its peers / the busiest tracker's, over torrents on several. */
export function trackerShares(views: Iterable<TrackerView[]>): Map<number, number> {
  const ratios = new Map<number, number[]>()
  for (const vs of views) {
    if (vs.length < 2) continue
    let top = 0
    for (const v of vs) top = Math.max(top, v.peers)
    if (top < 10) continue
    for (const v of vs) {
      const a = ratios.get(v.tracker) ?? []
      a.push(v.peers / top)
      ratios.set(v.tracker, a)
    }
  }
  const share = new Map<number, number>()
  for (const [tr, xs] of ratios) share.set(tr, Math.max(0.05, median(xs)))
  return share
}

/** torrent id → score parts, for every torrent with a usable scrape. */
export function nowcastParts(stats: StatsTable, o: NowcastOptions): Map<number, NowcastParts> {
  const views = new Map<number, TrackerView[]>()
  forEachTorrent(stats, (torrent, start, end) => {
    const vs: TrackerView[] = []
    for (const [tracker, rows] of byTracker(stats, start, end)) {
      const v = trackerView(stats, tracker, rows, o)
      if (v) vs.push(v)
    }
    if (vs.length) views.set(torrent, vs)
  })
  const share = trackerShares(views.values())
  // the run's completions per leecher-hour: the rate of a torrent none of whose trackers counts completions
  const perLeecher: number[] = []
  for (const vs of views.values()) {
    for (const v of vs) if (!Number.isNaN(v.rateDay) && v.leechers >= 5) perLeecher.push(v.rateDay / v.leechers)
  }
  const rateOfLeecher = perLeecher.length ? median(perLeecher) : 0.5
  const stale = o.staleHours * HOUR
  const lim = Math.log(o.trendMax)
  const wr = o.recentWeight
  const out = new Map<number, NowcastParts>()
  for (const [torrent, vs] of views) {
    let latest = Number.NEGATIVE_INFINITY
    let firstSeen = Number.POSITIVE_INFINITY
    for (const v of vs) {
      latest = Math.max(latest, v.lastSeen)
      firstSeen = Math.min(firstSeen, v.firstSeen)
    }
    firstSeen = Math.min(firstSeen, o.firstSeen?.get(torrent) ?? firstSeen)
    const fresh = vs.filter((v) => v.lastSeen >= latest - stale)
    const fade = 2 ** (-Math.max(0, o.now - latest) / stale)
    // the rate from the fresh trackers that count completions, else from any that did
    const counting = fresh.some((v) => !Number.isNaN(v.rateDay)) ? fresh : vs
    let rate = 0
    let rateShares = 0
    for (const v of counting) {
      if (Number.isNaN(v.rateDay)) continue
      rate += 24 * o.completion * ((1 - wr) * v.rateDay + wr * v.rateRecent)
      rateShares += share.get(v.tracker) ?? 1
    }
    let pipeline = 0
    let shares = 0
    let leechersSum = 0
    let logSum = 0
    let logN = 0
    for (const v of fresh) {
      shares += share.get(v.tracker) ?? 1
      leechersSum += v.leechers
      const g = (1 - wr) * v.growthDay + wr * v.growthRecent
      // a swarm with almost no upload completes slowly: its leecher growth counts by seeders / (ratio · leechers)
      const fed = v.leechers > 0 && o.starvedRatio > 0 ? Math.min(1, v.seeders / (o.starvedRatio * v.leechers)) : 1
      pipeline += 24 * o.completion * g * (g > 0 ? fed : 1) + o.pipeline * v.leechers
      if (!Number.isNaN(v.arrivalsPrev) && !Number.isNaN(v.rateDay)) {
        logSum += Math.log((Math.max(0, v.rateDay + v.growthDay) + 0.5) / (Math.max(0, v.arrivalsPrev) + 0.5))
        logN++
      }
      if (!Number.isNaN(v.leechersRatio)) {
        logSum += Math.log(v.leechersRatio)
        logN++
      }
    }
    // (no tracker counts completions: leechers × the run's completions per leecher-hour)
    rate = rateShares > 0 ? rate / rateShares : (24 * o.completion * rateOfLeecher * leechersSum) / shares
    pipeline /= shares
    const ageHours = (o.now - firstSeen) / HOUR
    const young = firstSeen > o.windowStart + 6 * HOUR && ageHours < o.youngHours
    const trend = young || logN === 0 ? 1 : Math.exp(Math.max(-lim, Math.min(lim, (o.trendPower * logSum) / logN)))
    const agePrior = young ? 1 + (o.youngBoost - 1) * (1 - ageHours / o.youngHours) : 1
    const score = Math.max(0, rate + pipeline) * trend * agePrior * fade
    out.set(torrent, {
      rate: roundTo(rate * fade, 2),
      pipeline: roundTo(pipeline * fade, 2),
      trend: roundTo(trend, 3),
      agePrior: roundTo(agePrior, 3),
      ageHours: roundTo(ageHours, 1),
      trackers: fresh.map((v) => ({ tracker: v.tracker, share: roundTo(share.get(v.tracker) ?? 1, 3) })),
      score: roundTo(score, 2),
    })
  }
  return out
}

/** torrent id → score (expected downloads over the next 24 h, 2 decimals). */
export function nowcastScores(stats: StatsTable, o: NowcastOptions): Map<number, number | null> {
  const scores = new Map<number, number | null>()
  for (const [id, p] of nowcastParts(stats, o)) scores.set(id, p.score)
  return scores
}
