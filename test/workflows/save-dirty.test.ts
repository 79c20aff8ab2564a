/**
 * The save's change tracking (pipeline/db/dirty.ts): a save writes the snapshot rows that changed
 * since the last save that reached the branch, and nothing it has not confirmed is forgotten.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { readLines } from '../../pipeline/core/lines.ts'
import { closeDb, type Db, openDb } from '../../pipeline/db/client.ts'
import { triggerSql } from '../../pipeline/db/dirty.ts'
import { importNdjson } from '../../pipeline/db/ndjson.ts'
import { restorePartitions, SNAPSHOT, savePartitions } from '../../pipeline/db/partitions.ts'
import { insertSample } from '../helpers/sample-data.ts'

const NEEDS = { scoringDays: 3, pageDays: 30 }
const NOW = Date.UTC(2026, 0, 15, 12) / 1000
const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'ms-dirty-'))
  dirs.push(d)
  return d
}

const noted = (db: Db): { tbl: string; rid: number }[] =>
  db.$client.prepare('SELECT tbl, rid FROM save_dirty ORDER BY tbl, rid').all() as { tbl: string; rid: number }[]

/** The snapshot rows of a save's files, as parsed lines. */
async function snapshotRows(out: string, files: string[]): Promise<unknown[][]> {
  const rows: unknown[][] = []
  for (const f of files.filter((f) => f.startsWith('snapshot/')))
    for await (const line of readLines(join(out, f))) if (line.startsWith('[')) rows.push(JSON.parse(line) as unknown[])
  return rows
}

/** A save as data-branch.sh makes one: write under a fresh out/, and (pushed) copy it into known/. */
async function save(db: Db, known: string, now: number, opts: { pushed?: boolean } = {}) {
  const out = mkdtempSync(join(tmpdir(), 'ms-dirty-out-'))
  dirs.push(out)
  const r = await savePartitions(db, known, out, now, NEEDS)
  if (opts.pushed ?? true) cpSync(out, known, { recursive: true })
  return { ...r, rows: await snapshotRows(out, r.files) }
}

/** A database of the sample data in a temp folder, saved once (its base) into known/. */
async function savedSample(name: string) {
  const d = tmp()
  const known = join(d, 'known')
  const db = openDb(join(d, name))
  insertSample(db)
  const base = await save(db, known, NOW)
  return { d, known, db, base }
}

