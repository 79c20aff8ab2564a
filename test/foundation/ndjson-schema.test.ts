/**
 * Export/import follow schema/tables.ts: the spec is derived from the drizzle declarations, and a
 * round trip carries every column of every exported table, filled from the schema alone — so a
 * column added to the schema (with its migration) needs no change in pipeline/db/ndjson.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { getTableConfig, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'
import { afterEach, describe, expect, it } from 'vitest'
import { closeDb, type Db, openDb } from '../../pipeline/db/client.ts'
import {
  EXPORT_TABLES,
  exportNdjson,
  header,
  importNdjson,
  type TableSpec,
  tableSpec,
} from '../../pipeline/db/ndjson.ts'
import { NOT_EXPORTED, TABLES, trackers } from '../../schema/tables.ts'
import { dumpAll } from '../helpers/sample-data.ts'

let cleanups: (() => void)[] = []
afterEach(() => {
  for (const c of cleanups.reverse()) c()
  cleanups = []
})
function tempDb(dir: string, name: string): Db {
  const db = openDb(join(dir, name))
  cleanups.push(() => closeDb(db))
  return db
}
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ms-ndjson-'))
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** One row per exported table, every column set (never null), its values chosen from the schema alone. */
function fillEveryColumn(db: Db, offset: number): void {
  const ids = new Map<string, number>()
  db.$client.transaction(() => {
    for (const spec of EXPORT_TABLES) {
      const table = TABLES[spec.name as keyof typeof TABLES]
      const row: Record<string, unknown> = {}
      getTableConfig(table).columns.forEach((c, i) => {
        const parent = spec.refs[c.name]
        if (parent) row[c.name] = ids.get(parent)
        else if (spec.id && c.name === 'id') row[c.name] = offset
        else if (c.enumValues?.length) row[c.name] = c.enumValues.at(-1)
        else if (c.getSQLType() === 'integer') row[c.name] = offset * 100 + i
        else if (c.getSQLType() === 'real') row[c.name] = offset + i / 4
        else if (c.dataType === 'json') row[c.name] = JSON.stringify([`${spec.name}.${c.name}`, offset])
        else row[c.name] = `${spec.name}.${c.name}#${offset}`
      })
      const cols = Object.keys(row)
      db.$client
        .prepare(
          `INSERT INTO "${spec.name}" (${cols.map((c) => `"${c}"`).join(', ')}) VALUES (${cols.map((c) => `@${c}`).join(', ')})`,
        )
        .run(row)
      if (spec.id) ids.set(spec.name, offset)
    }
  })()
}

const nullColumns = (db: Db, spec: TableSpec): string[] =>
  spec.columns.filter(
    (c) => (db.$client.prepare(`SELECT count(*) n FROM "${spec.name}" WHERE "${c}" IS NULL`).get() as { n: number }).n,
  )

