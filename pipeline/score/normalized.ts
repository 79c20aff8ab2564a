/**
 * The reference engine, "normalized" (the older tool's), exactly as issue 5 describes it:
 *
 * 1. candidates are chosen by the caller (status in `torrents_status`, ≥ 1 stat in the window);
 * 2. K = min(ceil(tau·N), max_trendings) trend (rank.ts);
 * 3. per torrent, tracker and UTC calendar day: the means of seeders, leechers and completed
 *    (nulls skipped);
 * 4. n = 1-based rank of that day among the days the torrent has stats on that tracker;
 * 5. raw = (ws·S + wc·C + wl·L) · λ · e^(−λ·n);
 * 6. per tracker, max_r = the largest raw among the candidates' last days on that tracker;
 *    norm = raw / max_r · 100; v = the torrent's last-day norm on that tracker;
 * 7. score = mean of v over the torrent's trackers, rounded to 2 decimals.
 *
 * Only each (torrent, tracker)'s last day enters steps 6–7, so only that day's means are computed
 * (n is then the number of distinct days). Unlike the older tool: a day whose completed values are
 * all null adds nothing for completed (0) instead of crashing; a zero max_r gives norm 0 instead of
 * a division by zero; a torrent with no usable row gets no score (null) instead of NaN ranked
 * first; ties are broken by info hash (rank.ts).
 */

import { roundTo } from './rank.ts'
import { byTracker, forEachTorrent, type StatsTable } from './stats-table.ts'

export interface NormalizedOptions {
  weightSeeders: number
  weightCompleted: number
  weightLeechers: number
  lambda: number
}

const DAY = 86_400

/** torrent id → score (0–100, 2 decimals) or null when it has nothing to score. */
export function normalizedScores(stats: StatsTable, opts: NormalizedOptions): Map<number, number | null> {
  const { weightSeeders: ws, weightCompleted: wc, weightLeechers: wl, lambda } = opts
  // torrent → tracker → raw of its last day
  const lastRaw = new Map<number, Map<number, number>>()
  const maxRaw = new Map<number, number>()
  const scores = new Map<number, number | null>()
  forEachTorrent(stats, (torrent, start, end) => {
    const perTracker = new Map<number, number>()
    for (const [tracker, rows] of byTracker(stats, start, end)) {
      let days = 0
      let prevDay = Number.NaN
      for (const i of rows) {
        const d = Math.floor((stats.time[i] as number) / DAY)
        if (d !== prevDay) days++
        prevDay = d
      }
      // means over the last day's rows (rows are in time order: the last day is a suffix)
      let s = 0
      let l = 0
      let c = 0
      let nRows = 0
      let nC = 0
      for (let j = rows.length - 1; j >= 0; j--) {
        const i = rows[j] as number
        if (Math.floor((stats.time[i] as number) / DAY) !== prevDay) break
        const si = stats.seeders[i] as number
        const li = stats.leechers[i] as number
        if (Number.isNaN(si) || Number.isNaN(li)) continue
        s += si
        l += li
        nRows++
        const ci = stats.completed[i] as number
        if (!Number.isNaN(ci)) {
          c += ci
          nC++
        }
      }
      if (nRows === 0) continue
      const mean = ws * (s / nRows) + wc * (nC ? c / nC : 0) + wl * (l / nRows)
      const raw = mean * lambda * Math.exp(-lambda * days)
      perTracker.set(tracker, raw)
      maxRaw.set(tracker, Math.max(maxRaw.get(tracker) ?? 0, raw))
    }
    if (perTracker.size) lastRaw.set(torrent, perTracker)
    else scores.set(torrent, null)
  })
  for (const [torrent, perTracker] of lastRaw) {
    let sum = 0
    for (const [tracker, raw] of perTracker) {
      const max = maxRaw.get(tracker) ?? 0
      sum += max > 0 ? (raw / max) * 100 : 0
    }
    scores.set(torrent, roundTo(sum / perTracker.size, 2))
  }
  return scores
}
