/**
 * `database export FILE.ndjson` / `database import FILE.ndjson…`: the line-per-row format that also
 * carries the data between scheduled CI runs (the `data` branch, pipeline/db/partitions.ts).
 *
 * Format version 2 (documented in ARCHITECTURE.md):
 *   line 1 (and again at the top of every appended chunk or gzip member):
 *     {"format":"mediastrends-ndjson","version":2,"columns":{"stats":["torrent_id","time",...],...},
 *      "refs":{"stats":{"torrent_id":"torrents","tracker_id":"trackers"},...}}
 *   every other line is one row, its table first, then the values in that table's column order:
 *     ["stats","0123…cdef",1764000000,"ygg",40,3,118]
 * Rows carry natural keys only, never a database's own integer ids: a table's own `id` column is
 * not written, and a foreign key is written as its parent's natural key (a torrent by its info hash,
 * a tracker by its name, a movie by [kind, key]; an array when the key has several columns). So
 * any two exports merge exactly, whatever ids their databases gave the rows. Raw SQLite values are
 * written (JSON columns stay strings). Import is an upsert by each table's natural key, so importing
 * twice adds nothing and a later line for the same key wins (a status change, say).
 * Version 1 files (local ids, remapped on import) are still read.
 *
 * Import is tolerant: it reads every intact gzip member and line, skips the bad ones (not JSON,
 * wrong value count, unknown parent, constraint failed) and reports them by file and line; a
 * truncated last member keeps the rows before it.
 *
 * Tables, columns, natural keys and references all come from schema/tables.ts (TABLES, less
 * NOT_EXPORTED): a new column needs nothing here.
 */

import { createHash } from 'node:crypto'
import { once } from 'node:events'
import { createReadStream, createWriteStream, existsSync, rmSync, statSync, writeFileSync } from 'node:fs'
import type { Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createGzip, gzipSync } from 'node:zlib'
import { is } from 'drizzle-orm'
import { getTableConfig, SQLiteColumn, type SQLiteTable } from 'drizzle-orm/sqlite-core'
import { NOT_EXPORTED, TABLES } from '../../schema/tables.ts'
import { errorMessage, UserError } from '../core/errors.ts'
import { readLineBatches, readLines } from '../core/lines.ts'
import { redact } from '../core/log.ts'
import type { Db } from './client.ts'

export const FORMAT = 'mediastrends-ndjson'
export const VERSION = 2

/** How a table is exported and imported: all of it read from its declaration in schema/tables.ts. */
export interface TableSpec {
  name: string
  /** Its columns (SQL names), in declaration order (version 1 lines: all of them). */
  columns: string[]
  /** The columns written on a version 2 line: `columns` less its own id. */
  exported: string[]
  /** Columns that identify a row across databases: the primary key, unless it is the own id; else the first unique column or index. */
  key: string[]
  /** Has its own integer id (a one-column integer primary key), never exported in version 2. */
  id: boolean
  /** column → the table whose ids it references (its foreign keys). */
  refs: Record<string, string>
  /** Export order of the rows: the id, else the key. */
  order: string[]
  /** Columns declared NOT NULL. */
  notNull: string[]
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
  const notNull = cfg.columns.filter((c) => c.notNull || c.primary).map((c) => c.name)
  const exported = id ? columns.filter((c) => c !== 'id') : columns
  return { name: cfg.name, columns, exported, key, id, refs, order: id ? ['id'] : key, notNull }
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
      if (!ordered[p]?.id) throw new Error(`${t.name}.${col}: references ${parent}, which has no own id`)
    }
  })
  return ordered
})()
export const SPECS = new Map(EXPORT_TABLES.map((t) => [t.name, t]))
const spec = (name: string): TableSpec => {
  const s = SPECS.get(name)
  if (!s) throw new Error(`${name}: not an exported table`)
  return s
}

const q = (name: string) => `"${name.replace(/"/g, '""')}"`

/**
 * The header line. `counts` (optional; a data branch file of a growing table, partitions.ts):
 * table → time → how many of the file's rows have that time, so a save knows what a file holds
 * from its first line. Readers ignore fields they do not know.
 */
export function header(extra: { counts?: Record<string, Record<string, number>> } = {}): string {
  const columns = Object.fromEntries(EXPORT_TABLES.map((t) => [t.name, t.exported]))
  const refs = Object.fromEntries(EXPORT_TABLES.filter((t) => Object.keys(t.refs).length).map((t) => [t.name, t.refs]))
  return JSON.stringify({ format: FORMAT, version: VERSION, columns, refs, ...extra })
}

// ---------------------------------------------------------------------------------------------
// Export

