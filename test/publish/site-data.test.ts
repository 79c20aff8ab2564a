/**
 * `site data` on a real database: the settings row from the config and the trend runs, daily
 * activity per torrent and per movie/series, and the incremental refresh: the same tables as a
 * computation from scratch, with only what changed recomputed (new scrapes, moved or deleted
 * torrents), idempotent.
 */
import { afterEach, describe, expect, it } from 'vitest'
import type { Db } from '../../pipeline/db/client.ts'
import { siteData } from '../../pipeline/publish/command.ts'
import { dailyActivity, type Scrape } from '../../pipeline/publish/daily.ts'
import { refreshSiteData } from '../../pipeline/publish/store.ts'
import { type TestContext, testContext } from '../helpers/config.ts'

const D = Date.UTC(2026, 0, 10) / 1000
const H = 3600
const DAY = 86_400
const SITE = { title: 'T', baseUrl: 'https://example.net/t/', engine: 'nowcast' }

const contexts: TestContext[] = []
afterEach(() => {
  for (const c of contexts.splice(0)) {
    c.close()
    c.dirs.cleanup()
  }
})

function fresh(ini = ''): TestContext {
  const ctx = testContext({ ini })
  contexts.push(ctx)
  return ctx
}

/** Two trackers, two movies; torrents 1, 2 → movie A, 3 → movie B, 4 unlinked. */
function seed(db: Db): void {
  const s = db.$client
  s.exec(`
    INSERT INTO trackers (id, name, scheme, netloc) VALUES (1, 'a', 'udp', 'a:1'), (2, 'b', 'http', 'b:80');
    INSERT INTO media (id, kind, key, title, updated_at) VALUES (1, 'movie', 'a', 'A', 0), (2, 'movie', 'b', 'B', 0);
  `)
  const t = s.prepare('INSERT INTO torrents (id, info_hash, name, pub_date, added_at) VALUES (?, ?, ?, 0, 0)')
  for (const id of [1, 2, 3, 4]) t.run(id, String(id).padStart(40, '0'), `t${id}`)
  s.exec('INSERT INTO torrent_media (torrent_id, media_id) VALUES (1, 1), (2, 1), (3, 2)')
  s.exec(`INSERT INTO media_trends (media_id, time, engine, score, rank, torrents) VALUES
    (1, ${D + DAY}, 'nowcast', 1, 1, 2), (1, ${D + 2 * DAY}, 'nowcast', 1, 1, 2),
    (2, ${D + 3 * DAY}, 'nowcast', 1, 1, 2), (1, ${D + 9 * DAY}, 'normalized', 1, 1, 2)`)
  for (const id of [1, 2, 3, 4]) for (let k = 0; k < 12; k++) scrape(db, id, D + k * 6 * H, k)
}

/** A scrape by both trackers; tracker 2 restarts once, tracker 1 jitters. */
function scrape(db: Db, torrent: number, time: number, k: number): void {
  const ins = db.$client.prepare(
    'INSERT OR REPLACE INTO stats (torrent_id, time, tracker_id, seeders, leechers, completed) VALUES (?, ?, ?, ?, ?, ?)',
  )
  ins.run(torrent, time, 1, 10 * torrent + k, k, 100 * torrent + 10 * k - (k % 3 === 2 ? 12 : 0))
  ins.run(torrent, time, 2, 5 * torrent, 2 * k, k === 7 ? 3 : 50 * torrent + 20 * k)
}

const table = (db: Db, name: string) =>
  db.$client.prepare(`SELECT * FROM ${name} ORDER BY 1, 2`).all() as Record<string, number | null>[]

/** The tables a refresh from nothing computes, on the same rows. */
function fromScratch(db: Db): { torrents: unknown[]; media: unknown[] } {
  db.$client.exec('DELETE FROM torrent_activity; DELETE FROM media_activity; DELETE FROM activity_state')
  refreshSiteData(db, SITE, 0)
  return { torrents: table(db, 'torrent_activity'), media: table(db, 'media_activity') }
}

