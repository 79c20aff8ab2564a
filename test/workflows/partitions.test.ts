/** The data branch's save: what `savePartitions` writes for the tables whose days are rewritten. */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterEach, describe, expect, it } from 'vitest'
import { readLines } from '../../pipeline/core/lines.ts'
import { closeDb, openDb } from '../../pipeline/db/client.ts'
import { header } from '../../pipeline/db/ndjson.ts'
import {
  listTree as listFiles,
  pick,
  pruneGrowing,
  restorePartitions,
  savePartitions,
} from '../../pipeline/db/partitions.ts'

const DAY = 86_400
const TODAY = Date.UTC(2026, 0, 15) / 1000 // a Thursday
const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

/** A database in a temp folder with one tracker and one torrent (id 1 each). */
function dbWithTorrent(prefix: string) {
  const d = mkdtempSync(join(tmpdir(), prefix))
  dirs.push(d)
  const db = openDb(join(d, 'db.sqlite'))
  db.$client.exec(`
    INSERT INTO trackers (id, name, scheme, netloc) VALUES (1, 'a', 'udp', 'a:1');
    INSERT INTO torrents (id, info_hash, name, pub_date, added_at) VALUES (1, '${'a'.repeat(40)}', 't', 0, 0);`)
  return { d, db }
}

async function rowsOf(dir: string, files: string[], table: string): Promise<unknown[][]> {
  const out: unknown[][] = []
  for (const f of files.filter((f) => f.startsWith(`${table}/`))) {
    for await (const line of readLines(join(dir, f))) if (line.startsWith('[')) out.push(JSON.parse(line) as unknown[])
  }
  return out
}

describe('savePartitions', () => {
  it('saves the daily activity of closed days only (each day once), the scrapes of today too', async () => {
    const { d, db } = dbWithTorrent('ms-part-')
    db.$client.exec(`
      INSERT INTO torrent_activity (torrent_id, day, seeders, leechers, peers, downloads) VALUES
        (1, ${TODAY - DAY}, 5, 2, 7, 10), (1, ${TODAY}, 6, 3, 9, 4);
      INSERT INTO stats (torrent_id, time, tracker_id, seeders, leechers, completed) VALUES
        (1, ${TODAY + 3600}, 1, 6, 3, 100);
    `)
    const out = join(d, 'out')
    const r = await savePartitions(db, join(d, 'known'), out, TODAY + 4 * 3600, { scoringDays: 3, pageDays: 30 })
    closeDb(db)
    const activity = await rowsOf(out, r.files, 'torrent_activity')
    expect(activity.map((row) => row[2])).toEqual([TODAY - DAY])
    expect((await rowsOf(out, r.files, 'stats')).length).toBe(1)
  })
})