/** SQL giving, per row of `t`, its time-like column (or null) and its version 2 line (json_array). */
function exportSql(t: TableSpec, opts: { timeColumn?: string; where?: string } = {}): string {
  const joins: string[] = []
  const values = t.exported.map((c) => {
    const parent = t.refs[c]
    if (!parent) return `t.${q(c)}`
    const alias = `p${joins.length}`
    joins.push(`JOIN ${q(parent)} ${alias} ON ${alias}.id = t.${q(c)}`)
    const pk = spec(parent).key
    return pk.length === 1
      ? `${alias}.${q(pk[0] as string)}`
      : `json_array(${pk.map((k) => `${alias}.${q(k)}`).join(', ')})`
  })
  const time = opts.timeColumn ? `t.${q(opts.timeColumn)}` : 'NULL'
  return `SELECT ${time}, json_array('${t.name}', ${values.join(', ')}) FROM ${q(t.name)} t ${joins.join(' ')}${
    opts.where ? ` WHERE ${opts.where}` : ''
  } ORDER BY ${t.order.map((c) => `t.${q(c)}`).join(', ')}`
}

/**
 * The lines of one table as [time, line] pairs (time: the value of `timeColumn`, when given),
 * streamed from SQLite (the statement's cursor: memory stays bounded). `since` keeps the rows
 * whose `timeColumn` is at least that.
 */
export function* tableLines(
  db: Db,
  table: string,
  /** `where`: an SQL condition on the table's row (alias `t`), ANDed with `since`. */
  opts: { timeColumn?: string; since?: number; where?: string } = {},
): Generator<[number | null, string]> {
  const t = spec(table)
  const stmt = db.$client.prepare(exportSql(t, { timeColumn: opts.timeColumn, where: rowsWhere(t, opts) })).raw(true)
  for (const [time, line] of stmt.iterate() as Iterable<[number | null, string]>) yield [time, redact(line)]
}

/** The WHERE of tableLines and timeCounts (alias `t`). */
function rowsWhere(t: TableSpec, opts: { timeColumn?: string; since?: number; where?: string }): string {
  const [first, second] = t.key
  const parent = first ? t.refs[first] : undefined
  return [
    opts.timeColumn && opts.since !== undefined ? `t.${q(opts.timeColumn)} >= ${Number(opts.since)}` : '',
    // A key (torrent_id, time, …): one range of the key per parent row, not a scan of the whole
    // table (a database that keeps years of stats reads only the days asked for).
    opts.timeColumn && (opts.since !== undefined || opts.where) && parent && second === opts.timeColumn
      ? `t.${q(first as string)} IN (SELECT id FROM ${q(parent)})`
      : '',
    opts.where ? `(${opts.where})` : '',
  ]
    .filter(Boolean)
    .join(' AND ')
}

/** How many rows of `table` have each value of `timeColumn` from `since` on (and `where`): time → rows. */
export function timeCounts(
  db: Db,
  table: string,
  opts: { timeColumn: string; since: number; where?: string },
): Map<number, number> {
  const t = spec(table)
  const sql = `SELECT t.${q(opts.timeColumn)}, COUNT(*) FROM ${q(t.name)} t WHERE ${rowsWhere(t, opts)} GROUP BY 1`
  return new Map(db.$client.prepare(sql).raw(true).all() as [number, number][])
}

/** Every row as its NDJSON line, header first (secrets redacted: exports get published). */
export function* exportLines(db: Db): Generator<string> {
  yield header()
  for (const t of EXPORT_TABLES) for (const [, line] of tableLines(db, t.name)) yield line
}

/**
 * Run `fn` inside one read transaction: every table is read from the same snapshot of the
 * database, even while another connection writes (WAL), so an export never holds a link to a row
 * it does not hold.
 */
export async function inReadTransaction<T>(db: Db, fn: () => Promise<T>): Promise<T> {
  const sqlite = db.$client
  if (sqlite.inTransaction) return fn()
  sqlite.exec('BEGIN')
  try {
    sqlite.prepare('SELECT count(*) FROM sqlite_master').get() // the snapshot starts at the first read
    return await fn()
  } finally {
    if (sqlite.inTransaction) sqlite.exec('COMMIT')
  }
}

/** A file ending in .gz is a series of gzip members: each append adds one, so the prefix never changes. */
export const isGzip = (file: string): boolean => file.endsWith('.gz')

/**
 * Lines to one file (gzip when the name ends in .gz), written in batches of ~1 MB: one write per
 * batch, waiting for the stream to drain, so memory stays bounded and the gzip stream sees big
 * chunks. `lastHeader` (a .gz file): the header line is only known once every row is written (it
 * counts them): the rows go to a temp file, and close() writes the header as the file's first
 * gzip member and the rows' member after it.
 */