describe('change tracking for the data branch save', () => {
  it('has an insert and an update trigger on every snapshot table, put in place once', () => {
    const d = tmp()
    const names = [...triggerSql(SNAPSHOT).keys()]
    for (const t of SNAPSHOT)
      expect(names).toEqual(expect.arrayContaining([`save_dirty:${t}:insert`, `save_dirty:${t}:update`]))
    const db = openDb(join(d, 'db.sqlite'))
    const installed = () =>
      db.$client.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name").pluck().all()
    expect(installed()).toEqual([...names].sort())
    const before = db.$client
      .prepare("SELECT group_concat(sql, ';') FROM sqlite_master WHERE type = 'trigger'")
      .pluck()
      .get()
    closeDb(db)
    const again = openDb(join(d, 'db.sqlite'))
    expect(
      again.$client.prepare("SELECT group_concat(sql, ';') FROM sqlite_master WHERE type = 'trigger'").pluck().get(),
    ).toBe(before)
    closeDb(again)
  })

  it('notes a row when a value it exports changes, not when an update writes the same values', () => {
    const db = openDb(join(tmp(), 'db.sqlite'))
    insertSample(db)
    const s = db.$client
    s.exec('DELETE FROM save_dirty')
    s.exec('UPDATE torrents SET status = status, name = name WHERE id = 1; UPDATE media SET title = title')
    expect(noted(db)).toEqual([])
    s.exec("UPDATE torrents SET status = 'unfollow' WHERE id = 2")
    expect(noted(db)).toEqual([{ tbl: 'torrents', rid: 2 }])
    // A new media key is on its torrent_media lines: those are noted with it.
    const mediaId = s.prepare('SELECT media_id FROM torrent_media LIMIT 1').pluck().get() as number
    const links = s.prepare('SELECT rowid FROM torrent_media WHERE media_id = ?').pluck().all(mediaId) as number[]
    expect(links.length).toBeGreaterThan(0)
    s.exec('DELETE FROM save_dirty')
    s.prepare("UPDATE media SET key = key || ' (renamed)' WHERE id = ?").run(mediaId)
    expect(noted(db)).toEqual(
      [{ tbl: 'media', rid: mediaId }, ...links.map((rid) => ({ tbl: 'torrent_media', rid }))].sort((a, b) =>
        a.tbl === b.tbl ? a.rid - b.rid : a.tbl < b.tbl ? -1 : 1,
      ),
    )
    closeDb(db)
  })

  it('writes only the rows changed since a pushed save; an unpushed save is written again', async () => {
    const { d, known, db, base } = await savedSample('db.sqlite')
    expect(base.files.some((f) => /^snapshot\/2026-01\/base-/.test(f))).toBe(true)
    // Nothing changed since: the next save writes no snapshot row and confirms the base.
    const quiet = await save(db, known, NOW + 3600)
    expect(quiet.rows).toEqual([])
    expect(noted(db)).toEqual([])

    db.$client.exec("UPDATE torrents SET status = 'unfollow' WHERE id = 2")
    const lost = await save(db, known, NOW + 7200, { pushed: false }) // its push is refused
    expect(lost.rows.map((r) => [r[0], r[1]])).toEqual([['torrents', `a${'0'.repeat(38)}2`]])
    db.$client.exec("UPDATE torrents SET status = 'new' WHERE id = 3")
    const next = await save(db, known, NOW + 10_800)
    expect(next.rows.map((r) => [r[0], r[1]]).sort()).toEqual([
      ['torrents', `a${'0'.repeat(38)}2`],
      ['torrents', `a${'0'.repeat(38)}3`],
    ])
    expect((await save(db, known, NOW + 14_400)).rows).toEqual([])

    // What the branch holds restores to what the database holds.
    const fresh = openDb(join(d, 'fresh.sqlite'))
    await restorePartitions(fresh, known)
    const dump = (x: Db) => x.$client.prepare('SELECT info_hash, status FROM torrents ORDER BY info_hash').all()
    expect(dump(fresh)).toEqual(dump(db))
    expect(dump(fresh)).toContainEqual({ info_hash: `a${'0'.repeat(38)}2`, status: 'unfollow' })
    closeDb(fresh)
    closeDb(db)
  })

  it('a restore notes nothing it imports; a plain import notes every row', async () => {
    const { d, known, db: a } = await savedSample('a.sqlite')
    closeDb(a)
    const b = openDb(join(d, 'b.sqlite'))
    await restorePartitions(b, known)
    expect(b.$client.prepare('SELECT COUNT(*) FROM torrents').pluck().get()).toBe(3)
    expect(noted(b)).toEqual([])
    // The triggers are back after the restore's transaction.
    b.$client.exec("UPDATE torrents SET status = 'unfollow' WHERE id = 1")
    expect(noted(b)).toEqual([{ tbl: 'torrents', rid: 1 }])
    closeDb(b)

    const c = openDb(join(d, 'c.sqlite'))
    const { databaseExportFile } = await exportOf(d)
    await importNdjson(c, databaseExportFile)
    expect(noted(c).filter((n) => n.tbl === 'torrents').length).toBe(3)
    closeDb(c)
  })

  it('a database from before the triggers has every snapshot row noted on open', () => {
    const file = join(tmp(), 'db.sqlite')
    const db = openDb(file)
    insertSample(db)
    const s = db.$client
    for (const name of triggerSql(SNAPSHOT).keys()) s.exec(`DROP TRIGGER "${name}"`)
    s.exec('DELETE FROM save_dirty')
    const rows = SNAPSHOT.reduce((n, t) => n + (s.prepare(`SELECT COUNT(*) FROM "${t}"`).pluck().get() as number), 0)
    closeDb(db)
    const again = openDb(file)
    expect(noted(again).length).toBe(rows)
    expect(rows).toBeGreaterThan(10)
    closeDb(again)
  })
})

/** An export of the sample data (one file), for the plain import. */
async function exportOf(d: string): Promise<{ databaseExportFile: string }> {
  const { exportNdjson } = await import('../../pipeline/db/ndjson.ts')
  const db = openDb(join(d, 'x.sqlite'))
  insertSample(db)
  const file = join(d, 'export.ndjson')
  await exportNdjson(db, file)
  closeDb(db)
  return { databaseExportFile: file }
}
