/**
 * The run lock: one `mediastrends run` (or database-rewriting step) per database at a time.
 *
 * The lock itself is an exclusive SQLite lock (`BEGIN EXCLUSIVE`, an fcntl lock taken by the
 * kernel) on a small file beside the database, `<db>.lock.db`, held for as long as the run lasts.
 * It dies with its process, whatever kills it (kill -9, a crash, a container stopped): nothing has
 * to judge whether a holder is still alive, so a reused pid (every container's run is pid 1), a new
 * hostname (a new container) or a reboot can neither keep a dead lock alive nor fake a live one.
 * Taking it never waits: a held lock is refused at once (exit 3).
 *
 * Beside it, `<db>.lock` (JSON) says who holds it and since when, for people and for the message
 * a refused run prints; a holder that died leaves it behind, and the next run replaces it.
 */
import { mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'
import { isoSeconds } from '../core/clock.ts'
import { EXIT_LOCKED, errorMessage, UserError } from '../core/errors.ts'
import { type Logger, logger } from '../core/log.ts'

export interface LockInfo {
  pid: number
  host: string
  /** Wall clock, Unix seconds, when the lock was taken. */
  since: number
  /** What holds it ("mediastrends run"). */
  command: string
}

export interface HeldLock {
  file: string
  info: LockInfo
  /** The lock a dead holder left, replaced by this one. */
  tookOver?: { info: LockInfo | undefined; reason: string }
  /** Release the lock (and remove the info file if it is still ours). Safe to call twice. */
  release(): void
}

/** Where the lock's info file of a database lives (the lock itself is `<file>.db`). */
export const lockFileFor = (dbPath: string): string => `${dbPath}.lock`
const mutexFileFor = (lockFile: string): string => `${lockFile}.db`

/** Parse an info file's text; undefined when it is not one we wrote. */
export function parseLock(text: string): LockInfo | undefined {
  try {
    const v = JSON.parse(text) as Partial<LockInfo>
    if (typeof v.pid !== 'number' || typeof v.host !== 'string' || typeof v.since !== 'number') return undefined
    return { pid: v.pid, host: v.host, since: v.since, command: typeof v.command === 'string' ? v.command : '?' }
  } catch {
    return undefined
  }
}

/** "pid 123 on host-a (mediastrends run), since 2026-01-15T12:00:00Z (3 min ago)" */
export function describeLock(info: LockInfo, nowSeconds: number): string {
  const ago = Math.max(0, nowSeconds - info.since)
  const span =
    ago < 120
      ? `${ago} s`
      : ago < 7200
        ? `${Math.round(ago / 60)} min`
        : ago < 172_800
          ? `${Math.round(ago / 3600)} h`
          : `${Math.round(ago / 86_400)} days`
  return `pid ${info.pid} on ${info.host} (${info.command}), since ${isoSeconds(info.since)} (${span} ago)`
}

function readInfo(file: string): LockInfo | undefined {
  try {
    return parseLock(readFileSync(file, 'utf8'))
  } catch {
    return undefined
  }
}

export interface AcquireOptions {
  command?: string
  /** Where taking over a dead holder's lock is told (default: the 'run' logger). */
  log?: Logger
  /** Wall clock in Unix seconds (tests). */
  nowSeconds?: () => number
}

/**
 * Take the lock whose info file is `file`, or throw a UserError with exit code EXIT_LOCKED naming
 * its holder. A lock whose holder died is simply free: its info is replaced, with a warning.
 */
export function acquireLock(file: string, opts: AcquireOptions = {}): HeldLock {
  const log = opts.log ?? logger('run')
  const now = opts.nowSeconds ?? (() => Math.floor(Date.now() / 1000))
  try {
    mkdirSync(dirname(file), { recursive: true })
  } catch (err) {
    throw new UserError(`${dirname(file)}: cannot create the database folder: ${errorMessage(err)}`)
  }
  const mutex = mutexFileFor(file)
  let db: Database.Database
  try {
    db = new Database(mutex, { timeout: 0 })
  } catch (err) {
    throw new UserError(`${mutex}: cannot open the run lock: ${errorMessage(err)}`)
  }
  try {
    db.exec('BEGIN EXCLUSIVE')
  } catch (err) {
    db.close()
    if ((err as { code?: string }).code !== 'SQLITE_BUSY') {
      throw new UserError(`${mutex}: cannot take the run lock: ${errorMessage(err)}`)
    }
    const holder = readInfo(file)
    throw new UserError(`another run holds the lock: ${holder ? describeLock(holder, now()) : 'holder unknown'}`, {
      exitCode: EXIT_LOCKED,
      details: [
        `lock file: ${file}`,
        'wait for it to finish; if that process is stuck, stop it: its lock is released when it ends',
      ],
    })
  }
  // Held: whatever info is there was left by a holder that is gone.
  const previous = readInfo(file)
  const info: LockInfo = {
    pid: process.pid,
    host: hostname(),
    since: now(),
    command: opts.command ?? 'mediastrends run',
  }
  const content = `${JSON.stringify(info)}\n`
  try {
    const tmp = `${file}.${process.pid}.tmp`
    writeFileSync(tmp, content)
    renameSync(tmp, file)
  } catch (err) {
    db.exec('ROLLBACK')
    db.close()
    throw new UserError(`${file}: cannot write the run lock: ${errorMessage(err)}`)
  }
  let tookOver: HeldLock['tookOver']
  if (previous) {
    const reason = `process ${previous.pid} on ${previous.host} is gone`
    tookOver = { info: previous, reason }
    log.warn(`taking over a stale run lock (${reason}): ${describeLock(previous, now())}; ${file}`)
  }
  let released = false
  const release = () => {
    if (released) return
    released = true
    process.removeListener('exit', release)
    try {
      if (readFileSync(file, 'utf8') === content) unlinkSync(file)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        log.warn(`${file}: could not remove the run lock's info: ${errorMessage(err)}`)
      }
    }
    try {
      db.exec('ROLLBACK')
    } finally {
      db.close()
    }
  }
  // process.exit() mid-run still removes the info file; the lock itself dies with the process anyway.
  process.on('exit', release)
  return { file, info, tookOver, release }
}

/**
 * Run `fn` holding the run lock of the database at `dbPath` (no lock for ':memory:'). Used by
 * `mediastrends run` and by single steps and database-rewriting commands, so they never overlap.
 */
export async function withLock<T>(
  dbPath: string,
  command: string,
  log: Logger,
  fn: (lock: HeldLock | undefined) => Promise<T>,
): Promise<T> {
  const lock = dbPath === ':memory:' ? undefined : acquireLock(lockFileFor(dbPath), { command, log })
  try {
    return await fn(lock)
  } finally {
    lock?.release()
  }
}