export class LineWriter {
  readonly #file: Writable
  readonly #out: Writable
  readonly #body: string
  #batch: string[] = []
  #size = 0
  lines = 0

  constructor(
    readonly path: string,
    private readonly opts: { append?: boolean; lastHeader?: () => string } = {},
  ) {
    if (opts.lastHeader && (opts.append || !isGzip(path))) throw new Error(`${path}: lastHeader needs a new .gz file`)
    this.#body = opts.lastHeader ? `${path}.rows` : path
    this.#file = createWriteStream(this.#body, { flags: opts.append ? 'a' : 'w' })
    const gzip = isGzip(path) ? createGzip({ level: 6 }) : undefined
    if (gzip) gzip.pipe(this.#file)
    this.#out = gzip ?? this.#file
  }

  /** Buffer a line; returns a promise (to await) only when a batch went out. */
  write(line: string): Promise<void> | undefined {
    this.#batch.push(line)
    this.#size += line.length
    this.lines++
    return this.#size >= 1 << 20 ? this.#flush() : undefined
  }

  async #flush(): Promise<void> {
    if (!this.#batch.length) return
    const text = `${this.#batch.join('\n')}\n`
    this.#batch = []
    this.#size = 0
    if (!this.#out.write(text)) await once(this.#out, 'drain')
  }

  async close(): Promise<void> {
    await this.#flush()
    const done = once(this.#file, 'finish')
    this.#out.end()
    await done
    if (!this.opts.lastHeader) return
    writeFileSync(this.path, gzipSync(`${this.opts.lastHeader()}\n`))
    await pipeline(createReadStream(this.#body), createWriteStream(this.path, { flags: 'a' }))
    rmSync(this.#body)
  }
}

/** The natural key of a line, given the columns of the header in force (version 2 lines). */
function lineKey(row: unknown[], columns: Record<string, string[]>): string | undefined {
  const [table, ...values] = row
  const s = SPECS.get(String(table))
  const cols = columns[String(table)]
  if (!s || !cols) return undefined
  return JSON.stringify([table, ...s.key.map((k) => values[cols.indexOf(k)] ?? null)])
}

/** A short content fingerprint: the dedupe maps of large exports hold these, not whole lines. */
export const fingerprint = (text: string): string => createHash('sha1').update(text).digest('base64').slice(0, 16)

/**
 * Natural-key fingerprint → fingerprint of the last line written for it, over the whole file
 * (version 2 lines only: a version 1 line's key holds local ids, so it matches nothing).
 */
async function latestLines(file: string): Promise<Map<string, string>> {
  const latest = new Map<string, string>()
  let columns: Record<string, string[]> | undefined
  try {
    for await (const line of readLines(file)) {
      if (!line) continue
      let parsed: unknown
      try {
        parsed = JSON.parse(line)
      } catch {
        continue
      }
      if (!Array.isArray(parsed)) {
        const h = parsed as { version?: number; columns?: Record<string, string[]> }
        columns = h.version === VERSION ? h.columns : undefined
        continue
      }
      const key = columns && lineKey(parsed, columns)
      if (key) latest.set(fingerprint(key), fingerprint(line))
    }
  } catch {
    // A damaged tail: what was read stays known; the rows after it are written again.
  }
  return latest
}

/**
 * Write the export (FILE.ndjson, or FILE.ndjson.gz compressed), every table read in one read
 * transaction. With `append`, a row is written only when the file's last line for its natural key
 * differs (a new row, or a row that changed since — even back to an earlier value): the dedupe is
 * by content under natural keys, so rows another database exported are recognised whatever their
 * ids; a header is written before the new lines (in a .gz file, they form one more gzip member).
 */
export async function exportNdjson(
  db: Db,
  file: string,
  opts: { append?: boolean; onTable?: (table: string) => void } = {},
): Promise<{ rows: number }> {
  const latest =
    opts.append && existsSync(file) && statSync(file).size > 0 ? await latestLines(file) : new Map<string, string>()
  const head = header()
  const columns = (JSON.parse(head) as { columns: Record<string, string[]> }).columns
  let writer: LineWriter | undefined
  const open = () => {
    if (!writer) {
      writer = new LineWriter(file, { append: opts.append })
      writer.write(head)
    }
    return writer
  }
  if (!opts.append) open()
  let rows = 0
  await inReadTransaction(db, async () => {
    for (const t of EXPORT_TABLES) {
      opts.onTable?.(t.name)
      for (const [, line] of tableLines(db, t.name)) {
        if (latest.size) {
          const key = lineKey(JSON.parse(line) as unknown[], columns)
          if (key && latest.get(fingerprint(key)) === fingerprint(line)) continue
        }
        rows++
        const wait = open().write(line)
        if (wait) await wait
      }
    }
  })
  // Nothing new on an append: no (empty) member is added, the file stays byte for byte as it was.
  await (writer as LineWriter | undefined)?.close()
  return { rows }
}

// ---------------------------------------------------------------------------------------------
// Import

export interface ImportProblem {
  file: string
  /** 0: the file as a whole (unreadable, cut short). */
  line: number
  message: string
}

export interface ImportCounts {
  /** Row lines read. */
  lines: number
  /** Rows inserted or changed. */
  imported: number
  unchanged: number
  /** Row lines skipped (see problems). */
  bad: number
  /** The first problems (at most MAX_PROBLEMS), by file and line; `bad` counts them all. */
  problems: ImportProblem[]
  /** Files that could not be read to their end (cut short, not gzip, not an export…). */
  damaged: string[]
}

export const MAX_PROBLEMS = 50
const CHUNK = 20_000

/**
 * A JSON value as SQLite's `->>` gives it: an integer as an integer (better-sqlite3 binds a JS
 * number as a REAL), true/false as 1/0, an array or object as its JSON text.
 */
function sqlValue(v: unknown): unknown {
  if (typeof v === 'number') return Number.isInteger(v) && Number.isSafeInteger(v) ? BigInt(v) : v
  if (typeof v === 'boolean') return v ? 1n : 0n
  if (v !== null && typeof v === 'object') return JSON.stringify(v)
  return v
}

type Header = { version: number; columns: Record<string, string[]> }

interface Importer {
  problem(file: string, line: number, message: string): void
  counts: ImportCounts
  /** The ids of parent rows found by their natural keys so far, per parent table (one import). */
  ids: Map<string, ParentIds>
}

/**
 * A parent table's ids by natural key, looked up once per key and import: parents are imported
 * before their children and never deleted by an import, so an id found stays right. A key not
 * found is asked again (a later file may add it).
 */
class ParentIds {
  readonly #ids = new Map<unknown, unknown>()
  readonly #select
  readonly #parts: number
  constructor(db: Db, parent: TableSpec) {
    this.#parts = parent.key.length
    this.#select = db.$client
      .prepare(`SELECT id FROM ${q(parent.name)} WHERE ${parent.key.map((k) => `${q(k)} IS ?`).join(' AND ')}`)
      .pluck()
  }
  /** The id of the row whose key is `v` (a value, or an array of values for a composite key). */
  get(v: unknown): unknown {
    const composite = this.#parts > 1
    if (composite && (!Array.isArray(v) || v.length !== this.#parts)) return undefined
    if (!composite && (v === null || typeof v === 'object')) return undefined
    // Strings (the usual key parts) joined by a control character; anything else as its JSON.
    const parts = v as unknown[]
    const k = !composite ? v : parts.every((x) => typeof x === 'string') ? parts.join('\u0000') : JSON.stringify(v)
    let id = this.#ids.get(k)
    if (id === undefined) {
      id = this.#select.get(...(composite ? (v as unknown[]) : [v]).map(sqlValue))
      if (id !== undefined) this.#ids.set(k, id)
    }
    return id
  }
}

/**
 * The JavaScript path of a table: its upsert, where its columns are on a line (with the parent
 * of a reference), and a line's length.
 */
interface RowImport {
  upsert: ReturnType<Db['$client']['prepare']>
  positions: number[]
  parents: (ParentIds | undefined)[]
  /** The column of each of `parents`, for messages. */
  refCols: (string | undefined)[]
  length: number
}

/**
 * The version 2 import of one table, for one header's column list: each line parsed in
 * JavaScript, its parents found by their natural keys, and an upsert by the natural key that
 * leaves identical rows alone (so changes() counts only what changed). A table whose natural key
 * is nullable goes row by row, its bad lines named through SQLite's JSON functions.
 */
class TableImport {
  readonly #bad
  readonly #lookup = new Map<string, ReturnType<Db['$client']['prepare']>>()
  readonly #perRowSelect
  readonly #bulk: boolean
  readonly #cols: string[]
  /** Each line parsed here and bound to one upsert (see run). */
  readonly #rows?: RowImport

  constructor(
    private readonly db: Db,
    private readonly t: TableSpec,
    fileCols: string[],
    ids: Map<string, ParentIds>,
  ) {
    const sqlite = db.$client
    const cols: string[] = []
    /** Where each of `cols` is on a line (after the table name). */
    const positions: number[] = []
    const exprs: string[] = []
    const joins: string[] = []
    const checks: string[] = [`json_array_length(j.value) = ${fileCols.length + 1}`]
    fileCols.forEach((c, i) => {
      if (!t.columns.includes(c) || (t.id && c === 'id')) return // dropped: unknown to this schema
      const at = `'$[${i + 1}]'`
      const parent = t.refs[c]
      cols.push(c)
      positions.push(i + 1)
      if (!parent) {
        exprs.push(`j.value ->> ${at}`)
        return
      }
      const alias = `p${joins.length}`
      const pk = spec(parent).key
      const on =
        pk.length === 1
          ? `${alias}.${q(pk[0] as string)} = j.value ->> ${at}`
          : pk.map((k, n) => `${alias}.${q(k)} IS j.value ->> '$[${i + 1}][${n}]'`).join(' AND ')
      joins.push(`LEFT JOIN ${q(parent)} ${alias} ON ${on}`)
      exprs.push(`${alias}.id`)
      checks.push(`${alias}.id IS NOT NULL`)
    })
    this.#cols = cols

    const missingKey = t.key.filter((k) => !cols.includes(k))
    if (missingKey.length) throw new Error(`${t.name}: the file has no column ${missingKey.join(', ')} (natural key)`)
    const from = `FROM json_each(?) j ${joins.join(' ')}`
    const ok = checks.join(' AND ')
    // A nullable natural key (runs.target) cannot be an ON CONFLICT target (NULLs are distinct):
    // those tables go row by row.
    this.#bulk = t.key.every((k) => t.notNull.includes(k))
    const rest = cols.filter((c) => !t.key.includes(c))
    const set = rest.length
      ? `DO UPDATE SET ${rest.map((c) => `${q(c)} = excluded.${q(c)}`).join(', ')} WHERE ${rest
          .map((c) => `${q(c)} IS NOT excluded.${q(c)}`)
          .join(' OR ')}`
      : 'DO NOTHING'
    this.#bad = sqlite
      .prepare(`SELECT j.key, ${checks.map((c) => `(${c})`).join(', ')} ${from} WHERE NOT (${ok})`)
      .raw(true)
    // Row by row: the resolved values of one line, then select / update / insert by the key.
    this.#perRowSelect = sqlite.prepare(`SELECT ${exprs.join(', ')} ${from} WHERE ${ok}`).raw(true)
    // SQLite's JSON functions cost one path lookup per column and a join per reference; V8 parses
    // a whole line at once, the references are found once per key (ParentIds) and the values are
    // bound to one prepared upsert: two to three times as fast as INSERT … SELECT over json_each.
    if (this.#bulk) {
      const upsert = sqlite.prepare(
        `INSERT INTO ${q(t.name)} (${cols.map(q).join(', ')}) VALUES (${cols.map(() => '?').join(', ')}) ` +
          `ON CONFLICT (${t.key.map(q).join(', ')}) ${set}`,
      )
      const parents = cols.map((c) => {
        const parent = t.refs[c]
        if (!parent) return undefined
        const known = ids.get(parent)
        if (known) return known
        const made = new ParentIds(db, spec(parent))
        ids.set(parent, made)
        return made
      })
      const refCols = cols.map((c) => (t.refs[c] ? c : undefined))
      this.#rows = { upsert, positions, parents, refCols, length: fileCols.length + 1 }
    }
  }

  /** run() by the JavaScript path: the same outcomes (and messages) as the bulk path, line by line. */
  #runRows(r: RowImport, file: string, lines: string[], lineNos: number[], imp: Importer) {
    const values: unknown[] = new Array(r.positions.length)
    for (let i = 0; i < lines.length; i++) {
      const n = lineNos[i] as number
      const why = this.#values(r, lines[i] as string, values)
      if (why) {
        imp.problem(file, n, why)
        continue
      }
      try {
        imp.counts[r.upsert.run(values).changes ? 'imported' : 'unchanged']++
      } catch (err) {
        imp.problem(file, n, `${this.t.name}: ${errorMessage(err)}`)
      }
    }
  }

  /** Fill `values` from one line (references resolved); else why the line cannot go in. */
  #values(r: RowImport, line: string, values: unknown[]): string | undefined {
    let row: unknown
    try {
      row = JSON.parse(line)
    } catch {
      row = undefined
    }
    if (!Array.isArray(row)) return 'not a JSON array line'
    if (row.length !== r.length) return `${this.t.name}: wrong number of values`
    for (let c = 0; c < values.length; c++) {
      const v = row[r.positions[c] as number]
      const parent = r.parents[c]
      const value = parent ? parent.get(v) : sqlValue(v)
      if (parent && value === undefined) {
        const col = r.refCols[c] as string
        return `${this.t.name}.${col}: no ${this.t.refs[col]} row with that key`
      }
      values[c] = value
    }
    return undefined
  }

  /** Why the chunk's lines at these indexes cannot go in. */
  #reasons(json: string): Map<number, string> {
    const out = new Map<number, string>()
    for (const [i, lengthOk, ...parents] of this.#bad.all(json) as [number, number, ...number[]][]) {
      if (!lengthOk) out.set(i, `${this.t.name}: wrong number of values`)
      else {
        const p = parents.findIndex((x) => !x)
        const col = this.#cols.filter((c) => this.t.refs[c])[p] ?? '?'
        out.set(i, `${this.t.name}.${col}: no ${this.t.refs[col]} row with that key`)
      }
    }
    return out
  }

  #one(values: unknown[]): 'imported' | 'unchanged' {
    const row: Record<string, unknown> = {}
    this.#cols.forEach((c, i) => {
      row[c] = values[i]
    })
    const keyWhere = this.t.key.map((k) => `${q(k)} IS @${k}`).join(' AND ')
    const existing = this.#stmt(`SELECT ${this.#cols.map(q).join(', ')} FROM ${q(this.t.name)} WHERE ${keyWhere}`).get(
      row,
    ) as Record<string, unknown> | undefined
    if (existing) {
      const changed = this.#cols.filter((c) => existing[c] !== row[c])
      if (!changed.length) return 'unchanged'
      this.#stmt(
        `UPDATE ${q(this.t.name)} SET ${changed.map((c) => `${q(c)} = @${c}`).join(', ')} WHERE ${keyWhere}`,
      ).run(row)
      return 'imported'
    }
    this.#stmt(
      `INSERT INTO ${q(this.t.name)} (${this.#cols.map(q).join(', ')}) VALUES (${this.#cols.map((c) => `@${c}`).join(', ')})`,
    ).run(row)
    return 'imported'
  }

  #stmt(sql: string) {
    let s = this.#lookup.get(sql)
    if (!s) {
      s = this.db.$client.prepare(sql)
      this.#lookup.set(sql, s)
    }
    return s
  }

  /** Import a chunk of raw lines (all of this table); lineNos[i] is line i's number in `file`. */
  run(file: string, lines: string[], lineNos: number[], imp: Importer): void {
    if (this.#rows) {
      this.#runRows(this.#rows, file, lines, lineNos, imp)
      return
    }
    // Tables without a usable upsert key (a nullable natural key): the bad lines named, the rest row by row.
    let json = `[${lines.join(',')}]`
    let good = lines
    let goodNos = lineNos
    let reasons: Map<number, string>
    try {
      reasons = this.#reasons(json) // SQLite parses the chunk; malformed JSON throws
    } catch {
      good = []
      goodNos = []
      lines.forEach((l, i) => {
        try {
          if (!Array.isArray(JSON.parse(l))) throw new Error()
          good.push(l)
          goodNos.push(lineNos[i] as number)
        } catch {
          imp.problem(file, lineNos[i] as number, 'not a JSON array line')
        }
      })
      json = `[${good.join(',')}]`
      if (!good.length) return
      reasons = this.#reasons(json)
    }
    for (const [i, why] of reasons) imp.problem(file, goodNos[i] as number, why)
    good.forEach((l, i) => {
      if (reasons.has(i)) return
      try {
        const values = this.#perRowSelect.get(`[${l}]`) as unknown[] | undefined
        if (!values) return
        imp.counts[this.#one(values)]++
      } catch (err) {
        imp.problem(file, goodNos[i] as number, `${this.t.name}: ${errorMessage(err)}`)
      }
    })
  }
}

