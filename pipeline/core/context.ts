/**
 * What every command receives: the run's clock, output mode, and lazily loaded config and
 * database (loaded once, on first use, so `--help` and `demo` need no config file).
 */
import type { Config } from '../config/schema.ts'
import { closeDb, type Db, openDb } from '../db/client.ts'
import type { Clock } from './clock.ts'

export interface Context {
  clock: Clock
  /** --json: print machine-readable results on stdout. */
  json: boolean
  verbosity: number
  /** The validated config (loaded on first call). */
  config(): Config
  /** The database of config.sqlite.path, migrated (opened on first call). */
  db(): Db
  /** Close what was opened. */
  close(): void
}

export function makeContext(opts: {
  clock: Clock
  json?: boolean
  verbosity?: number
  loadConfig: () => Config
  openDb?: (path: string) => Db
}): Context {
  let config: Config | undefined
  let db: Db | undefined
  const ctx: Context = {
    clock: opts.clock,
    json: opts.json ?? false,
    verbosity: opts.verbosity ?? 0,
    config() {
      config ??= opts.loadConfig()
      return config
    },
    db() {
      db ??= (opts.openDb ?? ((p: string) => openDb(p)))(ctx.config().sqlite.path)
      return db
    },
    close() {
      if (db) closeDb(db)
      db = undefined
    },
  }
  return ctx
}

/** What a pipeline step reports: counts for the summary, errors for the log, ok for the exit code. */
export interface StepResult {
  counts: Record<string, number>
  errors: string[]
  ok: boolean
}
