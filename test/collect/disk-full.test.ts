/**
 * A full disk during a stats write, on a real small tmpfs (needs root for `mount`; skipped
 * otherwise): the whole batch is rolled back (no row-by-row fallback squeezing a few rows in), one
 * error line says "disk full" with the database path, and no temp file is left. And an open error
 * names the path: a file that is not a database says so.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { StatsWriter } from '../../pipeline/collect/store.ts'
import { closeDb, openDb } from '../../pipeline/db/client.ts'

let dir: string
let mounted = false

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ms-diskfull-'))
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', dir], { encoding: 'utf8' })
  mounted = r.status === 0
})
afterAll(() => {
  if (mounted) spawnSync('umount', [dir])
  rmSync(dir, { recursive: true, force: true })
})

describe('disk full', () => {
  it('rolls back the whole stats batch and says "disk full" with the path, leaving no temp file', (t) => {
    if (!mounted) t.skip()
    const path = join(dir, 'mediastrends.db')
    const db = openDb(path)
    try {
      db.$client.exec("INSERT INTO trackers (name, scheme, netloc) VALUES ('ygg', 'http', 'ygg.example:8080')")
      const ins = db.$client.prepare('INSERT INTO torrents (info_hash, name, pub_date, added_at) VALUES (?, ?, 1, 1)')
      db.$client.transaction(() => {
        for (let i = 0; i < 2000; i++) ins.run(i.toString(16).padStart(40, '0'), `t${i}`)
      })()
      db.$client.pragma('wal_checkpoint(TRUNCATE)')
      // Leave ~200 KB free.
      const free = () => {
        const r = spawnSync('df', ['-B1', '--output=avail', dir], { encoding: 'utf8' })
        return Number(r.stdout.trim().split('\n').at(-1))
      }
      writeFileSync(join(dir, 'filler'), Buffer.alloc(Math.max(0, free() - 200_000)))
      const before = readdirSync(dir).sort()
      // Ten runs' writes of 2,000 rows each: the disk fills up part way.
      const batch = Array.from({ length: 2000 }, (_, i) => ({
        torrentId: i + 1,
        trackerId: 1,
        seeders: i,
        leechers: i,
        completed: i * 1000,
      }))
      const writers = Array.from({ length: 10 }, (_, k) => new StatsWriter(db, 1_767_225_600 + k * 60, 1_000_000, 1e9))
      for (const w of writers) w.add(batch)
      const results = writers.map((w) => w.finish(path))
      const failed = results.filter((r) => r.error)
      expect(failed.length).toBeGreaterThan(0)
      for (const r of failed) {
        expect(r.error).toBe(`writing stats to ${path} failed: disk full; 2000 row(s) not written`)
        expect(r.lost).toBe(2000)
      }
      // Each batch is all or nothing: the stats count is a multiple of the batch size.
      const n = (db.$client.prepare('SELECT count(*) n FROM stats').get() as { n: number }).n
      expect(n % 2000).toBe(0)
      expect(n).toBe((results.length - failed.length) * 2000)
      expect(readdirSync(dir).sort()).toEqual(before)
    } finally {
      closeDb(db)
    }
  })
})

describe('open errors name the path', () => {
  it('a file that is not a database', () => {
    const other = mkdtempSync(join(tmpdir(), 'ms-notadb-'))
    try {
      const path = join(other, 'x.db')
      writeFileSync(path, 'this is not a database, it is a text file long enough to have a header\n'.repeat(50))
      expect(() => openDb(path)).toThrow(`${path}: not a SQLite database`)
      expect(() => openDb(path, { readonly: true })).toThrow(`${path}: not a SQLite database`)
    } finally {
      rmSync(other, { recursive: true, force: true })
    }
  })
})