/** Version 1 lines: local ids, kept when free and remapped otherwise (child rows follow the remap). */
class V1Import {
  readonly remap = new Map<string, Map<number, number>>(EXPORT_TABLES.map((t) => [t.name, new Map()]))
  readonly #cache = new Map<string, ReturnType<Db['$client']['prepare']>>()
  constructor(private readonly db: Db) {}

  #prep(sql: string) {
    let s = this.#cache.get(sql)
    if (!s) {
      s = this.db.$client.prepare(sql)
      this.#cache.set(sql, s)
    }
    return s
  }

  row(arr: unknown[], cols: string[], s: TableSpec): 'imported' | 'unchanged' {
    const values = arr.slice(1)
    if (values.length !== cols.length)
      throw new Error(`${cols.length} values expected for ${s.name}, got ${values.length}`)
    const row: Record<string, unknown> = {}
    cols.forEach((c, i) => {
      if (s.columns.includes(c)) row[c] = values[i]
    })
    for (const [col, parent] of Object.entries(s.refs)) {
      const mapped = this.remap.get(parent)?.get(Number(row[col]))
      if (mapped !== undefined) row[col] = mapped
      // The import runs without SQLite's foreign key checks (importFiles): the parent, checked here.
      if (row[col] != null && !this.#prep(`SELECT 1 FROM ${q(parent)} WHERE id = ?`).get(row[col]))
        throw new Error(`${s.name}.${col}: no ${parent} row with id ${String(row[col])}`)
    }
    for (const k of s.key) row[k] ??= null
    const keyWhere = s.key.map((k) => `${q(k)} IS @${k}`).join(' AND ')
    const names = Object.keys(row).filter((c) => !(s.id && c === 'id'))
    const existing = this.#prep(
      `SELECT ${s.id ? 'id, ' : ''}${names.map(q).join(', ')} FROM ${q(s.name)} WHERE ${keyWhere}`,
    ).get(row) as Record<string, unknown> | undefined
    if (existing) {
      if (s.id) this.remap.get(s.name)?.set(Number(row.id), Number(existing.id))
      const changed = names.filter((c) => existing[c] !== row[c])
      if (changed.length === 0) return 'unchanged'
      this.#prep(`UPDATE ${q(s.name)} SET ${changed.map((c) => `${q(c)} = @${c}`).join(', ')} WHERE ${keyWhere}`).run(
        row,
      )
      return 'imported'
    }
    let insertCols = Object.keys(row)
    if (s.id && this.#prep(`SELECT 1 FROM ${q(s.name)} WHERE id = @id`).get(row)) {
      insertCols = insertCols.filter((c) => c !== 'id')
    }
    const info = this.#prep(
      `INSERT INTO ${q(s.name)} (${insertCols.map(q).join(', ')}) VALUES (${insertCols.map((c) => `@${c}`).join(', ')})`,
    ).run(row)
    if (s.id) this.remap.get(s.name)?.set(Number(row.id), Number(info.lastInsertRowid))
    return 'imported'
  }
}