describe('daily files (downsampled history)', () => {
  const NEEDS = { scoringDays: 3, pageDays: 30 }
  const RUN = 4 * 3600
  /** 2 torrents × 2 trackers; then per day 6 runs of scrapes, trend scores and a movie rank. */
  function setup(db: ReturnType<typeof openDb>) {
    db.$client.exec(`
      INSERT INTO trackers (id, name, scheme, netloc) VALUES (1, 'a', 'udp', 'a:1'), (2, 'b', 'udp', 'b:1');
      INSERT INTO torrents (id, info_hash, name, pub_date, added_at) VALUES
        (1, '${'a'.repeat(40)}', 't1', 0, 0), (2, '${'b'.repeat(40)}', 't2', 0, 0);
      INSERT INTO media (id, kind, key, title, updated_at) VALUES (1, 'movie', 'm 2026', 'M', 0);
    `)
  }
  function runsOfDay(db: ReturnType<typeof openDb>, start: number, day: number) {
    const s = db.$client
    for (let r = day * 6; r < day * 6 + 6; r++) {
      const time = start + r * RUN + 600
      s.prepare(
        'INSERT INTO stats (torrent_id, time, tracker_id, seeders, leechers, completed) SELECT t.id, ? + tr.id * 60, tr.id, ?, 1, ? FROM torrents t, trackers tr',
      ).run(time, r, r * 10)
      s.prepare(
        "INSERT INTO trends (torrent_id, time, engine, score, rank, trending) SELECT id, ?, 'nowcast', ?, id, 0 FROM torrents",
      ).run(time, r)
      s.prepare(
        "INSERT INTO media_trends (media_id, time, engine, score, rank, torrents) VALUES (1, ?, 'nowcast', ?, 1, 2)",
      ).run(time, r)
    }
  }

  it('a save writes each closed day once, its last rows per group; a restore reads them instead of old weeks', async () => {
    const d = mkdtempSync(join(tmpdir(), 'ms-daily-'))
    dirs.push(d)
    const start = TODAY - 20 * DAY // a Friday
    const db = openDb(join(d, 'db.sqlite'))
    setup(db)
    // 20 days, a save after each day's last run (as data-branch.sh: the saved files become known)
    const known = join(d, 'known')
    const tree: string[] = []
    const save = async (at: number) => {
      const dir = join(d, `out-${at}`)
      const r = await savePartitions(db, known, dir, at, NEEDS)
      if (r.files.length) cpSync(dir, known, { recursive: true })
      tree.push(...r.files)
      return r
    }
    for (let day = 0; day < 20; day++) {
      runsOfDay(db, start, day)
      await save(start + day * DAY + 5 * RUN + 1200)
    }
    const now = TODAY + 2 * 3600
    await save(now) // the last day's daily files
    const daily = (table: string) => tree.filter((f) => f.startsWith(`${table}/`) && f.includes('/daily-'))
    // stats: 31 days back, so the 20 days and the 4 before them in the first week (empty: a
    // restore then knows the week is whole); trends: 8 back from each save; media_trends: 92.
    expect(daily('stats')).toHaveLength(24)
    expect(daily('trends')).toHaveLength(24)
    expect(daily('media_trends')).toHaveLength(24)
    expect(await rowsOf(known, daily('stats'), 'stats')).toHaveLength(20 * 4)
    // One day's daily file: each torrent × tracker's last scrape of the day (the 6th run's).
    const day = start + 5 * DAY
    const file = daily('stats').find((f) =>
      f.includes(`/daily-${new Date(day * 1000).toISOString().slice(0, 10).replace(/-/g, '')}-`),
    )
    expect(file).toBeDefined()
    const rows = await rowsOf(known, [file as string], 'stats')
    const lastRun = 5 * 6 + 5
    expect(rows.map((row) => [row[1], row[3], row[4]]).sort()).toEqual([
      ['a'.repeat(40), 'a', lastRun],
      ['a'.repeat(40), 'b', lastRun],
      ['b'.repeat(40), 'a', lastRun],
      ['b'.repeat(40), 'b', lastRun],
    ])
    // A later save writes no daily file again.
    expect((await save(now + RUN)).files.filter((f) => f.includes('/daily-'))).toEqual([])
    closeDb(db)

    // The restore: the dense days whole, the days before one point a day, a week lacking a daily file whole.
    const at = now + RUN
    const picked = pick(tree, at, NEEDS)
    const weeks = [...new Set(tree.filter((f) => f.startsWith('stats/')).map((f) => f.split('/')[1]))].sort()
    expect(picked).toContain(`stats/${weeks.at(-1)}`) // the newest week: whole
    expect(picked).not.toContain(`stats/${weeks[0]}`)
    const restored = join(d, 'restored')
    for (const f of tree.filter((f) => picked.some((p) => f === p || f.startsWith(`${p}/`))))
      cpSync(join(known, f), join(restored, f), { recursive: true })
    const fresh = openDb(join(d, 'fresh.sqlite'))
    await restorePartitions(fresh, restored, { now: at, needs: NEEDS })
    const times = fresh.$client.prepare('SELECT time FROM stats ORDER BY time').pluck().all() as number[]
    const denseFrom = at - 4 * DAY
    // every scrape from the dense days' first day on…
    const all = Array.from({ length: 20 * 6 }, (_, r) => start + r * RUN + 600)
    const denseDay = denseFrom - (denseFrom % DAY)
    const expectDense = all.filter((t) => t >= denseDay).length * 4
    expect(times.filter((t) => t >= denseDay)).toHaveLength(expectDense)
    // …and before, each day's last scrape of each torrent and tracker only
    const older = times.filter((t) => t < denseDay)
    expect(older).toHaveLength(((denseDay - start) / DAY) * 4)
    expect(new Set(older.map((t) => (t - start) % DAY))).toEqual(new Set([5 * RUN + 600 + 60, 5 * RUN + 600 + 120]))
    // A save right after the restore has nothing to write: no row, no daily file again.
    const resaved = await savePartitions(fresh, restored, join(d, 'resaved'), at, NEEDS)
    expect(resaved.files).toEqual([])
    closeDb(fresh)
    const missing = tree.filter((f) => f !== file)
    expect(pick(missing, at, NEEDS)).toContain(`stats/${file?.split('/')[1]}`)
    // The old engines read delta_days whole: nothing downsampled inside it.
    const whole = pick(tree, at, { scoringDays: 31, pageDays: 30 })
    for (const w of weeks) expect(whole).toContain(`stats/${w}`)
  })
})

