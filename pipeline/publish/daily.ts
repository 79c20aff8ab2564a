/**
 * A torrent's daily activity from its scrapes (pure). Per UTC day:
 * - seeders, leechers: the most any scrape of the day reported; peers: the most seeders + leechers
 *   of one scrape. Trackers see overlapping peers, so the busiest tracker counts, not the sum.
 * - downloads: per tracker, the increase of `completed` between consecutive scrapes by the
 *   pipeline's counter rule (score/counter.ts: restarts count the new value, jitter counts 0),
 *   counted on the day of the later scrape; the day's figure is the busiest tracker's, null when
 *   no tracker had two completed values by then.
 *
 * Resumable: `resume` says where a later call can start again (the start of the last day, with
 * each tracker's counter at that moment), so a refresh reads only the last day and what is new,
 * and gets exactly what a computation over the whole history would.
 */
import { type CompletedCounter, countCompleted } from '../score/counter.ts'

export const DAY = 86_400

/** One scrape of one tracker (in time order). */
export interface Scrape {
  time: number
  tracker: number
  seeders: number
  leechers: number
  completed: number | null
}

export interface DayActivity {
  /** Unix seconds of the UTC day's start. */
  day: number
  seeders: number
  leechers: number
  peers: number
  downloads: number | null
}

/** Where to start again: the day's start, and each tracker's counter base then (tracker id → base). */
export interface Resume {
  day: number
  counters: Record<string, number>
}

export const dayOf = (time: number): number => time - (((time % DAY) + DAY) % DAY)

/**
 * The daily activity of one torrent's `scrapes` (sorted by time). When resuming, `scrapes` are
 * every scrape from `from.day` on and `from.counters` the counters at that day's start.
 */
export function dailyActivity(
  scrapes: readonly Scrape[],
  from?: Pick<Resume, 'counters'>,
): { days: DayActivity[]; resume: Resume | null } {
  const counters = new Map<number, CompletedCounter>()
  for (const [tracker, base] of Object.entries(from?.counters ?? {})) counters.set(Number(tracker), { base })
  const days: DayActivity[] = []
  let resume: Resume | null = null
  let cur: DayActivity | undefined
  const downloads = new Map<number, number>() // tracker → downloads of the current day
  const close = () => {
    if (!cur) return
    for (const d of downloads.values()) cur.downloads = Math.max(cur.downloads ?? 0, d)
    days.push(cur)
  }
  for (const s of scrapes) {
    const day = dayOf(s.time)
    if (cur?.day !== day) {
      close()
      const snapshot: Record<string, number> = {}
      for (const [tracker, c] of counters) if (!Number.isNaN(c.base)) snapshot[tracker] = c.base
      resume = { day, counters: snapshot }
      cur = { day, seeders: s.seeders, leechers: s.leechers, peers: s.seeders + s.leechers, downloads: null }
      downloads.clear()
    } else {
      cur.seeders = Math.max(cur.seeders, s.seeders)
      cur.leechers = Math.max(cur.leechers, s.leechers)
      cur.peers = Math.max(cur.peers, s.seeders + s.leechers)
    }
    if (s.completed == null) continue
    let counter = counters.get(s.tracker)
    if (!counter) {
      counter = { base: Number.NaN }
      counters.set(s.tracker, counter)
    }
    const n = countCompleted(counter, s.completed)
    if (!Number.isNaN(n)) downloads.set(s.tracker, (downloads.get(s.tracker) ?? 0) + n)
  }
  close()
  return { days, resume }
}

/** Daily activity of a movie or series: its torrents' days (in any order) summed, null downloads skipped. */
export function sumDays(torrentDays: Iterable<DayActivity>): DayActivity[] {
  const byDay = new Map<number, DayActivity>()
  for (const d of torrentDays) {
    const m = byDay.get(d.day)
    if (!m) byDay.set(d.day, { ...d })
    else {
      m.seeders += d.seeders
      m.leechers += d.leechers
      m.peers += d.peers
      if (d.downloads != null) m.downloads = (m.downloads ?? 0) + d.downloads
    }
  }
  return [...byDay.values()].sort((a, b) => a.day - b.day)
}
