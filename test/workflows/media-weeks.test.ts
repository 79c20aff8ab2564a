/**
 * Packed weeks (media_weeks): `site data` packs a title's closed weeks once they are past the days
 * a run reads again, the save writes them as any growing table's rows, and a restore reads a
 * packed week from them instead of media_trends' daily files and media_activity's files. What the
 * site shows (a title's 90 days of activity and ranks, the archive's days) is the same either way.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { closeDb, type Db, openDb } from '../../pipeline/db/client.ts'
import { PACK_DAYS, packableWeeks, pick, restorePartitions, savePartitions } from '../../pipeline/db/partitions.ts'
import { packWeek, packWeeks } from '../../pipeline/publish/weeks.ts'

const DAY = 86_400
const RUN = 4 * 3600
const TODAY = Date.UTC(2026, 0, 15) / 1000 // a Thursday
const NEEDS = { scoringDays: 3, pageDays: 7 }
const dirs: string[] = []
afterAll(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

describe('packWeek', () => {
  it("groups a week's rows by title, activity by day and ranks by time then engine", () => {
    const packed = packWeek(
      [
        { mediaId: 2, day: 2 * DAY, seeders: 1, leechers: 2, peers: 3, downloads: null },
        { mediaId: 1, day: 3 * DAY, seeders: 4, leechers: 5, peers: 9, downloads: 7 },
        { mediaId: 1, day: 2 * DAY, seeders: 6, leechers: 7, peers: 13, downloads: 8 },
      ],
      [
        { mediaId: 1, time: 2 * DAY + 9, engine: 'velocity', score: 1.5, rank: 2, torrents: 3 },
        { mediaId: 1, time: 2 * DAY + 9, engine: 'nowcast', score: 2.5, rank: 1, torrents: 3 },
        { mediaId: 3, time: DAY, engine: 'nowcast', score: 0.5, rank: 9, torrents: 1 },
      ],
    )
    expect([...packed.keys()].sort()).toEqual([1, 2, 3])
    expect(packed.get(1)).toEqual({
      activity: [
        [2 * DAY, 6, 7, 13, 8],
        [3 * DAY, 4, 5, 9, 7],
      ],
      ranks: [
        [2 * DAY + 9, 'nowcast', 2.5, 1, 3],
        [2 * DAY + 9, 'velocity', 1.5, 2, 3],
      ],
    })
    expect(packed.get(2)).toEqual({ activity: [[2 * DAY, 1, 2, 3, null]], ranks: [] })
    expect(packed.get(3)?.activity).toEqual([])
  })

  it('packs only whole weeks past PACK_DAYS and inside the 92-day window', () => {
    const weeks = packableWeeks(TODAY + 3600, NEEDS)
    const until = TODAY - PACK_DAYS(NEEDS) * DAY
    expect(weeks.length).toBeGreaterThan(8)
    for (const w of weeks) {
      expect(new Date(w * 1000).getUTCDay()).toBe(1) // Mondays
      expect(w + 7 * DAY).toBeLessThanOrEqual(until)
      expect(w).toBeGreaterThanOrEqual(TODAY - 92 * DAY)
    }
    expect(weeks.at(-1)).toBeGreaterThan(until - 14 * DAY) // the newest whole week is packed
  })
})

describe('a data branch with packed weeks', () => {
  /** Two movies; per day 6 runs ranking them, and the day's activity (as `site data` sums it). */
  function setup(db: Db) {
    db.$client.exec(`
      INSERT INTO media (id, kind, key, title, updated_at) VALUES
        (1, 'movie', 'a 2026', 'A', 0), (2, 'movie', 'b 2026', 'B', 0);`)
  }
  function day(db: Db, start: number, d: number) {
    const s = db.$client
    for (let r = d * 6; r < d * 6 + 6; r++) {
      const time = start + r * RUN + 600
      for (const id of [1, 2])
        s.prepare(
          "INSERT INTO media_trends (media_id, time, engine, score, rank, torrents) VALUES (?, ?, 'nowcast', ?, ?, 2)",
        ).run(id, time, r + id / 10, ((r + id) % 2) + 1)
    }
    // Title 2 has no activity on odd days.
    for (const id of d % 2 ? [1] : [1, 2])
      s.prepare(
        'INSERT INTO media_activity (media_id, day, seeders, leechers, peers, downloads) VALUES (?, ?, ?, ?, ?, ?)',
      ).run(id, start + d * DAY, d, id, d + id, d % 3 ? d * id : null)
  }
  const settings = (db: Db, latest: number) =>
    db.$client
      .prepare(
        `INSERT INTO site_settings (id, title, base_url, engine, latest_run, previous_run, torrent_page_days, updated_at)
         VALUES (1, 't', 'http://x/', 'nowcast', ?, ?, 7, ?)`,
      )
      .run(latest, latest - RUN, latest)

  // Every save packs (site data runs before each), or only the last (a branch saved before
  // media_weeks existed: the week at the window's start stays rows, the later ones are packed).
  it.each([
    ['every save packs', false],
    ['the branch of an older version, packed from the last save on', true],
  ])(
    '%s: a restore reads the packed weeks instead of their rows, and the site shows the same days',
    async (_, upgrade) => {
      const d = mkdtempSync(join(tmpdir(), 'ms-weeks-'))
      dirs.push(d)
      // Longer than the 92-day window: its first week is read, not packed (it starts before it).
      const DAYS = 100
      const start = TODAY - DAYS * DAY
      const db = openDb(join(d, 'db.sqlite'))
      setup(db)
      const known = join(d, 'known')
      const tree: string[] = []
      let packedWeeks = 0
      const save = async (at: number, last = false) => {
        if (!upgrade || last) packedWeeks += packWeeks(db, at, NEEDS).weeks // site data, then the save
        const out = join(d, `out-${at}`)
        const r = await savePartitions(db, known, out, at, NEEDS)
        if (r.files.length) cpSync(out, known, { recursive: true })
        tree.push(...r.files)
        return r
      }
      for (let n = 0; n < DAYS; n++) {
        day(db, start, n)
        await save(start + n * DAY + 5 * RUN + 1200)
      }
      const now = TODAY + 2 * 3600
      await save(now, true)
      closeDb(db)
      // Each week packed once, by the first save past it: one file per week.
      const weekFiles = tree.filter((f) => f.startsWith('media_weeks/'))
      expect(packedWeeks).toBeGreaterThanOrEqual(5)
      expect(weekFiles).toHaveLength(packedWeeks)
      expect(new Set(weekFiles.map((f) => f.split('/')[1])).size).toBe(packedWeeks)

      const at = now + RUN
      const restore = async (name: string, paths: string[]) => {
        const picked = pick(paths, at, NEEDS)
        const dir = join(d, name)
        for (const f of paths.filter((f) => picked.some((p) => f === p || f.startsWith(`${p}/`))))
          cpSync(join(known, f), join(dir, f), { recursive: true })
        const fresh = openDb(join(d, `${name}.sqlite`))
        const counts = await restorePartitions(fresh, dir, { now: at, needs: NEEDS })
        expect(counts.bad).toBe(0)
        return { fresh, dir, picked }
      }
      // The same branch without its packed weeks: what a restore read before they existed.
      const rows = await restore(
        'rows',
        tree.filter((f) => !f.startsWith('media_weeks/')),
      )
      const packed = await restore('packed', tree)
      const packedWeekDirs = new Set(weekFiles.map((f) => f.split('/')[1]))
      for (const p of packed.picked) {
        const [table, week] = p.split('/')
        if (table === 'media_trends' || table === 'media_activity')
          expect(packedWeekDirs.has(week as string)).toBe(false)
      }
      const count = (db: Db, table: string) =>
        db.$client.prepare(`SELECT COUNT(*) FROM ${table}`).pluck().get() as number
      const weeksRead = packed.picked.filter((p) => p.startsWith('media_weeks/')).length
      expect(weeksRead).toBeGreaterThanOrEqual(upgrade ? 10 : 11) // every packed week of the 92 days
      expect(count(packed.fresh, 'media_weeks')).toBe(2 * weeksRead)
      expect(count(packed.fresh, 'media_activity')).toBeLessThan(count(rows.fresh, 'media_activity') / 2)
      expect(count(packed.fresh, 'media_trends')).toBeLessThan(count(rows.fresh, 'media_trends'))
      // A save right after the restore has nothing to write: no row, no (empty) daily file of a packed day.
      expect((await savePartitions(packed.fresh, packed.dir, join(d, 'resaved'), at, NEEDS)).files).toEqual([])

      // What the site reads, from either database.
      const latest = packed.fresh.$client.prepare('SELECT MAX(time) FROM media_trends').pluck().get() as number
      settings(packed.fresh, latest)
      settings(rows.fresh, latest)
      closeDb(packed.fresh)
      closeDb(rows.fresh)
      const data = await import('../../site/lib/data.ts')
      const read = (path: string) => {
        process.env.MEDIASTRENDS_DB = path
        return {
          days: data.archiveDays(),
          ranks: [1, 2].map((id) => data.rankHistory(id)),
          activity: [1, 2].map((id) => data.mediaActivityFrom(id, at - 90 * DAY)),
        }
      }
      const fromRows = read(join(d, 'rows.sqlite'))
      const fromPacked = read(join(d, 'packed.sqlite'))
      delete process.env.MEDIASTRENDS_DB
      expect(fromRows.activity[0]).toHaveLength(90)
      expect(fromRows.days).toHaveLength(92)
      expect(fromRows.ranks[1]?.length).toBeGreaterThan(92)
      // A packed week at the window's start also brings its days before it (a restore reads whole
      // weeks): more of the past, never less.
      const from = at - (at % DAY) - 92 * DAY
      expect(fromPacked.days.filter((x) => x.time >= from)).toEqual(fromRows.days)
      expect(fromPacked.ranks.map((r) => r.filter((x) => x.time >= from))).toEqual(fromRows.ranks)
      expect(fromPacked.activity).toEqual(fromRows.activity)
      if (upgrade) expect(fromPacked).toEqual(fromRows)
    },
  )
})
