/**
 * `database export FILE.ndjson` / `database import FILE.ndjson`: the line-per-row format that also
 * carries the data between scheduled CI runs (on the `data` branch).
 *
 * Format (documented in ARCHITECTURE.md):
 *   line 1 (and again at the top of every appended chunk):
 *     {"format":"mediastrends-ndjson","version":1,"columns":{"trackers":["id","name",...],...}}
 *   every other line is one row, its table first, then the values in that table's column order:
 *     ["stats",12,1764000000,1,40,3,118]
 * Raw SQLite values are written (JSON columns stay strings), so export → import → export gives the
 * same lines. Import is an upsert by each table's natural key (info hash, tracker name, ...), so
 * importing twice adds nothing and a later line for the same key wins (a status change, say).
 * Integer ids are kept when free and remapped otherwise, and child rows follow the remap.
 * Tables, columns, natural keys and id references all come from schema/tables.ts (TABLES, less
 * NOT_EXPORTED: `imdb_titles`, re-imported from IMDb's dataset files): a new column needs nothing here.
 */

import { createHash } from 'node:crypto'
import { once } from 'node:events'
import { createWriteStream, existsSync, statSync } from 'node:fs'
import { createGzip } from 'node:zlib'
import { is } from 'drizzle-orm'
import { getTableConfig, SQLiteColumn, type SQLiteTable } from 'drizzle-orm/sqlite-core'
import { NOT_EXPORTED, TABLES } from '../../schema/tables.ts'
import { UserError } from '../core/errors.ts'
import { readLines } from '../core/lines.ts'
import { redact } from '../core/log.ts'
import type { Db } from './client.ts'

export const FORMAT = 'mediastrends-ndjson'
export const VERSION = 1

/** How a table is exported and imported: all of it read from its declaration in schema/tables.ts. */
export interface TableSpec {
  name: string
  /** Its columns (SQL names), in declaration order: the order of the values on a row line. */
  columns: string[]
  /** Columns that identify a row across databases: the primary key, unless it is the own id; else the first unique column or index. */
  key: string[]
  /** Has its own integer id (a one-column integer primary key), remapped on import when taken. */
  id: boolean
  /** column → the table whose ids it references (its foreign keys). */
  refs: Record<string, string>
  /** Export order of the rows: the id, else the key. */
  order: string[]
}

const names = (cols: readonly unknown[], table: string): string[] =>
  cols.map((c) => {
    if (!is(c, SQLiteColumn)) throw new Error(`${table}: an index on an expression cannot be a natural key`)
    return c.name
  })

/** The export spec of one table, from its drizzle declaration. */
export function tableSpec(table: SQLiteTable): TableSpec {
  const cfg = getTableConfig(table)
  const columns = cfg.columns.map((c) => c.name)
  const refs: Record<string, string> = {}
  for (const fk of cfg.foreignKeys) {
    const r = fk.reference()
    const [col, ...more] = names(r.columns, cfg.name)
    if (!col || more.length) throw new Error(`${cfg.name}: only one-column foreign keys are exported`)
    refs[col] = getTableConfig(r.foreignTable).name
  }
  const ownPk = cfg.columns.filter((c) => c.primary)
  const pk = cfg.primaryKeys[0] ? names(cfg.primaryKeys[0].columns, cfg.name) : ownPk.map((c) => c.name)
  const id = ownPk.length === 1 && ownPk[0]?.getSQLType() === 'integer' && !(ownPk[0].name in refs)
  const uniques = [
    ...cfg.columns.filter((c) => c.isUnique).map((c) => [c.name]),
    ...cfg.uniqueConstraints.map((u) => names(u.columns, cfg.name)),
    ...cfg.indexes.filter((i) => i.config.unique).map((i) => names(i.config.columns, cfg.name)),
  ]
  const key = id || pk.length === 0 ? uniques[0] : pk
  if (!key) throw new Error(`${cfg.name}: no natural key to export by (declare a primary key or a unique index)`)
  return { name: cfg.name, columns, key, id, refs, order: id ? ['id'] : key }
}

/**
 * The exported tables, parents before children: those with their own ids first (every id
 * reference points to one of them), then the others, each in the order of TABLES.
 */
export const EXPORT_TABLES: TableSpec[] = (() => {
  const specs = Object.entries(TABLES)
    .filter(([name]) => !(NOT_EXPORTED as readonly string[]).includes(name))
    .map(([, t]) => tableSpec(t))
  const ordered = [...specs.filter((t) => t.id), ...specs.filter((t) => !t.id)]
  ordered.forEach((t, i) => {
    for (const [col, parent] of Object.entries(t.refs)) {
      const p = ordered.findIndex((x) => x.name === parent)
      if (p < 0 || p >= i) throw new Error(`${t.name}.${col}: references ${parent}, which is not exported before it`)
    }
  })
  return ordered
})()
const SPECS = new Map(EXPORT_TABLES.map((t) => [t.name, t]))

