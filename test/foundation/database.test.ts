import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
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
import { EXPORT_TABLES, exportLines, exportNdjson, importNdjson } from '../../pipeline/db/ndjson.ts'

const rowsOf = (text: string, table: string) => text.split('\n').filter((l) => l.startsWith(`["${table}",`)).length

import { TABLES as ALL_TABLES } from '../../schema/tables.ts'
import { makeConfigDir, type TestConfigDir } from '../helpers/config.ts'
import { dumpAll, insertSample } from '../helpers/sample-data.ts'

const TABLES = EXPORT_TABLES.map((t) => t.name)
let dirs: TestConfigDir[] = []
let ctxs: Context[] = []
afterEach(() => {
  vi.restoreAllMocks()
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
    expect(out).toContain(`database ready: ${config.sqlite.path} (${Object.keys(ALL_TABLES).length} tables)`)
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
    expect(first.split('\n')[0]).toMatch(/^\{"format":"mediastrends-ndjson","version":2,/)
    // Natural keys, never local ids: the torrent by its info hash, the tracker by its name.
    expect(first).toContain(`["stats","a${'0'.repeat(38)}1",1767225600,"ygg",10,5,null]`)
    expect(first).not.toMatch(/\["torrents",1,/)

    const b = setup()
    const counts = await importNdjson(b.ctx.db(), file)
    expect(counts).toMatchObject({ imported: 3 + 2 + 1 + 1 + 3 + 6 + 12 + 3 + 3 + 1 + 1 + 2 + 0 + 0, bad: 0 })
    expect([...exportLines(b.ctx.db())].join('\n')).toBe([...exportLines(a.ctx.db())].join('\n'))
    expect(dumpAll(b.ctx.db(), TABLES)).toEqual(dumpAll(a.ctx.db(), TABLES))

    // Importing twice adds nothing.
    const again = await importNdjson(b.ctx.db(), file)
    expect(again.imported).toBe(0)
    expect(again.unchanged).toBe(counts.imported)
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
    await quiet(() => databaseImport(b.ctx, [file]))
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

  it('skips what is not an export, naming file and line, and imports the rest', async () => {
    const a = setup()
    const file = join(a.d.dir, 'bad.ndjson')
    writeFileSync(file, '{"hello":1}\n')
    const notExport = await importNdjson(a.ctx.db(), file)
    expect(notExport.problems).toEqual([{ file, line: 0, message: 'line 1: not a mediastrends-ndjson file' }])
    expect(notExport.damaged).toEqual([file])
    const b = setup()
    insertSample(b.ctx.db())
    const good = [...exportLines(b.ctx.db())]
    const trackerLine = good.find((l) => l.startsWith('["trackers",'))
    writeFileSync(
      file,
      `${good[0]}\n["nope",1]\n${trackerLine}\n["stats",oops]\n["stats","${'f'.repeat(40)}",1,"ygg",1,1,1]\n`,
    )
    const counts = await importNdjson(a.ctx.db(), file)
    expect(counts).toMatchObject({ lines: 4, imported: 1, bad: 3 }) // the trackers line, and not the others
    expect(counts.problems).toEqual([
      { file, line: 2, message: 'unknown table "nope"' },
      { file, line: 4, message: 'not a JSON array line' },
      { file, line: 5, message: 'stats.torrent_id: no torrents row with that key' },
    ])
    expect(count(a.ctx, 'trackers')).toBe(1)
    // The CLI: every problem once, by file and line, and exit 1 (the rest was imported).
    const out = await quiet(() => databaseImport(a.ctx, [file]))
    expect(out).toContain('3 bad line(s) skipped')
  })

  it('wide rows (torrents, media: parsed in JavaScript) come back with the same values and SQLite types', async () => {
    const a = setup()
    a.ctx.db().$client.exec(`
      INSERT INTO torrents (info_hash, name, pub_date, size, status, category, feed_category, indexer, tmdb_id,
        added_at, parsed_year, parsed, group_keys)
      VALUES ('${'e'.repeat(40)}', 'Name "quoted" \\ é', 1767225600, 9007199254740991, 'follow', 'movies', 2040, 'ygg', 42,
        1767225601, 2026, '{"title":"name","year":2026}', '["name 2026"]');
      INSERT INTO media (kind, key, title, year, rating, votes, updated_at) VALUES ('movie', 'name 2026', 'Name', 2026, 7.5, 10, 1);
      INSERT INTO media (kind, key, title, year, rating, updated_at) VALUES ('movie', 'other 2026', 'Other', 2026, 8.0, 2);`)
    const file = join(a.d.dir, 'wide.ndjson')
    await quiet(() => databaseExport(a.ctx, file, { append: false }))
    const b = setup()
    const counts = await importNdjson(b.ctx.db(), file)
    expect(counts).toMatchObject({ imported: 3, bad: 0 })
    const typed = (ctx: Context, table: string) => {
      const cols = (ctx.db().$client.pragma(`table_info(${table})`) as { name: string }[])
        .map((c) => c.name)
        .filter((c) => c !== 'id')
      const sql = `SELECT ${cols.map((c) => `"${c}", typeof("${c}") AS "${c}:type"`).join(', ')} FROM ${table} ORDER BY 1, 2`
      return ctx.db().$client.prepare(sql).all()
    }
    for (const table of ['torrents', 'media']) expect(typed(b.ctx, table)).toEqual(typed(a.ctx, table))
    // Importing again changes nothing.
    expect(await importNdjson(b.ctx.db(), file)).toMatchObject({ imported: 0, unchanged: 3 })
  })

  it('rows with references (stats, media ranks) come back exact, and a fresh import leaves every index in place', async () => {
    const a = setup()
    insertSample(a.ctx.db())
    a.ctx.db().$client.exec(`
      INSERT INTO media (kind, key, title, year, updated_at) VALUES ('movie', 'name 2026', 'Name', 2026, 1);
      INSERT INTO media_trends (media_id, time, engine, score, rank, torrents)
        SELECT id, 1767225600, 'nowcast', 12.0, 1, 3 FROM media WHERE key = 'name 2026';
      INSERT INTO media_activity (media_id, day, seeders, leechers, peers, downloads)
        SELECT id, 1767225600, 5, 6, 11, NULL FROM media WHERE key = 'name 2026';`)
    const file = join(a.d.dir, 'refs.ndjson')
    await quiet(() => databaseExport(a.ctx, file, { append: false }))
    const b = setup()
    const indexes = () =>
      b.ctx
        .db()
        .$client.prepare("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name")
        .all()
    const before = indexes()
    const counts = await importNdjson(b.ctx.db(), file)
    expect(counts.bad).toBe(0)
    expect(indexes()).toEqual(before) // dropped for the load into empty tables, built again after it
    const rows = (ctx: Context, sql: string) => ctx.db().$client.prepare(sql).all()
    const byKeys = {
      stats:
        'SELECT t.info_hash, s.time, k.name, s.seeders, s.leechers, s.completed, typeof(s.completed) ct FROM stats s ' +
        'JOIN torrents t ON t.id = s.torrent_id JOIN trackers k ON k.id = s.tracker_id ORDER BY 1, 2, 3',
      media_trends:
        'SELECT m.key, x.time, x.engine, x.score, typeof(x.score) st, x.rank, typeof(x.rank) rt FROM media_trends x ' +
        'JOIN media m ON m.id = x.media_id ORDER BY 1, 2',
      media_activity:
        'SELECT m.key, x.day, x.peers, x.downloads, typeof(x.downloads) dt FROM media_activity x JOIN media m ON m.id = x.media_id',
    }
    for (const sql of Object.values(byKeys)) {
      expect(rows(b.ctx, sql).length).toBeGreaterThan(0)
      expect(rows(b.ctx, sql)).toEqual(rows(a.ctx, sql))
    }
    expect(await importNdjson(b.ctx.db(), file)).toMatchObject({ imported: 0, bad: 0 })
  })

  it('a version 1 line whose parent id is neither in the file nor in the database is skipped, by file and line', async () => {
    const a = setup()
    const file = join(a.d.dir, 'v1.ndjson')
    const head = {
      format: 'mediastrends-ndjson',
      version: 1,
      columns: {
        trackers: ['id', 'name', 'scheme', 'netloc', 'path', 'active'],
        torrent_trackers: ['torrent_id', 'tracker_id'],
      },
    }
    writeFileSync(file, `${JSON.stringify(head)}\n["trackers",7,"ygg","udp","ygg:1","",1]\n["torrent_trackers",99,7]\n`)
    const counts = await importNdjson(a.ctx.db(), file)
    expect(counts).toMatchObject({ imported: 1, bad: 1 })
    expect(counts.problems).toEqual([
      { file, line: 3, message: 'torrent_trackers.torrent_id: no torrents row with id 99' },
    ])
    expect(count(a.ctx, 'torrent_trackers')).toBe(0)
    expect(a.ctx.db().$client.pragma('foreign_keys', { simple: true })).toBe(1)
  })

  it('a truncated last gzip member keeps the rows before it', async () => {
    const a = setup()
    insertSample(a.ctx.db())
    const gz = join(a.d.dir, 'cut.ndjson.gz')
    await quiet(() => databaseExport(a.ctx, gz, { append: true }))
    const whole = readFileSync(gz)
    a.ctx.db().$client.prepare("UPDATE torrents SET status = 'unfollow' WHERE id = 2").run()
    await quiet(() => databaseExport(a.ctx, gz, { append: true }))
    const both = readFileSync(gz)
    writeFileSync(gz, both.subarray(0, whole.length + Math.floor((both.length - whole.length) / 2))) // kill -9 mid-append
    const b = setup()
    const counts = await importNdjson(b.ctx.db(), gz)
    expect(counts.damaged).toEqual([gz])
    expect(counts.problems.at(-1)?.message).toMatch(/after line \d+: the lines before it were imported/)
    expect(count(b.ctx, 'stats')).toBe(count(a.ctx, 'stats'))
    expect(count(b.ctx, 'torrents')).toBe(3)
  })

  it('an export taken while another connection writes is consistent (one read transaction)', async () => {
    const a = setup()
    insertSample(a.ctx.db())
    const writer = openDb(a.config.sqlite.path)
    try {
      const file = join(a.d.dir, 'during.ndjson')
      // Between the export's first table and its last, a new torrent with links and stats lands.
      let wrote = false
      const hash = 'e'.repeat(40)
      await exportNdjson(a.ctx.db(), file, {
        onTable: (name) => {
          if (name !== 'torrent_trackers' || wrote) return
          wrote = true
          writer.$client.exec(`INSERT INTO torrents (info_hash, name, pub_date, added_at) VALUES ('${hash}', 'x', 1, 1);
            INSERT INTO torrent_trackers SELECT (SELECT id FROM torrents WHERE info_hash = '${hash}'), id FROM trackers;
            INSERT INTO stats SELECT (SELECT id FROM torrents WHERE info_hash = '${hash}'), 1767225600, id, 1, 1, 1 FROM trackers;`)
        },
      })
      expect(wrote).toBe(true)
      const text = readFileSync(file, 'utf8')
      expect(text).not.toContain(hash)
      expect(count(a.ctx, 'stats')).toBeGreaterThan(rowsOf(text, 'stats'))
      const b = setup()
      const counts = await importNdjson(b.ctx.db(), file)
      expect(counts.bad).toBe(0)
    } finally {
      closeDb(writer)
    }
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

describe('migration 0002 (the runs key)', () => {
  it('tells apart rows that already share the new key, a second apart, and keeps every row', async () => {
    const {
      cpSync,
      mkdtempSync: mk,
      mkdirSync,
      rmSync: rm,
      readFileSync: read,
      writeFileSync: write,
    } = await import('node:fs')
    const { tmpdir } = await import('node:os')
    const { dirname } = await import('node:path')
    const Database = (await import('better-sqlite3')).default
    const { drizzle } = await import('drizzle-orm/better-sqlite3')
    const { migrate } = await import('drizzle-orm/better-sqlite3/migrator')
    const { MIGRATIONS_DIR } = await import('../../pipeline/db/client.ts')
    const old = mk(join(tmpdir(), 'ms-migrations-'))
    try {
      cpSync(MIGRATIONS_DIR, old, { recursive: true })
      const journalFile = join(old, 'meta', '_journal.json')
      const journal = JSON.parse(read(journalFile, 'utf8')) as { entries: { tag: string }[] }
      journal.entries = journal.entries.filter((e) => e.tag < '0002')
      write(journalFile, JSON.stringify(journal))
      const { config } = setup()
      mkdirSync(dirname(config.sqlite.path), { recursive: true })
      const sqlite = new Database(config.sqlite.path)
      migrate(drizzle(sqlite), { migrationsFolder: old })
      const ins = sqlite.prepare(
        "INSERT INTO runs (step, target, clock, started_at, status) VALUES (@step, @target, 5, 100, 'ok')",
      )
      for (const [step, target] of [
        ['torrents add', 'a/movies'],
        ['torrents add', 'a/movies'],
        ['torrents add', 'a/movies'],
        ['torrents add', 'b/movies'],
        ['run', null],
        ['run', null],
      ])
        ins.run({ step, target })
      sqlite.close()
      const db = openDb(config.sqlite.path)
      expect(db.$client.prepare('SELECT id, target, started_at FROM runs ORDER BY id').raw().all()).toEqual([
        [1, 'a/movies', 100],
        [2, 'a/movies', 101],
        [3, 'a/movies', 102],
        [4, 'b/movies', 100],
        [5, null, 100],
        [6, null, 100],
      ])
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
    expect(lines).toContain('["trackers","priv","https","tracker.example:443","/***/announce"]')
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

describe('the runs table', () => {
  it('a step started again for the same target in the same second at the same clock gets its own row, a second later', async () => {
    const { startRun, endRun } = await import('../../pipeline/db/runs.ts')
    const { ctx } = setup()
    const db = ctx.db()
    vi.spyOn(Date, 'now').mockReturnValue(1_770_000_000_500)
    const first = startRun(db, 'torrents add', 'ygg/movies', 1_767_225_600)
    endRun(db, first, { counts: { kept: 3 }, errors: ['one'], ok: false })
    const again = startRun(db, 'torrents add', 'ygg/movies', 1_767_225_600)
    const third = startRun(db, 'torrents add', 'ygg/movies', 1_767_225_600)
    const other = startRun(db, 'torrents add', 'ygg/series', 1_767_225_600)
    const rows = db.$client.prepare('SELECT id, target, started_at, status, counts FROM runs ORDER BY id').all()
    expect(rows).toEqual([
      { id: first, target: 'ygg/movies', started_at: 1_770_000_000, status: 'failed', counts: '{"kept":3}' },
      { id: again, target: 'ygg/movies', started_at: 1_770_000_001, status: 'running', counts: null },
      { id: third, target: 'ygg/movies', started_at: 1_770_000_002, status: 'running', counts: null },
      { id: other, target: 'ygg/series', started_at: 1_770_000_000, status: 'running', counts: null },
    ])
    // No target: no key clash (NULLs differ), the wall clock as it is.
    const a = startRun(db, 'run', null, 1_767_225_600)
    const b = startRun(db, 'run', null, 1_767_225_600)
    expect(db.$client.prepare('SELECT started_at FROM runs WHERE id IN (?, ?)').pluck().all(a, b)).toEqual([
      1_770_000_000, 1_770_000_000,
    ])
  })
})
