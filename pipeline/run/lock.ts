/**
 * The run lock: one `mediastrends run` per database at a time.
 *
 * A lock file beside the database (`<db>.lock`) holds who took it (pid, host, boot id, since when).
 * It is created atomically with its content (written to a temp file, then hard-linked into place:
 * the link fails if the lock exists), so a reader never sees a half-written lock.
 *
 * A run killed with `kill -9` leaves its lock behind. The next run takes over such a stale lock
 * when it can prove the holder is gone: same host and either the holder's pid is not running or
 * the machine rebooted since (boot id changed). Take-overs are serialised by a short-lived mutex
 * file (`<db>.lock.takeover`), and the stale lock is removed only if it still holds the very
 * content that was judged stale, so two runs racing to take over never both win. A lock held on
 * another host cannot be checked: the run is refused and told which file to delete.
 */
import { linkSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { dirname } from 'node:path'
import { isoSeconds } from '../core/clock.ts'
import { EXIT_LOCKED, errorMessage, UserError } from '../core/errors.ts'
import { type Logger, logger } from '../core/log.ts'

export interface LockInfo {
  pid: number
  host: string
  /** Linux boot id (/proc/sys/kernel/random/boot_id), when available: a reboot makes a lock stale. */
  bootId?: string
  /** Wall clock, Unix seconds, when the lock was taken. */
  since: number
  /** What holds it ("mediastrends run"). */
  command: string
}

export interface HeldLock {
  file: string
  info: LockInfo
  /** The stale lock this one replaced, if any. */
  tookOver?: { info: LockInfo | undefined; reason: string }
  /** Remove the lock (only if it is still ours). Safe to call twice. */
  release(): void
}

/** Where the lock of a database lives. */
export const lockFileFor = (dbPath: string): string => `${dbPath}.lock`

export interface Here {
  host: string
  bootId?: string
  /** Is this pid running on this host? */
  alive(pid: number): boolean
}

export function readBootId(): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || undefined
  } catch {
    return undefined
  }
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

export const thisHost = (): Here => ({ host: hostname(), bootId: readBootId(), alive: pidAlive })

/**
 * Why a lock is stale (its holder is certainly gone), or undefined when it may still be held.
 * Pure: the caller says where we are and which pids are alive.
 */
export function staleReason(info: LockInfo, here: Here): string | undefined {
  if (info.host !== here.host) return undefined
  if (info.bootId && here.bootId && info.bootId !== here.bootId) return 'the machine has restarted since'
  if (!here.alive(info.pid)) return `process ${info.pid} is no longer running`
  return undefined
}

/** Parse a lock file's text; undefined when it is not a lock we wrote. */
export function parseLock(text: string): LockInfo | undefined {
  try {
    const v = JSON.parse(text) as Partial<LockInfo>
    if (typeof v.pid !== 'number' || typeof v.host !== 'string' || typeof v.since !== 'number') return undefined
    return {
      pid: v.pid,
      host: v.host,
      since: v.since,
      command: typeof v.command === 'string' ? v.command : '?',
      ...(typeof v.bootId === 'string' ? { bootId: v.bootId } : {}),
    }
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

/** A lock file with no readable content older than this is stale (a writer died mid-write). */
const UNREADABLE_STALE_S = 10
/** A take-over mutex older than this is stale (its holder died during the few µs it is held). */
const MUTEX_STALE_MS = 10_000
const ATTEMPTS = 50

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new UserError(`${file}: cannot read the run lock: ${errorMessage(err)}`)
  }
}