const q = (name: string) => `"${name.replace(/"/g, '""')}"`

export function header(): string {
  const columns = Object.fromEntries(EXPORT_TABLES.map((t) => [t.name, t.columns]))
  return JSON.stringify({ format: FORMAT, version: VERSION, columns })
}

/**
 * Every row as its NDJSON line, header first. Secrets (tracker passkeys…) are redacted: exports get
 * published. Raw SQLite values (JSON columns stay strings), hence better-sqlite3 rather than
 * drizzle's mapped rows.
 */
export function* exportLines(db: Db): Generator<string> {
  yield header()
  for (const t of EXPORT_TABLES) {
    const stmt = db.$client
      .prepare(`SELECT ${t.columns.map(q).join(', ')} FROM ${q(t.name)} ORDER BY ${t.order.map(q).join(', ')}`)
      .raw(true)
    for (const row of stmt.iterate() as Iterable<unknown[]>) yield redact(JSON.stringify([t.name, ...row]))
  }
}

/** The natural key of a row line, given the columns of the header in force. */
function rowKey(row: unknown[], columns: Record<string, string[]>): string | undefined {
  const [table, ...values] = row
  const spec = SPECS.get(String(table))
  const cols = columns[String(table)]
  if (!spec || !cols) return undefined
  return JSON.stringify([table, ...spec.key.map((k) => values[cols.indexOf(k)] ?? null)])
}

/** A file ending in .gz is a series of gzip members: each append adds one, so the prefix never changes. */
export const isGzip = (file: string): boolean => file.endsWith('.gz')

/** A short fingerprint: the dedupe map of a large export holds these, not whole lines. */
const fingerprint = (text: string): string => createHash('sha1').update(text).digest('base64').slice(0, 12)

/** Fingerprint of the key → fingerprint of the last line written for it, over the whole file. */
async function latestLines(file: string): Promise<Map<string, string>> {
  const latest = new Map<string, string>()
  let columns: Record<string, string[]> = {}
  for await (const line of readLines(file)) {
    if (!line) continue
    if (line.startsWith('{')) {
      columns = (JSON.parse(line) as { columns?: Record<string, string[]> }).columns ?? {}
      continue
    }
    const key = rowKey(JSON.parse(line) as unknown[], columns)
    if (key) latest.set(fingerprint(key), fingerprint(line))
  }
  return latest
}

/**
 * Write the export (FILE.ndjson, or FILE.ndjson.gz compressed). With `append`, a row is written
 * only when the file's last line for its natural key differs (a new row, or a row that changed
 * since — even back to an earlier value), so a data branch only ever grows by what changed; a
 * header is written before the new lines (in a .gz file, the new lines form one more gzip member).
 */
export async function exportNdjson(db: Db, file: string, opts: { append?: boolean } = {}): Promise<{ rows: number }> {
  const latest =
    opts.append && existsSync(file) && statSync(file).size > 0 ? await latestLines(file) : new Map<string, string>()
  const head = header()
  const columns = (JSON.parse(head) as { columns: Record<string, string[]> }).columns
  const fileStream = createWriteStream(file, { flags: opts.append ? 'a' : 'w' })
  const gzip = isGzip(file) ? createGzip() : undefined
  gzip?.pipe(fileStream)
  const outStream = gzip ?? fileStream
  let rows = 0
  let wroteHeader = false
  for (const line of exportLines(db)) {
    if (line.startsWith('{')) continue
    if (latest.size) {
      const key = rowKey(JSON.parse(line) as unknown[], columns)
      if (key && latest.get(fingerprint(key)) === fingerprint(line)) continue
    }
    if (!wroteHeader) {
      if (!outStream.write(`${head}\n`)) await once(outStream, 'drain')
      wroteHeader = true
    }
    rows++
    if (!outStream.write(`${line}\n`)) await once(outStream, 'drain')
  }
  if (!opts.append && !wroteHeader) outStream.write(`${head}\n`)
  if (gzip && !wroteHeader && opts.append) {
    // Nothing new: add no (empty) gzip member, leave the file byte for byte as it was.
    gzip.unpipe(fileStream)
    gzip.destroy()
    fileStream.end()
  } else outStream.end()
  await once(fileStream, 'finish')
  return { rows }
}

export interface ImportCounts {
  lines: number
  inserted: number
  updated: number
  unchanged: number
}