export interface ImportOptions {
  /** Called with every row line of every file, raw (partitions.ts builds its "already saved" set). */
  onLine?: (file: string, line: string) => void
  /** Run inside the import's transaction, first and last (a restore sets the save's triggers aside: dirty.ts). */
  around?: { begin(): void; end(): void }
}

/**
 * Import (upsert) export files, in order, in one transaction; safe to run any number of times.
 * Never throws for what a file holds: bad lines and damaged files are counted and reported (in
 * `problems`) and the rest is imported. Throws a UserError only when a file does not exist.
 */
/** The import's page cache, in KiB (a negative cache_size). */
const IMPORT_CACHE_KIB = -131_072

export async function importFiles(db: Db, files: string[], opts: ImportOptions = {}): Promise<ImportCounts> {
  for (const f of files) if (!existsSync(f)) throw new UserError(`${f}: file not found`)
  const counts: ImportCounts = { lines: 0, imported: 0, unchanged: 0, bad: 0, problems: [], damaged: [] }
  const imp: Importer = {
    counts,
    ids: new Map(),
    problem(file, line, message) {
      if (line > 0) counts.bad++
      if (counts.problems.length < MAX_PROBLEMS) counts.problems.push({ file, line, message })
    },
  }
  const sqlite = db.$client
  // A restore inserts millions of rows into a few B-trees: a 128 MB page cache for the import
  // (SQLite's default is 2 MB) keeps their inner pages in memory; put back afterwards.
  const cacheSize = sqlite.pragma('cache_size', { simple: true }) as number
  sqlite.pragma(`cache_size = ${IMPORT_CACHE_KIB}`)
  // Every reference a row carries is resolved by joining its parent's natural key, and a line
  // whose parent is missing is skipped (TableImport): SQLite's own foreign key checks would only
  // repeat that lookup for every row (about a tenth of a restore's time). Back on afterwards.
  const foreignKeys = sqlite.pragma('foreign_keys', { simple: true }) as number
  sqlite.pragma('foreign_keys = OFF')
  sqlite.exec('BEGIN IMMEDIATE')
  try {
    opts.around?.begin()
    const indexes = dropIndexesOfEmptyTables(db)
    for (const file of files) await importOne(db, file, imp, opts)
    for (const sql of indexes) sqlite.exec(sql)
    opts.around?.end()
    sqlite.exec('COMMIT')
  } catch (err) {
    if (sqlite.inTransaction) sqlite.exec('ROLLBACK')
    throw err
  } finally {
    sqlite.pragma(`cache_size = ${cacheSize}`)
    sqlite.pragma(`foreign_keys = ${foreignKeys ? 'ON' : 'OFF'}`)
  }
  return counts
}

