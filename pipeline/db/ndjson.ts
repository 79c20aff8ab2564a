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
 * `imdb_titles` is not exported: it is re-imported from IMDb's dataset files.
 */

import { createHash } from 'node:crypto'
import { once } from 'node:events'
import { createReadStream, createWriteStream, existsSync, statSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { createGunzip, createGzip } from 'node:zlib'
import { UserError } from '../core/errors.ts'
import { redact } from '../core/log.ts'
import type { Db } from './client.ts'

export const FORMAT = 'mediastrends-ndjson'
export const VERSION = 1

interface TableSpec {
  name: string
  /** Columns that identify a row across databases. */
  key: string[]
  /** Own integer id, remapped on import when taken. */
  id?: boolean
  /** column → parent table whose ids it references. */
  refs?: Record<string, string>
  order: string
}

/** Parents before children. */
export const EXPORT_TABLES: TableSpec[] = [
  { name: 'trackers', key: ['name'], id: true, order: 'id' },
  { name: 'torrents', key: ['info_hash'], id: true, order: 'id' },
  { name: 'media', key: ['kind', 'key'], id: true, order: 'id' },
  { name: 'runs', key: ['step', 'started_at', 'clock', 'target'], id: true, order: 'id' },
  {
    name: 'status_history',
    key: ['torrent_id', 'time', 'status'],
    refs: { torrent_id: 'torrents' },
    order: 'torrent_id, time, status',
  },
  {
    name: 'torrent_trackers',
    key: ['torrent_id', 'tracker_id'],
    refs: { torrent_id: 'torrents', tracker_id: 'trackers' },
    order: 'torrent_id, tracker_id',
  },
  {
    name: 'stats',
    key: ['torrent_id', 'time', 'tracker_id'],
    refs: { torrent_id: 'torrents', tracker_id: 'trackers' },
    order: 'torrent_id, time, tracker_id',
  },
  {
    name: 'indexer_stats',
    key: ['torrent_id', 'time', 'indexer'],
    refs: { torrent_id: 'torrents' },
    order: 'torrent_id, time, indexer',
  },
  {
    name: 'trends',
    key: ['torrent_id', 'time', 'engine'],
    refs: { torrent_id: 'torrents' },
    order: 'torrent_id, time, engine',
  },
  {
    name: 'torrent_media',
    key: ['torrent_id'],
    refs: { torrent_id: 'torrents', media_id: 'media' },
    order: 'torrent_id',
  },
  {
    name: 'media_trends',
    key: ['media_id', 'time', 'engine'],
    refs: { media_id: 'media' },
    order: 'media_id, time, engine',
  },
  { name: 'metadata_cache', key: ['provider', 'query'], order: 'provider, query' },
]

const q = (name: string) => `"${name.replace(/"/g, '""')}"`

function columnsOf(db: Db, table: string): string[] {
  return (db.$client.prepare(`PRAGMA table_info(${q(table)})`).all() as { name: string }[]).map((c) => c.name)
}

export function header(db: Db): string {
  const columns = Object.fromEntries(EXPORT_TABLES.map((t) => [t.name, columnsOf(db, t.name)]))
  return JSON.stringify({ format: FORMAT, version: VERSION, columns })
}

/** Every row as its NDJSON line, header first. */
/** Every row as its NDJSON line, header first. Secrets (tracker passkeys…) are redacted: exports get published. */
export function* exportLines(db: Db): Generator<string> {
  yield header(db)
  for (const t of EXPORT_TABLES) {
    const cols = columnsOf(db, t.name)
    const stmt = db.$client.prepare(`SELECT ${cols.map(q).join(', ')} FROM ${q(t.name)} ORDER BY ${t.order}`).raw(true)
    for (const row of stmt.iterate() as Iterable<unknown[]>) yield redact(JSON.stringify([t.name, ...row]))
  }
}

/** The natural key of a row line, given the columns of the header in force. */
function rowKey(row: unknown[], columns: Record<string, string[]>): string | undefined {
  const [table, ...values] = row
  const spec = EXPORT_TABLES.find((t) => t.name === table)
  const cols = columns[String(table)]
  if (!spec || !cols) return undefined
  return JSON.stringify([table, ...spec.key.map((k) => values[cols.indexOf(k)] ?? null)])
}

/** A file ending in .gz is a series of gzip members: each append adds one, so the prefix never changes. */
export const isGzip = (file: string): boolean => file.endsWith('.gz')

/** The lines of an export file, streamed (plain or gzip, any number of members). */
export async function* readExportLines(file: string): AsyncGenerator<string> {
  const raw = createReadStream(file)
  const input = isGzip(file) ? raw.pipe(createGunzip()) : raw
  raw.on('error', (err) => input.destroy(err))
  const rl = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })
  try {
    for await (const line of rl) yield line
  } finally {
    rl.close()
    raw.destroy()
  }
}