/** Import (upsert) an export file; safe to run any number of times. */
export async function importNdjson(db: Db, file: string): Promise<ImportCounts> {
  if (!existsSync(file)) throw new UserError(`${file}: file not found`)
  const remap = new Map<string, Map<number, number>>(EXPORT_TABLES.map((t) => [t.name, new Map()]))
  let fileColumns: Record<string, string[]> | undefined
  const counts: ImportCounts = { lines: 0, inserted: 0, updated: 0, unchanged: 0 }
  const sqlite = db.$client
  // Statements built from the spec, by SQL text; named parameters are the column names. Raw
  // values on both sides (JSON columns stay strings), hence better-sqlite3, not drizzle's mapping.
  const stmtCache = new Map<string, ReturnType<typeof sqlite.prepare<[Record<string, unknown>]>>>()
  const prep = (sql: string) => {
    let s = stmtCache.get(sql)
    if (!s) {
      s = sqlite.prepare<[Record<string, unknown>]>(sql)
      stmtCache.set(sql, s)
    }
    return s
  }

  const importRow = (lineNo: number, arr: unknown[]) => {
    const [table, ...values] = arr
    const spec = SPECS.get(String(table))
    const cols = fileColumns?.[String(table)]
    if (!spec || !cols) throw new UserError(`${file}:${lineNo}: unknown table "${String(table)}"`)
    if (values.length !== cols.length) {
      throw new UserError(`${file}:${lineNo}: ${cols.length} values expected for ${spec.name}, got ${values.length}`)
    }
    // Columns this schema does not know (a newer export) are dropped.
    const row: Record<string, unknown> = {}
    cols.forEach((c, i) => {
      if (spec.columns.includes(c)) row[c] = values[i]
    })
    for (const [col, parent] of Object.entries(spec.refs)) {
      const mapped = remap.get(parent)?.get(Number(row[col]))
      if (mapped !== undefined) row[col] = mapped
    }
    for (const k of spec.key) row[k] ??= null
    const keyWhere = spec.key.map((k) => `${q(k)} IS @${k}`).join(' AND ')
    const names = Object.keys(row).filter((c) => !(spec.id && c === 'id'))
    const existing = prep(
      `SELECT ${spec.id ? 'id, ' : ''}${names.map(q).join(', ')} FROM ${q(spec.name)} WHERE ${keyWhere}`,
    ).get(row) as Record<string, unknown> | undefined
    if (existing) {
      if (spec.id) remap.get(spec.name)?.set(Number(row.id), Number(existing.id))
      const changed = names.filter((c) => existing[c] !== row[c])
      if (changed.length === 0) {
        counts.unchanged++
        return
      }
      prep(`UPDATE ${q(spec.name)} SET ${changed.map((c) => `${q(c)} = @${c}`).join(', ')} WHERE ${keyWhere}`).run(row)
      counts.updated++
      return
    }
    let insertCols = Object.keys(row)
    if (spec.id && prep(`SELECT 1 FROM ${q(spec.name)} WHERE id = @id`).get(row)) {
      insertCols = insertCols.filter((c) => c !== 'id')
    }
    const info = prep(
      `INSERT INTO ${q(spec.name)} (${insertCols.map(q).join(', ')}) VALUES (${insertCols.map((c) => `@${c}`).join(', ')})`,
    ).run(row)
    if (spec.id) remap.get(spec.name)?.set(Number(row.id), Number(info.lastInsertRowid))
    counts.inserted++
  }

  // One transaction for the whole file: an import that fails half-way leaves nothing behind.
  sqlite.exec('BEGIN IMMEDIATE')
  try {
    let lineNo = 0
    for await (const line of readLines(file)) {
      lineNo++
      if (!line.trim()) continue
      let parsed: unknown
      try {
        parsed = JSON.parse(line)
      } catch {
        throw new UserError(`${file}:${lineNo}: not a JSON line`)
      }
      if (!Array.isArray(parsed)) {
        const h = parsed as { format?: string; version?: number; columns?: Record<string, string[]> }
        if (h.format !== FORMAT) throw new UserError(`${file}:${lineNo}: not a ${FORMAT} file`)
        if ((h.version ?? 0) > VERSION) {
          throw new UserError(
            `${file}:${lineNo}: format version ${h.version} is newer than this mediastrends (${VERSION})`,
          )
        }
        fileColumns = h.columns
        continue
      }
      if (!fileColumns) throw new UserError(`${file}:${lineNo}: row before the header line`)
      counts.lines++
      importRow(lineNo, parsed)
    }
    sqlite.exec('COMMIT')
  } catch (err) {
    if (sqlite.inTransaction) sqlite.exec('ROLLBACK')
    throw err
  }
  return counts
}