describe('what a save compares with', () => {
  const NEEDS = { scoringDays: 3, pageDays: 7 }
  const scrape = (time: number, tracker: number, seeders = 5) =>
    `INSERT INTO stats (torrent_id, time, tracker_id, seeders, leechers, completed) VALUES (1, ${time}, ${tracker}, ${seeders}, 1, 1)`
  const headerOf = async (file: string) => {
    for await (const line of readLines(file)) return JSON.parse(line) as { counts?: Record<string, unknown> }
  }

  it("counts a file's rows per time in its header; the next save writes only the rows of times the branch lacks or holds otherwise", async () => {
    const { d, db } = dbWithTorrent('ms-counts-')
    db.$client.exec(`INSERT INTO trackers (id, name, scheme, netloc) VALUES (2, 'b', 'udp', 'b:1')`)
    db.$client.exec(`${scrape(TODAY + 3600, 1)}; ${scrape(TODAY + 7200, 1)}`)
    const known = join(d, 'known')
    const save = async (n: number, now: number) => {
      const out = join(d, `out${n}`)
      const r = await savePartitions(db, known, out, now, NEEDS)
      if (r.files.length) cpSync(out, known, { recursive: true })
      return { out, files: r.files, stats: await rowsOf(out, r.files, 'stats') }
    }
    const first = await save(1, TODAY + 8000)
    const statsFile = first.files.find((f) => f.startsWith('stats/') && !f.includes('daily-')) as string
    expect((await headerOf(join(first.out, statsFile)))?.counts).toEqual({
      stats: { [TODAY + 3600]: 1, [TODAY + 7200]: 1 },
    })
    expect((await save(2, TODAY + 9000)).stats).toEqual([])
    // Rows at an earlier time than the branch's newest (a run that started first and pushed
    // last), and one more row at a time the branch holds: those two only.
    db.$client.exec(`${scrape(TODAY + 1800, 1)}; ${scrape(TODAY + 3600, 2)}`)
    const third = await save(3, TODAY + 10_000)
    expect(third.stats.map((r) => [r[2], r[3]])).toEqual([
      [TODAY + 1800, 'a'],
      [TODAY + 3600, 'b'],
    ])
    closeDb(db)
  })

  it('files saved before counts existed are compared line by line', async () => {
    const { d, db } = dbWithTorrent('ms-nocounts-')
    db.$client.exec(`${scrape(TODAY + 3600, 1)}; ${scrape(TODAY + 7200, 1)}`)
    const known = join(d, 'known')
    const file = join(known, 'stats', '2026-01-12', '20260115T010000Z-aaaaaa.ndjson.gz')
    mkdirSync(dirname(file), { recursive: true })
    writeFileSync(
      file,
      gzipSync(`${header()}\n${JSON.stringify(['stats', 'a'.repeat(40), TODAY + 3600, 'a', 5, 1, 1])}\n`),
    )
    const out = join(d, 'out')
    const r = await savePartitions(db, known, out, TODAY + 8000, NEEDS)
    expect((await rowsOf(out, r.files, 'stats')).map((row) => row[2])).toEqual([TODAY + 7200])
    closeDb(db)
  })
})

