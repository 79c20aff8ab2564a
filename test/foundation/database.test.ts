import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { type Context, makeContext } from '../../pipeline/context.ts'
import { fixedClock } from '../../pipeline/core/clock.ts'
import { closeDb, openDb, tx } from '../../pipeline/db/client.ts'
import {
  backupLoad,
  backupSave,
  databaseCreate,
  databaseExport,
  databaseImport,
  databaseReset,
  databaseResetTables,
} from '../../pipeline/db/command.ts'
import { EXPORT_TABLES, exportLines, importNdjson } from '../../pipeline/db/ndjson.ts'
import { makeConfigDir, type TestConfigDir } from '../helpers/config.ts'
import { dumpAll, insertSample } from '../helpers/sample-data.ts'

const TABLES = EXPORT_TABLES.map((t) => t.name)
let dirs: TestConfigDir[] = []
let ctxs: Context[] = []
afterEach(() => {
  for (const c of ctxs) c.close()
  for (const d of dirs) d.cleanup()
  dirs = []
  ctxs = []
})
function setup(now = '2026-02-01T10:00:00Z') {
  const d = makeConfigDir()
  dirs.push(d)
  const config = d.load()
  const at = (iso: string) => {
    const c = makeContext({ clock: fixedClock(new Date(iso)), loadConfig: () => config })
    ctxs.push(c)
    return c
  }
  return { d, config, ctx: at(now), at }
}
const quiet = async (fn: () => Promise<unknown>) => {
  const write = process.stdout.write
  const lines: string[] = []
  process.stdout.write = ((chunk: string) => {
    lines.push(String(chunk))
    return true
  }) as typeof process.stdout.write
  try {
    await fn()
  } finally {
    process.stdout.write = write
  }
  return lines.join('')
}
const count = (ctx: Context, table: string) =>
  (ctx.db().$client.prepare(`SELECT count(*) n FROM "${table}"`).get() as { n: number }).n

