/**
 * trends compute / get and the status lifecycle against a real SQLite database, through the real
 * CLI (`--now` for the boundaries) and the stage functions.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { main } from '../../pipeline/cli.ts'
import { type Context, makeContext } from '../../pipeline/context.ts'
import { fixedClock } from '../../pipeline/core/clock.ts'
import type { Db } from '../../pipeline/db/client.ts'
import { torrentsStatus, trendingTorrents, trendsCompute, trendsGet } from '../../pipeline/score/command.ts'
import { makeConfigDir, type TestConfigDir } from '../helpers/config.ts'

const iso = (s: number) => new Date(s * 1000).toISOString()
const T0 = Date.UTC(2026, 0, 10) / 1000 // 2026-01-10T00:00:00Z
const H = 3600
const DAY = 86_400
const hash = (n: number) => n.toString(16).padStart(40, '0')

let dirs: TestConfigDir
const contexts: Context[] = []
function ctxAt(seconds: number, json = false): Context {
  const c = makeContext({ clock: fixedClock(new Date(seconds * 1000)), json, loadConfig: () => dirs.load() })
  contexts.push(c)
  return c
}

/** n torrents published at `pub`, status new, with hourly-ish stats on two trackers. */
function seed(db: Db, torrents: { name: string; pub: number; status?: string; category?: string; rate: number }[]) {
  const s = db.$client
  s.prepare("INSERT INTO trackers (name, scheme, netloc, path) VALUES ('a', 'http', 'a.example:80', '/announce')").run()
  s.prepare("INSERT INTO trackers (name, scheme, netloc, path) VALUES ('b', 'udp', 'b.example:6969', '')").run()
  const ins = s.prepare(
    'INSERT INTO torrents (info_hash, name, pub_date, status, category, added_at) VALUES (?, ?, ?, ?, ?, ?)',
  )
  const stat = s.prepare(
    'INSERT INTO stats (torrent_id, time, tracker_id, seeders, leechers, completed) VALUES (?, ?, ?, ?, ?, ?)',
  )
  torrents.forEach((t, i) => {
    const id = Number(
      ins.run(hash(i + 1), t.name, t.pub, t.status ?? 'new', t.category ?? 'movies', t.pub).lastInsertRowid,
    )
    for (let k = 0; k < 8; k++) {
      const time = T0 + k * 4 * H
      stat.run(id, time, 1, 5 + k, Math.round(t.rate / 2), Math.round(t.rate * 4 * k))
      stat.run(id, time, 2, 3 + k, Math.round(t.rate / 3), k % 2 ? null : Math.round(t.rate * 2 * k))
    }
  })
}

beforeEach(() => {
  dirs = makeConfigDir({ ini: '[trends_manager]\ntau = 0.5\n' })
})
afterEach(() => {
  for (const c of contexts.splice(0)) c.close()
  dirs.cleanup()
  vi.restoreAllMocks()
})

const end = T0 + 28 * H // the last scrape