describe('torrents let go long ago (archived)', () => {
  const NEEDS = { scoringDays: 3, pageDays: 7 }
  const FEB = Date.UTC(2026, 1, 20) / 1000
  /** Torrent 1 followed; 2 let go 40 days before FEB; 3 let go 5 days before; all linked to tracker 1. */
  function setup() {
    const { d, db } = dbWithTorrent('ms-archive-')
    db.$client.exec(`
      UPDATE torrents SET status = 'follow' WHERE id = 1;
      INSERT INTO torrents (id, info_hash, name, pub_date, added_at, status) VALUES
        (2, '${'b'.repeat(40)}', 't2', 0, 0, 'unfollow'), (3, '${'c'.repeat(40)}', 't3', 0, 0, 'unfollow');
      INSERT INTO torrent_trackers (torrent_id, tracker_id) VALUES (1, 1), (2, 1), (3, 1);
      INSERT INTO status_history (torrent_id, time, status) VALUES
        (1, 0, 'new'), (2, 0, 'new'), (3, 0, 'new'), (1, 100, 'follow'),
        (2, ${FEB - 40 * DAY}, 'unfollow'), (3, ${FEB - 5 * DAY}, 'unfollow');
      INSERT INTO media (id, kind, key, title, updated_at) VALUES (1, 'movie', 'm 2026', 'M', 0);
      INSERT INTO torrent_media (torrent_id, media_id) VALUES (1, 1), (2, 1), (3, 1);
    `)
    return { d, db }
  }
  const hashes = (rows: unknown[][], table: string) =>
    rows.filter((r) => r[0] === table).map((r) => String(r[1]).slice(0, 1))

  it("a new month's base and later saves leave out their links and status history (written while they were live); the torrents and movie links move to the archive", async () => {
    const { d, db } = setup()
    const known = join(d, 'known')
    // The first save of a branch writes everything.
    const r1 = await savePartitions(db, known, join(d, 'out1'), FEB - 30 * DAY, NEEDS)
    const first = await rowsOf(join(d, 'out1'), r1.files, 'snapshot')
    expect(hashes(first, 'torrent_trackers')).toEqual(['a', 'b', 'c'])
    expect(hashes(first, 'status_history')).toEqual(['a', 'a', 'b', 'b', 'c', 'c'])
    expect(r1.files.filter((f) => f.startsWith('archive/'))).toEqual([])
    cpSync(join(d, 'out1'), known, { recursive: true })
    // The next month's base: torrent 2 (let go 40 days ago) has no links or history in it, and
    // its row and movie link are in the month's archive file, marked archived.
    const r2 = await savePartitions(db, known, join(d, 'out2'), FEB, NEEDS)
    expect(r2.files.filter((f) => f.startsWith('snapshot/'))[0]).toMatch(/^snapshot\/2026-02\/base-/)
    const base = await rowsOf(join(d, 'out2'), r2.files, 'snapshot')
    expect(hashes(base, 'torrent_trackers')).toEqual(['a', 'c'])
    expect(hashes(base, 'status_history')).toEqual(['a', 'a', 'c', 'c'])
    expect(hashes(base, 'torrents')).toEqual(['a', 'c'])
    expect(hashes(base, 'torrent_media')).toEqual(['a', 'c'])
    expect(r2.files.filter((f) => f.startsWith('archive/'))).toEqual([
      expect.stringMatching(/^archive\/2026-02\/20260220T000000Z-[0-9a-f]{6}\.ndjson\.gz$/),
    ])
    const archive = await rowsOf(join(d, 'out2'), r2.files, 'archive')
    expect(archive.map((r) => `${r[0]}:${String(r[1]).slice(0, 1)}`)).toEqual(['torrents:b', 'torrent_media:b'])
    expect(archive[0]?.at(-1)).toBe(FEB) // archived_at
    cpSync(join(d, 'out2'), known, { recursive: true })
    // A database that keeps them does not write them again in the month's changes.
    const r3 = await savePartitions(db, known, join(d, 'out3'), FEB + 3600, NEEDS)
    expect(r3.rows).toBe(0)
    // A change to an archived torrent goes to the archive, not to the month's changes.
    db.$client.exec(`UPDATE torrents SET name = 't2 renamed' WHERE id = 2`)
    const r4 = await savePartitions(db, known, join(d, 'out4'), FEB + 7200, NEEDS)
    expect(r4.tables).toEqual({ torrents: 1 })
    expect(hashes(await rowsOf(join(d, 'out4'), r4.files, 'archive'), 'torrents')).toEqual(['b'])
    expect(await rowsOf(join(d, 'out4'), r4.files, 'snapshot')).toEqual([])
    cpSync(join(d, 'out4'), known, { recursive: true })
    // The month after: the base still leaves it out, and nothing is archived again.
    const r5 = await savePartitions(db, known, join(d, 'out5'), FEB + 20 * DAY, NEEDS)
    expect(r5.files.filter((f) => f.startsWith('archive/'))).toEqual([])
    expect(hashes(await rowsOf(join(d, 'out5'), r5.files, 'snapshot'), 'torrents')).toEqual(['a', 'c'])
    cpSync(join(d, 'out5'), known, { recursive: true })
    // A fresh restore of what a run picks holds every torrent, with its latest row and movie link.
    const picked = join(d, 'picked')
    for (const p of pick(listFiles(known), FEB + 20 * DAY + 3600, NEEDS))
      cpSync(join(known, p), join(picked, p), { recursive: true })
    expect(listFiles(picked).filter((f) => f.startsWith('snapshot/2026-02'))).toEqual([])
    const fresh = openDb(join(d, 'fresh.sqlite'))
    await restorePartitions(fresh, picked, { now: FEB + 20 * DAY + 3600, needs: NEEDS })
    const rows = fresh.$client
      .prepare(
        'SELECT t.name, t.archived_at, m.key FROM torrents t LEFT JOIN torrent_media tm ON tm.torrent_id = t.id LEFT JOIN media m ON m.id = tm.media_id ORDER BY t.info_hash',
      )
      .all()
    expect(rows).toEqual([
      { name: 't', archived_at: null, key: 'm 2026' },
      { name: 't2 renamed', archived_at: FEB, key: 'm 2026' },
      { name: 't3', archived_at: null, key: 'm 2026' },
    ])
    closeDb(fresh)
    // A cached database (DATA_PRUNE) drops them, as a fresh restore would not have them.
    expect(pruneGrowing(db, FEB, NEEDS)).toEqual({ torrent_trackers: 1, status_history: 2 })
    expect(db.$client.prepare('SELECT torrent_id FROM torrent_trackers ORDER BY 1').pluck().all()).toEqual([1, 3])
    closeDb(db)
  })
  it('a branch saved before the archive (no archived_at in its files) is moved by its next base, nothing lost', async () => {
    const { d, db } = setup()
    const known = join(d, 'known')
    const r1 = await savePartitions(db, known, join(d, 'out1'), FEB - 30 * DAY, NEEDS)
    closeDb(db)
    // The same files as an older version wrote them: the torrents' lines without archived_at.
    for (const f of r1.files) {
      const lines: string[] = []
      for await (const line of readLines(join(d, 'out1', f))) {
        if (line.startsWith('{')) {
          const h = JSON.parse(line) as { columns: Record<string, string[]> }
          h.columns.torrents = (h.columns.torrents ?? []).filter((c) => c !== 'archived_at')
          lines.push(JSON.stringify(h))
        } else {
          const row = JSON.parse(line) as unknown[]
          lines.push(JSON.stringify(row[0] === 'torrents' ? row.slice(0, -1) : row))
        }
      }
      mkdirSync(dirname(join(known, f)), { recursive: true })
      writeFileSync(join(known, f), gzipSync(`${lines.join('\n')}\n`))
    }
    const run = openDb(join(d, 'run.sqlite'))
    await restorePartitions(run, known, { now: FEB, needs: NEEDS })
    expect(run.$client.prepare('SELECT COUNT(*) FROM torrents WHERE archived_at IS NULL').pluck().get()).toBe(3)
    const r2 = await savePartitions(run, known, join(d, 'out2'), FEB, NEEDS)
    closeDb(run)
    expect(hashes(await rowsOf(join(d, 'out2'), r2.files, 'snapshot'), 'torrents')).toEqual(['a', 'c'])
    const archive = await rowsOf(join(d, 'out2'), r2.files, 'archive')
    expect(archive.map((r) => `${r[0]}:${String(r[1]).slice(0, 1)}`)).toEqual(['torrents:b', 'torrent_media:b'])
    cpSync(join(d, 'out2'), known, { recursive: true })
    const picked = join(d, 'picked')
    for (const p of pick(listFiles(known), FEB + 3600, NEEDS))
      cpSync(join(known, p), join(picked, p), { recursive: true })
    const fresh = openDb(join(d, 'fresh.sqlite'))
    await restorePartitions(fresh, picked, { now: FEB + 3600, needs: NEEDS })
    expect(fresh.$client.prepare('SELECT name, archived_at FROM torrents ORDER BY info_hash').raw().all()).toEqual([
      ['t', null],
      ['t2', FEB],
      ['t3', null],
    ])
    expect(fresh.$client.prepare('SELECT COUNT(*) FROM torrent_media').pluck().get()).toBe(3)
    closeDb(fresh)
  })
})

