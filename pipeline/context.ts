/**
 * What every command receives: the run's clock, output mode, a logger factory, and lazily loaded
 * config and database (loaded once, on first use, so `--help` and `demo` need no config file).
 * Stages log through `ctx.log('stage')`, so a test hands in a memory logger and asserts on it.
 */
import type { Config } from './config/schema.ts'
import type { Clock } from './core/clock.ts'
import type { HttpPolicy } from './core/http.ts'
import { type Logger, logger } from './core/log.ts'
import { closeDb, type Db, openDb } from './db/client.ts'

export interface Context {
  clock: Clock
  /** --json: print machine-readable results on stdout. */
  json: boolean
  verbosity: number
  /** The validated config (loaded on first call). */
  config(): Config
  /** The database of config.sqlite.path, migrated (opened on first call). */
  db(): Db
  /** A logger tagged with the stage's name. */
  log(tag: string): Logger
  /** Close what was opened. */
  close(): void
}

export function makeContext(opts: {
  clock: Clock
  json?: boolean
  verbosity?: number
  loadConfig: () => Config
  openDb?: (path: string) => Db
  log?: (tag: string) => Logger
}): Context {
  let config: Config | undefined
  let db: Db | undefined
  const ctx: Context = {
    clock: opts.clock,
    json: opts.json ?? false,
    verbosity: opts.verbosity ?? 0,
    config() {
      if (!config) {
        config = opts.loadConfig()
        for (const w of config.warnings) ctx.log('config').warn(w)
      }
      return config
    },
    db() {
      db ??= (opts.openDb ?? ((p: string) => openDb(p)))(ctx.config().sqlite.path)
      return db
    },
    log: opts.log ?? logger,
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
  /** One line per failure, naming the file, URL, tracker or item at fault. Printed once, by the caller. */
  errors: string[]
  ok: boolean
}

/** The network settings of [requests] and [retry] as core/http.ts takes them. */
export function httpPolicy(config: Config, log?: Logger): HttpPolicy {
  return {
    timeoutMs: config.requests.timeout * 1000,
    tries: config.retry.tries,
    delayMs: config.retry.delay * 1000,
    maxRetryAfterMs: Math.max(60_000, config.retry.delay * 1000 * 2 ** config.retry.tries),
    userAgent: config.requests.user_agent,
    log,
  }
}