describe('torrents trends compute', () => {
  it('writes one row per candidate with ranks and the top K trending, idempotently', async () => {
    const c = ctxAt(end)
    seed(c.db(), [
      { name: 'Slow', pub: T0 - DAY, rate: 1 },
      { name: 'Hot', pub: T0 - DAY, rate: 50 },
      { name: 'Warm', pub: T0 - DAY, rate: 10 },
      { name: 'Gone', pub: T0 - DAY, rate: 100, status: 'unfollow' },
    ])
    const r = await trendsCompute(c, {})
    expect(r.ok).toBe(true)
    // candidates: status new/follow → 3; K = ceil(0.5·3) = 2
    expect(r.counts).toMatchObject({ candidates: 3, scored: 3, trending: 2 })
    const rows = () =>
      c
        .db()
        .$client.prepare(
          'SELECT t.name, tr.rank, tr.trending, tr.engine, tr.time FROM trends tr JOIN torrents t ON t.id = tr.torrent_id ORDER BY tr.rank',
        )
        .all()
    const first = rows()
    expect(first).toEqual([
      { name: 'Hot', rank: 1, trending: 1, engine: 'nowcast', time: end },
      { name: 'Warm', rank: 2, trending: 1, engine: 'nowcast', time: end },
      { name: 'Slow', rank: 3, trending: 0, engine: 'nowcast', time: end },
    ])
    // same clock again: the run's rows are replaced, not duplicated
    await trendsCompute(c, {})
    expect(rows()).toEqual(first)
    // the other engine writes its own run
    const n = await trendsCompute(c, { engine: 'normalized' })
    expect(n.counts.scored).toBe(3)
    const engines = c
      .db()
      .$client.prepare('SELECT engine, count(*) AS n FROM trends GROUP BY engine ORDER BY engine')
      .all()
    expect(engines).toEqual([
      { engine: 'normalized', n: 3 },
      { engine: 'nowcast', n: 3 },
    ])
  })

  it('the window is [min_date, max_date], even when min_date is earlier than max_date − delta_days', async () => {
    dirs.cleanup()
    // stats run from T0 to T0 + 28 h; max_date − delta_days (1 day) would start at T0 + 4 h
    dirs = makeConfigDir({
      ini: `[trends_manager]\ntau = 0.5\ndelta_days = 1\nmax_date = ${iso(T0 + 28 * H)}\nmin_date = ${iso(T0)}\n`,
    })
    const c = ctxAt(end)
    seed(c.db(), [{ name: 'Only', pub: T0 - DAY, rate: 5 }])
    const r = await trendsCompute(c, {})
    expect(r.counts.stats).toBe(16) // all 8 scrapes × 2 trackers, from T0 on
    dirs.cleanup()
    dirs = makeConfigDir({ ini: `[trends_manager]\ntau = 0.5\ndelta_days = 1\nmax_date = ${iso(T0 + 28 * H)}\n` })
    const d = ctxAt(end)
    seed(d.db(), [{ name: 'Only', pub: T0 - DAY, rate: 5 }])
    expect((await trendsCompute(d, {})).counts.stats).toBe(14) // from T0 + 4 h: the first scrape is out
  })

  it('trends get prints the latest run, filtered by category and pub date', async () => {
    const c = ctxAt(end)
    seed(c.db(), [
      { name: 'Old.Movie', pub: T0 - 10 * DAY, rate: 50 },
      { name: 'New.Show.S01E01', pub: T0 - 2 * H, rate: 40, category: 'series' },
      { name: 'Quiet', pub: T0, rate: 1 },
      { name: 'Quieter', pub: T0, rate: 0 },
    ])
    await trendsCompute(c, {})
    const all = trendingTorrents(c, { categories: [] })
    expect(all.map((r) => [r.rank, r.name])).toEqual([
      [1, 'Old.Movie'],
      [2, 'New.Show.S01E01'],
    ])
    expect(all[0]?.time).toBe('2026-01-11T04:00:00Z')
    expect(trendingTorrents(c, { categories: ['series'] }).map((r) => r.name)).toEqual(['New.Show.S01E01'])
    // pub date filters: old tool's YYYYMMDDHHMM and ISO both work
    expect(trendingTorrents(c, { categories: [], mindate: '202601091000' }).map((r) => r.name)).toEqual([
      'New.Show.S01E01',
    ])
    expect(trendingTorrents(c, { categories: [], maxdate: '2026-01-05' }).map((r) => r.name)).toEqual(['Old.Movie'])
    expect(trendingTorrents(c, { categories: [], deltaHours: 48 }).map((r) => r.name)).toEqual(['New.Show.S01E01'])
    expect(() => trendingTorrents(c, { categories: ['music'] })).toThrow(/--category/)
    // output: a table, or JSON with --json
    const lines: string[] = []
    vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
      lines.push(String(s))
      return true
    })
    await trendsGet(c, { categories: [] })
    expect(lines[0]).toMatch(/^rank\s+score\s+name\s+category\s+time/)
    expect(lines[2]).toMatch(/^\s*1\s+[\d.]+\s+Old\.Movie\s+movies\s+2026-01-11T04:00:00Z/)
    lines.length = 0
    await trendsGet(ctxAt(end, true), { categories: [] })
    const json = JSON.parse(lines.join(''))
    expect(json).toHaveLength(2)
    expect(json[0]).toMatchObject({ rank: 1, name: 'Old.Movie', infoHash: hash(1), engine: 'nowcast' })
    // the score by its parts, recomputed from the run's window: (rate + pipeline) × trend × age prior
    const p = json[0].parts
    expect(Object.keys(p).sort()).toEqual(['ageHours', 'agePrior', 'pipeline', 'rate', 'score', 'trackers', 'trend'])
    expect(p.score).toBe(json[0].score)
    expect(p.score).toBeCloseTo((p.rate + p.pipeline) * p.trend * p.agePrior, 1)
    expect(p.rate).toBeGreaterThan(0)
    expect(p.trackers.map((t: { tracker: number }) => t.tracker).sort()).toEqual([1, 2])
    // through the CLI, old-style options
    lines.length = 0
    const code = await main(['-f', dirs.dir, '-m', dirs.mode, '--json', 'torrents', 'trends', 'get', '-c', 'series'])
    expect(code).toBe(0)
    expect(JSON.parse(lines.join('')).map((r: { name: string }) => r.name)).toEqual(['New.Show.S01E01'])
    expect(await main(['-f', dirs.dir, '-m', dirs.mode, 'torrents', 'trends', 'compute', '--engine', 'nope'])).toBe(2)
  })
})