describe('the export spec is derived from schema/tables.ts', () => {
  it('exports every table of TABLES but those NOT_EXPORTED, with the columns the schema and the migrations give', () => {
    const exported = EXPORT_TABLES.map((t) => t.name)
    expect(NOT_EXPORTED).toEqual(['imdb_titles', 'imdb_akas', 'site_settings', 'activity_state', 'save_dirty'])
    expect([...exported].sort()).toEqual(
      Object.keys(TABLES)
        .filter((t) => !(NOT_EXPORTED as readonly string[]).includes(t))
        .sort(),
    )
    const db = tempDb(tempDir(), 'a.db')
    for (const spec of EXPORT_TABLES) {
      const table = TABLES[spec.name as keyof typeof TABLES]
      expect(spec.columns).toEqual(getTableConfig(table).columns.map((c) => c.name))
      const inDb = (db.$client.prepare(`PRAGMA table_info("${spec.name}")`).all() as { name: string }[]).map(
        (c) => c.name,
      )
      expect([...inDb].sort()).toEqual([...spec.columns].sort())
    }
    expect(JSON.parse(header()).columns).toEqual(Object.fromEntries(EXPORT_TABLES.map((t) => [t.name, t.exported])))
    // Version 2: no own ids on the lines.
    expect(JSON.parse(header()).columns.torrents).not.toContain('id')
  })

  it('keys, ids and references come from primary keys, unique indexes and foreign keys', () => {
    const bySpec = Object.fromEntries(EXPORT_TABLES.map((t) => [t.name, t]))
    expect(bySpec.trackers).toMatchObject({ key: ['name'], id: true, refs: {}, order: ['id'] })
    expect(bySpec.media).toMatchObject({ key: ['kind', 'key'], id: true })
    expect(bySpec.runs).toMatchObject({ key: ['step', 'started_at', 'clock', 'target'], id: true })
    expect(bySpec.trends).toMatchObject({ key: ['torrent_id', 'time', 'engine'], id: false })
    expect(bySpec.torrent_media).toMatchObject({
      key: ['torrent_id'],
      id: false,
      refs: { torrent_id: 'torrents', media_id: 'media' },
    })
    // Parents before children.
    EXPORT_TABLES.forEach((t, i) => {
      for (const parent of Object.values(t.refs))
        expect(EXPORT_TABLES.findIndex((x) => x.name === parent)).toBeLessThan(i)
    })

    // A table declared anew: its spec follows the declaration, nothing else.
    const notes = sqliteTable(
      'notes',
      {
        id: integer('id').primaryKey(),
        slug: text('slug').notNull(),
        lang: text('lang').notNull(),
        trackerId: integer('tracker_id').references(() => trackers.id),
        body: text('body'),
      },
      (t) => [uniqueIndex('notes_uq').on(t.slug, t.lang)],
    )
    expect(tableSpec(notes)).toEqual({
      name: 'notes',
      columns: ['id', 'slug', 'lang', 'tracker_id', 'body'],
      exported: ['slug', 'lang', 'tracker_id', 'body'],
      notNull: ['id', 'slug', 'lang'],
      key: ['slug', 'lang'],
      id: true,
      refs: { tracker_id: 'trackers' },
      order: ['id'],
    })
    const tags = sqliteTable('tags', { a: text('a').notNull(), b: integer('b').notNull() }, (t) => [
      primaryKey({ columns: [t.b, t.a] }),
    ])
    expect(tableSpec(tags)).toMatchObject({ key: ['b', 'a'], id: false, order: ['b', 'a'] })
    expect(() => tableSpec(sqliteTable('loose', { a: text('a') }))).toThrow(/loose: no natural key/)
  })
})

describe('a round trip carries every column of every exported table', () => {
  it('export → import into an empty database → the same rows, no column lost', async () => {
    const dir = tempDir()
    const a = tempDb(dir, 'a.db')
    fillEveryColumn(a, 1)
    fillEveryColumn(a, 2)
    for (const spec of EXPORT_TABLES) expect(nullColumns(a, spec)).toEqual([])
    const file = join(dir, 'export.ndjson.gz')
    await exportNdjson(a, file)

    const b = tempDb(dir, 'b.db')
    const counts = await importNdjson(b, file)
    expect(counts).toMatchObject({ imported: 2 * EXPORT_TABLES.length, bad: 0 })
    const names = EXPORT_TABLES.map((t) => t.name)
    expect(dumpAll(b, names)).toEqual(dumpAll(a, names))
    for (const spec of EXPORT_TABLES) expect(nullColumns(b, spec)).toEqual([])

    // Every id taken in the target: rows land under new ids, every reference follows them.
    const c = tempDb(dir, 'c.db')
    fillEveryColumn(c, 1)
    fillEveryColumn(c, 2)
    c.$client.prepare('UPDATE trackers SET name = name || ?').run(' (other)')
    c.$client.prepare('UPDATE torrents SET info_hash = info_hash || ?').run(' (other)')
    c.$client.prepare('UPDATE media SET key = key || ?').run(' (other)')
    c.$client.prepare('UPDATE runs SET step = step || ?').run(' (other)')
    await importNdjson(c, file)
    const joined = c.$client
      .prepare(
        `SELECT t.info_hash, tr.name, count(*) n FROM stats s JOIN torrents t ON t.id = s.torrent_id
         JOIN trackers tr ON tr.id = s.tracker_id WHERE t.info_hash NOT LIKE '% (other)' GROUP BY t.id ORDER BY t.id`,
      )
      .all()
    expect(joined).toEqual([
      { info_hash: 'torrents.info_hash#1', name: 'trackers.name#1', n: 1 },
      { info_hash: 'torrents.info_hash#2', name: 'trackers.name#2', n: 1 },
    ])
  })
})
