/**
 * Naive baselines for `npm run eval`: what a ranking needs to beat to be worth its complexity.
 * Each takes the latest figures per tracker and keeps the max over the torrent's trackers (they
 * see overlapping peers):
 * - `latest-seeders`, `latest-leechers`: the last scrape's count;
 * - `dcompleted-24h`: downloads counted over the last 24 h (the pipeline's counter rule,
 *   pipeline/score/counter.ts).
 */
import { type CompletedCounter, countCompleted } from '../../pipeline/score/counter.ts'
import { byTracker, forEachTorrent, type StatsTable } from '../../pipeline/score/stats-table.ts'

export const BASELINES = ['latest-seeders', 'latest-leechers', 'dcompleted-24h'] as const
export type BaselineName = (typeof BASELINES)[number]

export function baselineScores(name: BaselineName, stats: StatsTable, now: number): Map<number, number | null> {
  const scores = new Map<number, number | null>()
  forEachTorrent(stats, (torrent, start, end) => {
    let best: number | null = null
    for (const rows of byTracker(stats, start, end).values()) {
      let v = Number.NaN
      if (name === 'dcompleted-24h') {
        const counter: CompletedCounter = { base: Number.NaN }
        let sum = 0
        let any = false
        for (const i of rows) {
          const c = stats.completed[i] as number
          if (Number.isNaN(c)) continue
          const d = countCompleted(counter, c)
          if ((stats.time[i] as number) > now - 86_400 && !Number.isNaN(d)) {
            sum += d
            any = true
          }
        }
        if (any) v = sum
      } else {
        const col = name === 'latest-seeders' ? stats.seeders : stats.leechers
        for (let k = rows.length - 1; k >= 0; k--) {
          const x = col[rows[k] as number] as number
          if (!Number.isNaN(x)) {
            v = x
            break
          }
        }
      }
      if (!Number.isNaN(v)) best = Math.max(best ?? 0, v)
    }
    scores.set(torrent, best)
  })
  return scores
}