describe('database create', () => {
  it('creates every table, WAL, foreign keys, and is safe to repeat', async () => {
    const { ctx, config } = setup()
    const out = await quiet(() => databaseCreate(ctx))
    expect(out).toContain(`database ready: ${config.sqlite.path} (17 tables)`)
    expect(ctx.db().$client.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(ctx.db().$client.pragma('foreign_keys', { simple: true })).toBe(1)
    const stats = ctx.db().$client.prepare("SELECT sql FROM sqlite_master WHERE name = 'stats'").get() as {
      sql: string
    }
    expect(stats.sql).toMatch(/WITHOUT ROWID/)
    insertSample(ctx.db())
    ctx.close()
    // Re-opening (migrations already applied) keeps every row.
    await quiet(() => databaseCreate(ctx))
    expect(count(ctx, 'torrents')).toBe(3)
    expect(count(ctx, 'stats')).toBe(12)
  })
})

describe('transactions', () => {
  it('a failing write rolls back entirely', () => {
    const { ctx } = setup()
    const db = ctx.db()
    insertSample(db)
    expect(() =>
      tx(db, () => {
        db.$client.prepare('DELETE FROM stats').run()
        db.$client.prepare("INSERT INTO torrents (info_hash, name, pub_date, added_at) VALUES ('x', 'y', 0, 0)").run()
        throw new Error('disk full')
      }),
    ).toThrow('disk full')
    expect(count(ctx, 'stats')).toBe(12)
    expect(count(ctx, 'torrents')).toBe(3)
  })

  it('a locked database refuses the write and leaves nothing half-written', () => {
    const { ctx, config } = setup()
    insertSample(ctx.db())
    const other = openDb(config.sqlite.path, { busyTimeout: 50 })
    const blocker = openDb(config.sqlite.path)
    blocker.$client.exec('BEGIN IMMEDIATE')
    try {
      expect(() =>
        tx(other, () => {
          other.$client.prepare('DELETE FROM stats').run()
        }),
      ).toThrow(/locked|busy/i)
    } finally {
      blocker.$client.exec('ROLLBACK')
      closeDb(blocker)
      closeDb(other)
    }
    expect(count(ctx, 'stats')).toBe(12)
  })
})

describe('backups', () => {
  it('backup save then load restores the saved rows', async () => {
    const { ctx, config, at } = setup('2026-02-01T10:00:00Z')
    insertSample(ctx.db())
    const out = await quiet(() => backupSave(ctx))
    const file = join(config.sqlite.backup_dir, 'mediastrends.2026-02-01T10-00-00Z.db')
    expect(out).toContain(file)
    expect(existsSync(file)).toBe(true)
    ctx.db().$client.prepare('DELETE FROM torrents').run()
    expect(count(ctx, 'stats')).toBe(0) // cascade
    await quiet(() => backupLoad(ctx, {}))
    expect(count(ctx, 'torrents')).toBe(3)
    expect(count(ctx, 'stats')).toBe(12)

    // A later backup, then load -d of the earlier day.
    const later = at('2026-02-03T08:00:00Z')
    later.db().$client.prepare("DELETE FROM torrents WHERE name LIKE 'Dune%'").run()
    await quiet(() => backupSave(later))
    later.close()
    await quiet(() => backupLoad(later, { date: '2026-02-03' }))
    expect(count(later, 'torrents')).toBe(2)
    await quiet(() => backupLoad(later, { date: '2026-02-01' }))
    expect(count(later, 'torrents')).toBe(3)
    await expect(backupLoad(later, { date: '2025-12-25' })).rejects.toThrow(/no backup of 2025-12-25 in/)
  })

  it('reset takes a backup first, unless --no-backup', async () => {
    const { ctx, config } = setup()
    insertSample(ctx.db())
    await quiet(() => databaseReset(ctx, { backup: true }))
    expect(readdirSync(config.sqlite.backup_dir)).toHaveLength(1)
    expect(count(ctx, 'torrents')).toBe(0)
    insertSample(ctx.db())
    await quiet(() => databaseReset(ctx, { backup: false }))
    expect(readdirSync(config.sqlite.backup_dir)).toHaveLength(1)
    expect(count(ctx, 'torrents')).toBe(0)
  })

  it('reset-tables empties only the named tables, after a backup', async () => {
    const { ctx, config } = setup()
    insertSample(ctx.db())
    await quiet(() => databaseResetTables(ctx, { tables: ['stats', 'trends'], backup: true }))
    expect(count(ctx, 'stats')).toBe(0)
    expect(count(ctx, 'trends')).toBe(0)
    expect(count(ctx, 'torrents')).toBe(3)
    expect(readdirSync(config.sqlite.backup_dir)).toHaveLength(1)
    await expect(databaseResetTables(ctx, { tables: ['stat'], backup: false })).rejects.toThrow(/unknown table stat/)
  })
})

describe('export / import', () => {
  it('export → import into an empty DB → export gives the same lines', async () => {
    const a = setup()
    insertSample(a.ctx.db())
    const file = join(a.d.dir, 'export.ndjson')
    await quiet(() => databaseExport(a.ctx, file, { append: false }))
    const first = readFileSync(file, 'utf8')
    expect(first.split('\n')[0]).toMatch(/^\{"format":"mediastrends-ndjson","version":1,/)
    expect(first).toContain('["stats",1,1767225600,1,10,5,null]')

    const b = setup()
    const counts = await importNdjson(b.ctx.db(), file)
    expect(counts).toMatchObject({ inserted: 3 + 2 + 1 + 1 + 3 + 6 + 12 + 3 + 3 + 1 + 1 + 2 + 0 + 0, updated: 0 })
    expect([...exportLines(b.ctx.db())].join('\n')).toBe([...exportLines(a.ctx.db())].join('\n'))
    expect(dumpAll(b.ctx.db(), TABLES)).toEqual(dumpAll(a.ctx.db(), TABLES))

    // Importing twice adds nothing.
    const again = await importNdjson(b.ctx.db(), file)
    expect(again.inserted).toBe(0)
    expect(again.updated).toBe(0)
    expect(dumpAll(b.ctx.db(), TABLES)).toEqual(dumpAll(a.ctx.db(), TABLES))
  })

  it('--append writes only new or changed rows, and a later line wins on import', async () => {
    const a = setup()
    insertSample(a.ctx.db())
    const file = join(a.d.dir, 'export.ndjson')
    await quiet(() => databaseExport(a.ctx, file, { append: true }))
    const before = readFileSync(file, 'utf8').split('\n').filter(Boolean).length
    const out = await quiet(() => databaseExport(a.ctx, file, { append: true }))
    expect(out).toContain('exported 0 rows')
    expect(readFileSync(file, 'utf8').split('\n').filter(Boolean).length).toBe(before)

    a.ctx.db().$client.prepare("UPDATE torrents SET status = 'unfollow' WHERE id = 1").run()
    a.ctx
      .db()
      .$client.prepare("INSERT INTO status_history (torrent_id, time, status) VALUES (1, 1767312000, 'unfollow')")
      .run()
    await quiet(() => databaseExport(a.ctx, file, { append: true }))
    const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean)
    expect(lines.length).toBe(before + 3) // header + changed torrent + new history row

    const b = setup()
    await importNdjson(b.ctx.db(), file)
    expect(dumpAll(b.ctx.db(), TABLES)).toEqual(dumpAll(a.ctx.db(), TABLES))
  })

  it('remaps ids that are taken in the target database', async () => {
    const a = setup()
    insertSample(a.ctx.db(), { hashPrefix: 'a' })
    const file = join(a.d.dir, 'export.ndjson')
    await quiet(() => databaseExport(a.ctx, file, { append: false }))
    const b = setup()
    insertSample(b.ctx.db(), { hashPrefix: 'b' }) // same ids, other torrents; same tracker names
    await quiet(() => databaseImport(b.ctx, file))
    expect(count(b.ctx, 'torrents')).toBe(6)
    expect(count(b.ctx, 'trackers')).toBe(2)
    const row = b.ctx
      .db()
      .$client.prepare(
        `SELECT t.info_hash, count(*) n, sum(s.seeders) s FROM stats s JOIN torrents t ON t.id = s.torrent_id
         WHERE t.info_hash LIKE 'a%' GROUP BY t.info_hash ORDER BY t.info_hash`,
      )
      .all()
    expect(row).toEqual([
      { info_hash: `a${'0'.repeat(38)}1`, n: 4, s: 10 * 4 + 6 },
      { info_hash: `a${'0'.repeat(38)}2`, n: 4, s: 20 * 4 + 6 },
      { info_hash: `a${'0'.repeat(38)}3`, n: 4, s: 30 * 4 + 6 },
    ])
  })

  it('refuses a file that is not an export, naming file and line', async () => {
    const a = setup()
    const file = join(a.d.dir, 'bad.ndjson')
    writeFileSync(file, '{"hello":1}\n')
    await expect(importNdjson(a.ctx.db(), file)).rejects.toThrow(`${file}:1: not a mediastrends-ndjson file`)
    writeFileSync(file, `${[...exportLines(a.ctx.db())][0]}\n["nope",1]\n`)
    await expect(importNdjson(a.ctx.db(), file)).rejects.toThrow(`${file}:2: unknown table "nope"`)
  })
})

describe('export --append keeps the latest state of every row', () => {
  it('a row that changes back to an earlier value is written again, and import restores it', async () => {
    const a = setup()
    insertSample(a.ctx.db())
    const file = join(a.d.dir, 'export.ndjson')
    const netloc = (v: string) => a.ctx.db().$client.prepare("UPDATE trackers SET netloc = ? WHERE name = 'ygg'").run(v)
    await quiet(() => databaseExport(a.ctx, file, { append: true }))
    netloc('b.example:1')
    await quiet(() => databaseExport(a.ctx, file, { append: true }))
    netloc('ygg.example:8080') // back to the first value
    const out = await quiet(() => databaseExport(a.ctx, file, { append: true }))
    expect(out).toContain('exported 1 rows')
    const b = setup()
    await importNdjson(b.ctx.db(), file)
    expect(b.ctx.db().$client.prepare("SELECT netloc FROM trackers WHERE name = 'ygg'").get()).toEqual({
      netloc: 'ygg.example:8080',
    })
  })
})

describe('schema migrations', () => {
  it('a database from an older schema is migrated on open, its rows kept', async () => {
    const { cpSync, mkdtempSync: mk, rmSync: rm, readFileSync: read, writeFileSync: write } = await import('node:fs')
    const { tmpdir } = await import('node:os')
    const Database = (await import('better-sqlite3')).default
    const { drizzle } = await import('drizzle-orm/better-sqlite3')
    const { migrate } = await import('drizzle-orm/better-sqlite3/migrator')
    const { MIGRATIONS_DIR } = await import('../../pipeline/db/client.ts')
    // The first schema only: a copy of the migrations folder whose journal stops at 0000.
    const old = mk(join(tmpdir(), 'ms-migrations-'))
    try {
      cpSync(MIGRATIONS_DIR, old, { recursive: true })
      const journalFile = join(old, 'meta', '_journal.json')
      const journal = JSON.parse(read(journalFile, 'utf8')) as { entries: unknown[] }
      expect(journal.entries.length).toBeGreaterThan(1)
      journal.entries = journal.entries.slice(0, 1)
      write(journalFile, JSON.stringify(journal))
      const { config } = setup()
      const { mkdirSync } = await import('node:fs')
      const { dirname } = await import('node:path')
      mkdirSync(dirname(config.sqlite.path), { recursive: true })
      const sqlite = new Database(config.sqlite.path)
      migrate(drizzle(sqlite), { migrationsFolder: old })
      const cols = (t: InstanceType<typeof Database>) =>
        (t.prepare('PRAGMA table_info(imdb_titles)').all() as { name: string }[]).map((c) => c.name)
      expect(cols(sqlite)).not.toContain('norm_original')
      sqlite.close()
      const db0 = openDb(config.sqlite.path, { migrate: false })
      insertSample(db0)
      closeDb(db0)

      const db = openDb(config.sqlite.path) // applies what is missing
      expect(cols(db.$client)).toContain('norm_original')
      expect((db.$client.prepare('SELECT count(*) n FROM stats').get() as { n: number }).n).toBe(12)
      closeDb(db)
    } finally {
      rm(old, { recursive: true, force: true })
    }
  })
})

describe('exports are published: no secret in them', () => {
  it('a private tracker passkey from trackers.yaml is redacted from the export and from log lines', async () => {
    const d = makeConfigDir({
      trackers: { priv: { scheme: 'https', netloc: 'tracker.example:443', path: '/a1b2c3d4e5f6a7b8c9d0/announce' } },
    })
    dirs.push(d)
    const config = d.load()
    const ctx = makeContext({ clock: fixedClock(new Date('2026-02-01T00:00:00Z')), loadConfig: () => config })
    ctxs.push(ctx)
    ctx
      .db()
      .$client.prepare(
        "INSERT INTO trackers (name, scheme, netloc, path) VALUES ('priv', 'https', 'tracker.example:443', ?)",
      )
      .run('/a1b2c3d4e5f6a7b8c9d0/announce')
    const lines = [...exportLines(ctx.db())].join('\n')
    expect(lines).toContain('["trackers",1,"priv","https","tracker.example:443","/***/announce"]')
    expect(lines).not.toContain('a1b2c3d4e5f6a7b8c9d0')
    const { redact } = await import('../../pipeline/core/log.ts')
    expect(redact('tracker priv (https://tracker.example/a1b2c3d4e5f6a7b8c9d0/announce) answered nothing')).toBe(
      'tracker priv (https://tracker.example/***/announce) answered nothing',
    )
  })
})

describe('compressed exports (FILE.ndjson.gz)', () => {
  it('appends one gzip member per change, keeps the old bytes as a prefix, and imports like the plain file', async () => {
    const a = setup()
    insertSample(a.ctx.db())
    const gz = join(a.d.dir, 'export.ndjson.gz')
    await quiet(() => databaseExport(a.ctx, gz, { append: true }))
    const first = readFileSync(gz)
    expect(first[0]).toBe(0x1f) // gzip magic
    expect(await quiet(() => databaseExport(a.ctx, gz, { append: true }))).toContain('exported 0 rows')
    expect(readFileSync(gz).equals(first)).toBe(true) // nothing new: not a byte more

    a.ctx.db().$client.prepare("UPDATE torrents SET status = 'unfollow' WHERE id = 2").run()
    expect(await quiet(() => databaseExport(a.ctx, gz, { append: true }))).toContain('exported 1 rows')
    const second = readFileSync(gz)
    expect(second.subarray(0, first.length).equals(first)).toBe(true) // append-only

    const plain = join(a.d.dir, 'export.ndjson')
    await quiet(() => databaseExport(a.ctx, plain, { append: false }))
    expect(second.length).toBeLessThan(readFileSync(plain).length)
    const b = setup()
    await importNdjson(b.ctx.db(), gz)
    expect(dumpAll(b.ctx.db(), TABLES)).toEqual(dumpAll(a.ctx.db(), TABLES))
  })
})