/**
 * Drop the secondary indexes (not unique: no upsert needs them) of the exported tables that are
 * empty, and return their SQL to create them again after the import (the same transaction): a
 * restore into a fresh database then sorts each index once instead of inserting into it row by
 * row (about a tenth of the restore).
 */
function dropIndexesOfEmptyTables(db: Db): string[] {
  const sqlite = db.$client
  const out: string[] = []
  for (const t of EXPORT_TABLES) {
    if (sqlite.prepare(`SELECT 1 FROM ${q(t.name)} LIMIT 1`).get()) continue
    const rows = sqlite
      .prepare(
        `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL` +
          ` AND upper(sql) NOT LIKE 'CREATE UNIQUE%'`,
      )
      .all(t.name) as { name: string; sql: string }[]
    for (const r of rows) {
      sqlite.exec(`DROP INDEX ${q(r.name)}`)
      out.push(r.sql)
    }
  }
  return out
}

/** Import one export file; see importFiles. */
export async function importNdjson(db: Db, file: string, opts: ImportOptions = {}): Promise<ImportCounts> {
  return importFiles(db, [file], opts)
}

async function importOne(db: Db, file: string, imp: Importer, opts: ImportOptions): Promise<void> {
  let head: Header | undefined
  const tables = new Map<string, TableImport>()
  const v1 = new V1Import(db)
  let chunk: string[] = []
  let chunkNos: number[] = []
  let chunkTable = ''
  const flush = () => {
    if (!chunk.length || !head) return
    const t = SPECS.get(chunkTable)
    const cols = head.columns[chunkTable]
    if (!t || !cols) {
      for (const n of chunkNos) imp.problem(file, n, `unknown table "${chunkTable}"`)
    } else {
      let ti = tables.get(chunkTable)
      if (!ti) {
        try {
          ti = new TableImport(db, t, cols, imp.ids)
        } catch (err) {
          for (const n of chunkNos) imp.problem(file, n, errorMessage(err))
          chunk = []
          chunkNos = []
          return
        }
        tables.set(chunkTable, ti)
      }
      ti.run(file, chunk, chunkNos, imp)
    }
    chunk = []
    chunkNos = []
  }
  let lineNo = 0
  try {
    for await (const batch of readLineBatches(file))
      for (const line of batch) {
        lineNo++
        if (!line.trim()) continue
        if (line.startsWith('{')) {
          flush()
          let h: { format?: string; version?: number; columns?: Record<string, string[]> }
          try {
            h = JSON.parse(line)
          } catch {
            imp.problem(file, lineNo, 'not a JSON line')
            continue
          }
          if (h.format !== FORMAT || !h.columns) {
            imp.problem(file, 0, `line ${lineNo}: not a ${FORMAT} file`)
            imp.counts.damaged.push(file)
            return
          }
          if ((h.version ?? 0) > VERSION) {
            imp.problem(
              file,
              0,
              `line ${lineNo}: format version ${h.version} is newer than this mediastrends (${VERSION})`,
            )
            imp.counts.damaged.push(file)
            return
          }
          head = { version: h.version ?? 1, columns: h.columns }
          tables.clear()
          continue
        }
        imp.counts.lines++
        if (!head) {
          imp.problem(file, lineNo, 'row before the header line')
          continue
        }
        opts.onLine?.(file, line)
        if (head.version === 1) {
          try {
            const arr = JSON.parse(line) as unknown
            if (!Array.isArray(arr)) throw new Error('not a JSON array line')
            const s = SPECS.get(String(arr[0]))
            const cols = head.columns[String(arr[0])]
            if (!s || !cols) throw new Error(`unknown table "${String(arr[0])}"`)
            imp.counts[v1.row(arr, cols, s)]++
          } catch (err) {
            imp.problem(file, lineNo, err instanceof SyntaxError ? 'not a JSON line' : errorMessage(err))
          }
          continue
        }
        // ["table", …: the table name without parsing the line.
        const comma = line.indexOf(',')
        const table = line.startsWith('["') && comma > 2 ? line.slice(2, comma - 1) : ''
        if (table !== chunkTable || chunk.length >= CHUNK) {
          flush()
          chunkTable = table
        }
        chunk.push(line)
        chunkNos.push(lineNo)
      }
    flush()
  } catch (err) {
    flush()
    imp.problem(
      file,
      0,
      `${errorMessage(err).replace(`${file}: `, '')} after line ${lineNo}: the lines before it were imported`,
    )
    imp.counts.damaged.push(file)
  }
}