describe('torrents status', () => {
  async function cli(now: number, ...args: string[]) {
    return main(['-f', dirs.dir, '-m', dirs.mode, '--now', iso(now), ...args])
  }
  function statuses(c: Context) {
    return Object.fromEntries(
      (c.db().$client.prepare('SELECT name, status FROM torrents').all() as { name: string; status: string }[]).map(
        (r) => [r.name, r.status],
      ),
    )
  }

  it('keeps new until new_delay days after the pub date (2 d 23 h vs 3 d), then follow or unfollow', async () => {
    const c = ctxAt(end)
    // pub dates chosen so that at `end` ages are exactly 3 d and 2 d 23 h
    seed(c.db(), [
      { name: 'Trending3d', pub: end - 3 * DAY, rate: 50 },
      { name: 'Trending2d23h', pub: end - 3 * DAY + H, rate: 40 },
      { name: 'Quiet3d', pub: end - 3 * DAY, rate: 1 },
      { name: 'Quieter3d', pub: end - 3 * DAY, rate: 0 },
      { name: 'FollowQuiet', pub: end - 20 * DAY, rate: 0, status: 'follow' },
      { name: 'FollowHot', pub: end - 20 * DAY, rate: 45, status: 'follow' },
      { name: 'Unfollowed', pub: end - 20 * DAY, rate: 100, status: 'unfollow' },
    ])
    // no trend run yet: nothing leaves new, nothing is unfollowed
    expect(await cli(end, 'torrents', 'status')).toBe(0)
    expect(Object.values(statuses(c)).filter((s) => s === 'new')).toHaveLength(4)
    expect(await cli(end, 'torrents', 'trends', 'compute')).toBe(0)
    // 6 candidates, K = 3: FollowHot? ranks by rate: Trending3d 50, FollowHot 45, Trending2d23h 40
    expect(await cli(end, 'torrents', 'status')).toBe(0)
    expect(statuses(c)).toEqual({
      Trending3d: 'follow', // 3 d old, trending
      Trending2d23h: 'new', // 2 d 23 h old: still new, though trending
      Quiet3d: 'unfollow',
      Quieter3d: 'unfollow',
      FollowQuiet: 'unfollow',
      FollowHot: 'follow',
      Unfollowed: 'unfollow',
    })
    const hist = c
      .db()
      .$client.prepare(
        'SELECT t.name, h.status, h.time FROM status_history h JOIN torrents t ON t.id = h.torrent_id ORDER BY t.name',
      )
      .all()
    expect(hist).toEqual([
      { name: 'FollowQuiet', status: 'unfollow', time: end },
      { name: 'Quiet3d', status: 'unfollow', time: end },
      { name: 'Quieter3d', status: 'unfollow', time: end },
      { name: 'Trending3d', status: 'follow', time: end },
    ])
    // one hour later Trending2d23h reaches 3 d; the latest run (at `end`) still has it trending
    expect(await cli(end + H, 'torrents', 'status')).toBe(0)
    expect(statuses(c).Trending2d23h).toBe('follow')
    // running again changes nothing (idempotent); unfollow stayed final throughout
    const r = await torrentsStatus(ctxAt(end + H))
    expect(r.counts.changed).toBe(0)
    const runs = c.db().$client.prepare("SELECT count(*) AS n FROM runs WHERE step = 'torrents status'").get()
    expect(runs).toEqual({ n: 3 })
  })
})