/** A short fingerprint: the dedupe map of a large export holds these, not whole lines. */
const fingerprint = (text: string): string => createHash('sha1').update(text).digest('base64').slice(0, 12)

/** Fingerprint of the key → fingerprint of the last line written for it, over the whole file. */
async function latestLines(file: string): Promise<Map<string, string>> {
  const latest = new Map<string, string>()
  let columns: Record<string, string[]> = {}
  for await (const line of readExportLines(file)) {
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
  const head = header(db)
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
  const specs = new Map(EXPORT_TABLES.map((t) => [t.name, t]))
  const dbColumns = new Map(EXPORT_TABLES.map((t) => [t.name, new Set(columnsOf(db, t.name))]))
  const remap = new Map<string, Map<number, number>>(EXPORT_TABLES.map((t) => [t.name, new Map()]))
  let fileColumns: Record<string, string[]> | undefined
  const counts: ImportCounts = { lines: 0, inserted: 0, updated: 0, unchanged: 0 }
  const sqlite = db.$client
  const stmtCache = new Map<string, ReturnType<typeof sqlite.prepare<unknown[]>>>()
  const prep = (sql: string) => {
    let s = stmtCache.get(sql)
    if (!s) {
      s = sqlite.prepare<unknown[]>(sql)
      stmtCache.set(sql, s)
    }
    return s
  }

  const importRow = (lineNo: number, arr: unknown[]) => {
    const [table, ...values] = arr
    const spec = specs.get(String(table))
    const cols = fileColumns?.[String(table)]
    if (!spec || !cols) throw new UserError(`${file}:${lineNo}: unknown table "${String(table)}"`)
    if (values.length !== cols.length) {
      throw new UserError(`${file}:${lineNo}: ${cols.length} values expected for ${spec.name}, got ${values.length}`)
    }
    const known = dbColumns.get(spec.name) ?? new Set()
    const row: Record<string, unknown> = {}
    cols.forEach((c, i) => {
      if (known.has(c)) row[c] = values[i]
    })
    for (const [col, parent] of Object.entries(spec.refs ?? {})) {
      const mapped = remap.get(parent)?.get(Number(row[col]))
      if (mapped !== undefined) row[col] = mapped
    }
    const keyWhere = spec.key.map((k) => `${q(k)} IS ?`).join(' AND ')
    const keyVals = spec.key.map((k) => row[k] ?? null)
    const names = Object.keys(row).filter((c) => !(spec.id && c === 'id'))
    const existing = prep(
      `SELECT ${spec.id ? 'id, ' : ''}${names.map(q).join(', ')} FROM ${q(spec.name)} WHERE ${keyWhere}`,
    ).get(...keyVals) as Record<string, unknown> | undefined
    if (existing) {
      if (spec.id) remap.get(spec.name)?.set(Number(row.id), Number(existing.id))
      const changed = names.filter((c) => existing[c] !== row[c])
      if (changed.length === 0) {
        counts.unchanged++
        return
      }
      prep(`UPDATE ${q(spec.name)} SET ${changed.map((c) => `${q(c)} = ?`).join(', ')} WHERE ${keyWhere}`).run(
        ...changed.map((c) => row[c] ?? null),
        ...keyVals,
      )
      counts.updated++
      return
    }
    let insertCols = Object.keys(row)
    if (spec.id) {
      const taken = prep(`SELECT 1 FROM ${q(spec.name)} WHERE id = ?`).get(row.id)
      if (taken) insertCols = insertCols.filter((c) => c !== 'id')
    }
    const info = prep(
      `INSERT INTO ${q(spec.name)} (${insertCols.map(q).join(', ')}) VALUES (${insertCols.map(() => '?').join(', ')})`,
    ).run(...insertCols.map((c) => row[c] ?? null))
    if (spec.id) remap.get(spec.name)?.set(Number(row.id), Number(info.lastInsertRowid))
    counts.inserted++
  }

  // One transaction for the whole file: an import that fails half-way leaves nothing behind.
  sqlite.exec('BEGIN IMMEDIATE')
  try {
    let lineNo = 0
    for await (const line of readExportLines(file)) {
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