describe('site data', () => {
  it('writes the settings row from the config and the engine’s latest two runs', async () => {
    const ctx = fresh('[site]\ntitle = Trends\nbase_url = https://example.net/trends/\n')
    seed(ctx.db())
    const r = await siteData(ctx)
    expect(r).toEqual({ ok: true, errors: [], counts: { activity_torrents: 4, activity_media: 2 } })
    expect(table(ctx.db(), 'site_settings')).toEqual([
      {
        id: 1,
        title: 'Trends',
        base_url: 'https://example.net/trends/',
        engine: 'nowcast',
        latest_run: D + 3 * DAY,
        previous_run: D + 2 * DAY,
        torrent_page_days: 7, // [site] torrent_page_days, the default
        updated_at: ctx.clock.nowSeconds(),
      },
    ])
  })

  it('computes each torrent’s days by the daily rule and each movie’s as the sum of its torrents', () => {
    const ctx = fresh()
    const db = ctx.db()
    seed(db)
    refreshSiteData(db, SITE, 0)
    const rows = db.$client
      .prepare(
        'SELECT time, tracker_id AS tracker, seeders, leechers, completed FROM stats WHERE torrent_id = 3 ORDER BY time, tracker_id',
      )
      .all() as Scrape[]
    const expected = dailyActivity(rows).days.map((d) => ({ torrent_id: 3, ...d }))
    expect(table(db, 'torrent_activity').filter((r) => r.torrent_id === 3)).toEqual(expected)
    expect(expected.map((d) => d.day)).toEqual([D, D + DAY, D + 2 * DAY])
    // Day 2 of tracker 2: 3 < half of 50·3 + 20·6: a restart, so 3 counts (not 0, not a negative).
    expect(expected[1]?.downloads).toBeGreaterThan(0)
    const a = table(db, 'media_activity').filter((r) => r.media_id === 1)
    const t1 = table(db, 'torrent_activity').filter((r) => r.torrent_id === 1)
    const t2 = table(db, 'torrent_activity').filter((r) => r.torrent_id === 2)
    expect(a.map((d) => d.seeders)).toEqual(t1.map((d, i) => (d.seeders ?? 0) + (t2[i]?.seeders ?? 0)))
    expect(a.map((d) => d.downloads)).toEqual(t1.map((d, i) => (d.downloads ?? 0) + (t2[i]?.downloads ?? 0)))
    expect(table(db, 'media_activity').filter((r) => r.media_id === 2)).toEqual(
      table(db, 'torrent_activity')
        .filter((r) => r.torrent_id === 3)
        .map(({ torrent_id: _, ...d }) => ({ media_id: 2, ...d })),
    )
  })

  it('after a restore (no activity_state, scrapes of the last weeks only): days older than the scrapes, and the oldest scraped day, are kept', () => {
    const ctx = fresh()
    const db = ctx.db()
    seed(db)
    refreshSiteData(db, SITE, 0)
    const full = table(db, 'torrent_activity')
    const fullMedia = table(db, 'media_activity')
    // What a restore of the data branch holds: months of activity, the scrapes from day 1 on only.
    db.$client.exec(`DELETE FROM activity_state; DELETE FROM stats WHERE time < ${D + DAY}`)
    for (let k = 12; k < 16; k++) scrape(db, 3, D + k * 6 * H, k)
    refreshSiteData(db, SITE, 0)
    const after = table(db, 'torrent_activity')
    // Day 0 (no scrape left) and day 1 (the oldest scraped: no counter base) keep their stored rows.
    for (const id of [1, 2, 3, 4]) {
      for (const day of [D, D + DAY]) {
        expect(after.find((r) => r.torrent_id === id && r.day === day)).toEqual(
          full.find((r) => r.torrent_id === id && r.day === day),
        )
      }
    }
    expect(table(db, 'media_activity').filter((r) => r.day === D)).toEqual(fullMedia.filter((r) => r.day === D))
    // The new scrapes of torrent 3 are counted.
    expect(after.filter((r) => r.torrent_id === 3 && (r.day ?? 0) >= D + 3 * DAY).length).toBeGreaterThan(0)
  })

  it('after a restore holding movie days further back than torrent days: a torrent joining keeps the older movie days', () => {
    const ctx = fresh()
    const db = ctx.db()
    seed(db)
    refreshSiteData(db, SITE, 0)
    const fullMedia = table(db, 'media_activity')
    expect(fullMedia.filter((r) => r.media_id === 1 && r.day === D)).toHaveLength(1)
    // The restore: movie days from day 0, torrent days and scrapes from day 1 only.
    db.$client.exec(`DELETE FROM activity_state; DELETE FROM torrent_activity WHERE day < ${D + DAY};
      DELETE FROM stats WHERE time < ${D + DAY}`)
    // A new torrent of movie A, scraped from day 2 on.
    db.$client.exec(`INSERT INTO torrents (id, info_hash, name, pub_date, added_at) VALUES (5, '${'5'.padStart(40, '0')}', 't5', 0, 0);
      INSERT INTO torrent_media (torrent_id, media_id) VALUES (5, 1)`)
    for (let k = 8; k < 12; k++) scrape(db, 5, D + k * 6 * H, k)
    refreshSiteData(db, SITE, 0)
    const media = table(db, 'media_activity')
    // Day 0 of movie A cannot be summed again (no torrent day left): kept as restored.
    expect(media.filter((r) => r.media_id === 1 && r.day === D)).toEqual(
      fullMedia.filter((r) => r.media_id === 1 && r.day === D),
    )
    // Day 2 counts the new torrent: its peers are added to what torrents 1 and 2 had.
    const day2 = (rows: typeof media) => rows.find((r) => r.media_id === 1 && r.day === D + 2 * DAY)
    const t5 = table(db, 'torrent_activity').find((r) => r.torrent_id === 5 && r.day === D + 2 * DAY)
    expect(day2(media)?.peers).toBe((day2(fullMedia)?.peers ?? 0) + (t5?.peers ?? Number.NaN))
  })

  it('is idempotent, and recomputes only torrents with new scrapes and their media: same tables as from scratch', () => {
    const ctx = fresh()
    const db = ctx.db()
    seed(db)
    refreshSiteData(db, SITE, 0)
    const once = { t: table(db, 'torrent_activity'), m: table(db, 'media_activity') }
    expect(refreshSiteData(db, SITE, 0)).toEqual({ torrents: 0, media: 0 })
    expect(table(db, 'torrent_activity')).toEqual(once.t)
    expect(table(db, 'media_activity')).toEqual(once.m)

    // New scrapes of torrent 3 (later that day and the next days): only it and movie B move.
    for (let k = 12; k < 20; k++) scrape(db, 3, D + k * 6 * H, k)
    expect(refreshSiteData(db, SITE, 0)).toEqual({ torrents: 1, media: 1 })
    const incremental = { torrents: table(db, 'torrent_activity'), media: table(db, 'media_activity') }
    expect(incremental.media).not.toEqual(once.m)
    expect(incremental).toEqual(fromScratch(db))
  })

  it('reads only from the last day computed: older scrapes are not read again', () => {
    const ctx = fresh()
    const db = ctx.db()
    seed(db)
    refreshSiteData(db, SITE, 0)
    const day0 = () => table(db, 'torrent_activity').find((r) => r.torrent_id === 1 && r.day === D)
    const before = day0()
    db.$client.prepare('UPDATE stats SET seeders = 999 WHERE torrent_id = 1 AND time = ?').run(D)
    scrape(db, 1, D + 20 * 6 * H, 20)
    expect(refreshSiteData(db, SITE, 0)).toEqual({ torrents: 1, media: 1 })
    expect(day0()).toEqual(before) // day 0 was not recomputed
    fromScratch(db)
    expect(day0()?.seeders).toBe(999) // … which a computation from scratch does
  })

  it('follows torrents that move to another movie, leave one, or are deleted', () => {
    const ctx = fresh()
    const db = ctx.db()
    seed(db)
    refreshSiteData(db, SITE, 0)
    db.$client.exec('UPDATE torrent_media SET media_id = 2 WHERE torrent_id = 2')
    expect(refreshSiteData(db, SITE, 0)).toEqual({ torrents: 0, media: 2 })
    let now = { torrents: table(db, 'torrent_activity'), media: table(db, 'media_activity') }
    expect(now).toEqual(fromScratch(db))

    db.$client.exec('INSERT INTO torrent_media (torrent_id, media_id) VALUES (4, 1)')
    expect(refreshSiteData(db, SITE, 0)).toEqual({ torrents: 0, media: 1 })
    now = { torrents: table(db, 'torrent_activity'), media: table(db, 'media_activity') }
    expect(now).toEqual(fromScratch(db))

    db.$client.exec('DELETE FROM torrents WHERE id = 3')
    expect(refreshSiteData(db, SITE, 0)).toEqual({ torrents: 0, media: 1 })
    now = { torrents: table(db, 'torrent_activity'), media: table(db, 'media_activity') }
    expect(now.media.filter((r) => r.media_id === 2)).toEqual(
      now.torrents.filter((r) => r.torrent_id === 2).map(({ torrent_id: _, ...d }) => ({ media_id: 2, ...d })),
    )
    expect(now).toEqual(fromScratch(db))
    expect(table(db, 'activity_state').map((r) => r.torrent_id)).toEqual([1, 2, 4])
  })

  it('clears a torrent whose scrapes were deleted', () => {
    const ctx = fresh()
    const db = ctx.db()
    seed(db)
    refreshSiteData(db, SITE, 0)
    db.$client.exec('DELETE FROM stats WHERE torrent_id = 1')
    expect(refreshSiteData(db, SITE, 0)).toEqual({ torrents: 1, media: 1 })
    expect(table(db, 'torrent_activity').filter((r) => r.torrent_id === 1)).toEqual([])
    const now = { torrents: table(db, 'torrent_activity'), media: table(db, 'media_activity') }
    expect(now).toEqual(fromScratch(db))
  })
})
