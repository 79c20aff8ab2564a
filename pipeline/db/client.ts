/**
 * Opening the database: better-sqlite3 + drizzle, WAL, busy timeout, foreign keys on, and every
 * pending migration applied (old databases are migrated, never dropped), then the save's change
 * tracking triggers (dirty.ts).
 *
 * The site opens the same file read-only through `openDb(path, { readonly: true })`.
 */
import { mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { type BetterSQLite3Database, drizzle } from 'drizzle-orm/better-sqlite3'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import * as schema from '../../schema/tables.ts'
import { errorMessage, UserError } from '../core/errors.ts'
import { installTriggers } from './dirty.ts'
import { SNAPSHOT } from './partitions.ts'

export const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'migrations')

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database }

export interface OpenOptions {
  readonly?: boolean
  /** Apply pending migrations (default true unless readonly). */
  migrate?: boolean
  /** ms to wait on a locked database before failing (default 5000). */
  busyTimeout?: number
}

export function openDb(path: string, opts: OpenOptions = {}): Db {
  const readonly = opts.readonly ?? false
  if (!readonly && path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
  let sqlite: Database.Database
  try {
    sqlite = new Database(path, { readonly, fileMustExist: readonly })
  } catch (err) {
    throw openError(path, err)
  }
  try {
    sqlite.pragma(`busy_timeout = ${opts.busyTimeout ?? 5000}`)
    sqlite.pragma('foreign_keys = ON')
    if (!readonly) {
      sqlite.pragma('journal_mode = WAL')
      sqlite.pragma('synchronous = NORMAL')
    }
    // The first read of the file: a file that is not a database fails here, not at some later step.
    sqlite.prepare('SELECT count(*) FROM sqlite_master').get()
  } catch (err) {
    sqlite.close()
    throw openError(path, err)
  }
  const db = drizzle(sqlite, { schema }) as Db
  if (!readonly && (opts.migrate ?? true)) {
    try {
      migrate(db, { migrationsFolder: MIGRATIONS_DIR })
      // The save's change tracking (dirty.ts): derived from the schema, so put in place after it.
      installTriggers(sqlite, SNAPSHOT, { noteAll: true })
    } catch (err) {
      sqlite.close()
      if ((err as { code?: string }).code === 'SQLITE_NOTADB') throw openError(path, err)
      throw new UserError(`${path}: cannot migrate the database: ${errorMessage(err)}`)
    }
  }
  return db
}

/** Every open error names the path; the usual ones in words. */
function openError(path: string, err: unknown): UserError {
  const code = (err as { code?: string }).code
  if (code === 'SQLITE_NOTADB') return new UserError(`${path}: not a SQLite database`)
  if (code === 'SQLITE_FULL') return new UserError(`${path}: cannot open the database: disk full`)
  return new UserError(`${path}: cannot open the database: ${errorMessage(err)}`)
}

export function closeDb(db: Db): void {
  if (db.$client.open) db.$client.close()
}

/** Run `fn` in one transaction (BEGIN IMMEDIATE): all of it is written, or none of it. */
export function tx<T>(db: Db, fn: () => T): T {
  return db.$client.transaction(fn).immediate()
}
