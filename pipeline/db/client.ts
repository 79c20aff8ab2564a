/**
 * Opening the database: better-sqlite3 + drizzle, WAL, busy timeout, foreign keys on, and every
 * pending migration applied (old databases are migrated, never dropped).
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
    throw new UserError(`${path}: cannot open the database: ${errorMessage(err)}`)
  }
  sqlite.pragma(`busy_timeout = ${opts.busyTimeout ?? 5000}`)
  sqlite.pragma('foreign_keys = ON')
  if (!readonly) {
    sqlite.pragma('journal_mode = WAL')
    sqlite.pragma('synchronous = NORMAL')
  }
  const db = drizzle(sqlite, { schema }) as Db
  if (!readonly && (opts.migrate ?? true)) {
    try {
      migrate(db, { migrationsFolder: MIGRATIONS_DIR })
    } catch (err) {
      sqlite.close()
      throw new UserError(`${path}: cannot migrate the database: ${errorMessage(err)}`)
    }
  }
  return db
}

export function closeDb(db: Db): void {
  if (db.$client.open) db.$client.close()
}

/** Run `fn` in one transaction (BEGIN IMMEDIATE): all of it is written, or none of it. */
export function tx<T>(db: Db, fn: () => T): T {
  return db.$client.transaction(fn).immediate()
}
