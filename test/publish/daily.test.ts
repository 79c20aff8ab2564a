/**
 * The daily-activity rule (pipeline/publish/daily.ts) on worked examples: the counter rule shared
 * with the velocity engine (a restart counts the new value, jitter counts 0 and counting goes on
 * from the higher value), several trackers (the busiest counts), days, and resuming = recomputing.
 */
import { describe, expect, it } from 'vitest'
import { rng } from '../../devkit/sim/rng.ts'
import { type DayActivity, dailyActivity, dayOf, type Scrape, sumDays } from '../../pipeline/publish/daily.ts'
import { countCompleted } from '../../pipeline/score/counter.ts'

const D = Date.UTC(2026, 0, 10) / 1000 // a UTC midnight
const H = 3600
const DAY = 86_400
const s = (time: number, tracker: number, seeders: number, leechers: number, completed: number | null): Scrape => ({
  time,
  tracker,
  seeders,
  leechers,
  completed,
})

describe('the completed counter rule', () => {
  it('counts rises, a restart as its new value, jitter as 0 from the higher value', () => {
    const c = { base: Number.NaN }
    expect(countCompleted(c, 100)).toBeNaN() // nothing to compare with yet
    expect(countCompleted(c, 130)).toBe(30)
    expect(countCompleted(c, 128)).toBe(0) // jitter (≥ half): the counter stays at 130
    expect(c.base).toBe(130)
    expect(countCompleted(c, 131)).toBe(1) // from 130, not from 128
    expect(countCompleted(c, 40)).toBe(40) // below half of 131: a restart, 40 counted since
    expect(countCompleted(c, 45)).toBe(5)
  })
})

describe('dailyActivity', () => {
  it('counts a tracker restart as its new value, on the day of the later scrape', () => {
    const { days } = dailyActivity([
      s(D + 10 * H, 1, 50, 10, 1000),
      s(D + 16 * H, 1, 60, 12, 1100),
      s(D + DAY + 10 * H, 1, 40, 8, 300), // 300 < 1100 / 2: restarted, 300 counted since
      s(D + DAY + 16 * H, 1, 45, 9, 350),
    ])
    expect(days).toEqual([
      { day: D, seeders: 60, leechers: 12, peers: 72, downloads: 100 },
      { day: D + DAY, seeders: 45, leechers: 9, peers: 54, downloads: 350 },
    ])
  })

  it('counts jitter as 0 and goes on from the higher value, across days too', () => {
    const { days } = dailyActivity([
      s(D + 1 * H, 1, 5, 1, 100),
      s(D + 2 * H, 1, 5, 1, 98), // jitter: 0, still at 100
      s(D + 3 * H, 1, 5, 1, 100), // back to 100: 0, not 2
      s(D + 4 * H, 1, 5, 1, 97),
      s(D + DAY + 1 * H, 1, 5, 1, 99), // still below 100: 0
      s(D + DAY + 2 * H, 1, 5, 1, 104), // 4 above 100
    ])
    expect(days.map((d) => d.downloads)).toEqual([0, 4])
  })

  it('takes the busiest tracker of the day, not the sum; peers are one scrape’s seeders + leechers', () => {
    const { days } = dailyActivity([
      s(D + 1 * H, 1, 100, 5, 0),
      s(D + 1 * H, 2, 20, 40, 500),
      s(D + 7 * H, 1, 90, 10, 10),
      s(D + 7 * H, 2, 25, 30, 520),
      s(D + 13 * H, 1, 80, 12, 30), // tracker 1: 10 + 20 = 30 downloads
      s(D + 13 * H, 2, 30, 35, 525), // tracker 2: 20 + 5 = 25
      s(D + 14 * H, 3, 1, 1, null), // never sends completed
    ])
    expect(days).toEqual([{ day: D, seeders: 100, leechers: 40, peers: 105, downloads: 30 }])
  })

  it('has null downloads until a tracker sent two completed values', () => {
    const { days } = dailyActivity([
      s(D + 1 * H, 1, 3, 1, null),
      s(D + 2 * H, 1, 3, 1, 7), // first value: nothing to compare with
      s(D + DAY + 1 * H, 1, 4, 2, 9),
    ])
    expect(days.map((d) => d.downloads)).toEqual([null, 2])
  })

  it('resuming from the last day with its counters gives exactly the full computation', () => {
    const r = rng(11)
    const scrapes: Scrape[] = []
    const completed = [500, 40, 9000]
    for (let t = D; t < D + 9 * DAY; t += 4 * H + Math.floor(r.next() * 3600)) {
      for (let tracker = 0; tracker < 3; tracker++) {
        if (r.next() < 0.15) continue // failed scrape
        const u = r.next()
        const c = completed[tracker] as number
        // rises, jitter (small drops), restarts (big drops), missing values
        const next =
          u < 0.06 ? Math.floor(c / 5) : u < 0.2 ? c - Math.floor(r.next() * 5) : c + Math.floor(r.next() * 40)
        completed[tracker] = next
        scrapes.push(s(t, tracker, Math.floor(r.next() * 100), Math.floor(r.next() * 50), u > 0.95 ? null : next))
      }
    }
    const full = dailyActivity(scrapes)
    expect(full.days.length).toBe(9)
    // Computed up to a cut, then resumed from what that computation said, with the scrapes since.
    for (const cut of [D + 2 * DAY + 5 * H, D + 5 * DAY, D + 8 * DAY + 20 * H]) {
      const before = dailyActivity(scrapes.filter((x) => x.time < cut))
      const from = before.resume
      expect(from).not.toBeNull()
      const after = dailyActivity(
        scrapes.filter((x) => x.time >= (from?.day ?? 0)),
        from ?? undefined,
      )
      const merged = [...before.days.filter((d) => d.day < (from?.day ?? 0)), ...after.days]
      expect(merged).toEqual(full.days)
    }
  })

  it('dayOf gives the UTC day start', () => {
    expect(dayOf(D + 23 * H + 3599)).toBe(D)
    expect(dayOf(D + DAY)).toBe(D + DAY)
  })
})

describe('sumDays', () => {
  it('adds torrents day by day, null downloads skipped, null when none had any', () => {
    const a: DayActivity[] = [
      { day: D, seeders: 10, leechers: 5, peers: 14, downloads: null },
      { day: D + DAY, seeders: 12, leechers: 4, peers: 16, downloads: 30 },
    ]
    const b: DayActivity[] = [
      { day: D, seeders: 3, leechers: 1, peers: 4, downloads: null },
      { day: D + DAY, seeders: 4, leechers: 2, peers: 6, downloads: 50 },
      { day: D + 2 * DAY, seeders: 1, leechers: 1, peers: 2, downloads: 7 },
    ]
    expect(sumDays([...b, ...a])).toEqual([
      { day: D, seeders: 13, leechers: 6, peers: 18, downloads: null },
      { day: D + DAY, seeders: 16, leechers: 6, peers: 22, downloads: 80 },
      { day: D + 2 * DAY, seeders: 1, leechers: 1, peers: 2, downloads: 7 },
    ])
  })
})