/** Create `file` with `content` only if it does not exist. False when it exists. */
function createExclusive(file: string, content: string): boolean {
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`
  try {
    writeFileSync(tmp, content, { flag: 'wx' })
  } catch (err) {
    throw new UserError(`${tmp}: cannot write the run lock: ${errorMessage(err)}`)
  }
  try {
    linkSync(tmp, file)
    return true
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'EEXIST') return false
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') {
      throw new UserError(`${file}: cannot create the run lock: ${errorMessage(err)}`)
    }
    // A file system without hard links: O_EXCL (a reader may briefly see it empty).
    try {
      writeFileSync(file, content, { flag: 'wx' })
      return true
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false
      throw new UserError(`${file}: cannot create the run lock: ${errorMessage(e)}`)
    }
  } finally {
    try {
      unlinkSync(tmp)
    } catch {
      // already gone
    }
  }
}

function unlinkQuiet(file: string): void {
  try {
    unlinkSync(file)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
}

/** Remove a stale lock if it still holds `staleText`; serialised with other take-overs. (Exported for tests.) */
export function removeStale(file: string, staleText: string): 'removed' | 'busy' | 'changed' {
  const mutex = `${file}.takeover`
  let got = false
  try {
    writeFileSync(mutex, String(process.pid), { flag: 'wx' })
    got = true
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new UserError(`${mutex}: cannot take over the stale run lock: ${errorMessage(err)}`)
    }
    try {
      if (Date.now() - statSync(mutex).mtimeMs > MUTEX_STALE_MS) unlinkQuiet(mutex)
    } catch {
      // gone meanwhile
    }
    return 'busy'
  }
  try {
    if (readText(file) !== staleText) return 'changed'
    unlinkQuiet(file)
    return 'removed'
  } finally {
    if (got) unlinkQuiet(mutex)
  }
}

export interface AcquireOptions {
  command?: string
  /** Where the take-over of a stale lock is told (default: the 'run' logger). */
  log?: Logger
  here?: Here
  /** Wall clock in Unix seconds (tests). */
  nowSeconds?: () => number
}

/**
 * Take the lock of `file`, or throw a UserError with exit code EXIT_LOCKED naming its holder.
 * A stale lock (holder dead on this host) is taken over with a warning.
 */
export function acquireLock(file: string, opts: AcquireOptions = {}): HeldLock {
  const here = opts.here ?? thisHost()
  const log = opts.log ?? logger('run')
  const now = opts.nowSeconds ?? (() => Math.floor(Date.now() / 1000))
  const info: LockInfo = {
    pid: process.pid,
    host: here.host,
    ...(here.bootId ? { bootId: here.bootId } : {}),
    since: now(),
    command: opts.command ?? 'mediastrends run',
  }
  const content = `${JSON.stringify(info)}\n`
  try {
    mkdirSync(dirname(file), { recursive: true })
  } catch (err) {
    throw new UserError(`${dirname(file)}: cannot create the database folder: ${errorMessage(err)}`)
  }
  let tookOver: HeldLock['tookOver']
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    if (createExclusive(file, content)) {
      let released = false
      const release = () => {
        if (released) return
        released = true
        process.removeListener('exit', release)
        try {
          if (readText(file) === content) unlinkQuiet(file)
        } catch (err) {
          log.warn(`${file}: could not remove the run lock: ${errorMessage(err)}`)
        }
      }
      // process.exit() mid-run still frees the lock; kill -9 leaves a stale one (taken over later).
      process.on('exit', release)
      return { file, info, tookOver, release }
    }
    const text = readText(file)
    if (text === undefined) continue // released meanwhile: try again
    const holder = parseLock(text)
    let reason: string | undefined
    if (holder) reason = staleReason(holder, here)
    else {
      let age = 0
      try {
        age = Date.now() / 1000 - statSync(file).mtimeMs / 1000
      } catch {
        continue
      }
      if (age > UNREADABLE_STALE_S) reason = 'its lock file is unreadable'
      else {
        sleepSync(20) // being written right now (O_EXCL fallback)
        continue
      }
    }
    if (!reason) {
      throw new UserError(`another run holds the lock: ${holder ? describeLock(holder, now()) : 'unknown holder'}`, {
        exitCode: EXIT_LOCKED,
        details: [
          `lock file: ${file}`,
          holder && holder.host !== here.host
            ? `it was taken on another host (${holder.host}); if no run is going on there, delete the lock file`
            : 'wait for it to finish; if that process is stuck, stop it and run again',
        ],
      })
    }
    const outcome = removeStale(file, text)
    if (outcome === 'removed') {
      tookOver = { info: holder, reason }
      log.warn(
        `taking over a stale run lock (${reason}): ${holder ? describeLock(holder, now()) : 'unknown holder'}; ${file}`,
      )
    } else if (outcome === 'busy') sleepSync(20)
  }
  throw new UserError(
    `${file}: could not take the run lock after ${ATTEMPTS} attempts (other runs keep racing for it)`,
    {
      exitCode: EXIT_LOCKED,
    },
  )
}

/**
 * Run `fn` holding the run lock of the database at `dbPath` (no lock for ':memory:'). Used by
 * `mediastrends run`; single pipeline steps run from the CLI can take it too, so that they never
 * overlap a run.
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