describe('pruneGrowing', () => {
  it('drops the rows older than a run reads, table by table, and keeps the rest', () => {
    const { db } = dbWithTorrent('ms-prune-')
    db.$client.exec(`
      INSERT INTO stats (torrent_id, time, tracker_id, seeders, leechers, completed) VALUES
        (1, ${TODAY - 40 * DAY}, 1, 1, 1, 1), (1, ${TODAY - 30 * DAY}, 1, 1, 1, 1), (1, ${TODAY - DAY}, 1, 1, 1, 1);
      INSERT INTO trends (torrent_id, time, engine, score, rank, trending) VALUES
        (1, ${TODAY - 9 * DAY}, 'nowcast', 1, 1, 0), (1, ${TODAY - 7 * DAY}, 'nowcast', 1, 1, 0);
      INSERT INTO torrent_activity (torrent_id, day, seeders, leechers, peers, downloads) VALUES
        (1, ${TODAY - 40 * DAY}, 1, 1, 1, 1), (1, ${TODAY - 20 * DAY}, 1, 1, 1, 1);
      INSERT INTO media (id, kind, key, title, updated_at) VALUES (1, 'movie', 'm 2026', 'M', 0);
      INSERT INTO media_activity (media_id, day, seeders, leechers, peers, downloads) VALUES
        (1, ${TODAY - 100 * DAY}, 1, 1, 1, 1), (1, ${TODAY - 90 * DAY}, 1, 1, 1, 1);
    `)
    const pruned = pruneGrowing(db, TODAY + 3600, { scoringDays: 3, pageDays: 30 })
    expect(pruned).toEqual({ stats: 1, trends: 1, torrent_activity: 1, media_activity: 1 })
    expect(db.$client.prepare('SELECT COUNT(*) FROM stats').pluck().get()).toBe(2)
    expect(db.$client.prepare('SELECT COUNT(*) FROM torrents').pluck().get()).toBe(1)
    closeDb(db)
  })
})
