/**
 * `mediastrends run`: the plan, failure isolation, the runs table, the lock (concurrent runs,
 * stale locks) and recovery after kill -9 (a real child process killed mid-write).
 */
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { dirname, join } from 'node:path'
import { createInterface } from 'node:readline'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { type Context, makeContext, type StepResult } from '../../pipeline/context.ts'
import { fixedClock } from '../../pipeline/core/clock.ts'
import { EXIT_LOCKED, EXIT_PARTIAL_FAILURE, UserError } from '../../pipeline/core/errors.ts'
import { logger } from '../../pipeline/core/log.ts'
import { INTERRUPTED, runAll, runPipeline } from '../../pipeline/run/command.ts'
import { acquireLock, type HeldLock, lockFileFor, parseLock, withLock } from '../../pipeline/run/lock.ts'
import { planSteps, type RunStep } from '../../pipeline/run/steps.ts'
import { makeConfigDir, type TestConfigDir } from '../helpers/config.ts'
import { BATCH, BATCHES } from './fixtures/batches.ts'

const ROOT = join(import.meta.dirname, '..', '..')
const cleanups: (() => void | Promise<void>)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

function setup(files: Parameters<typeof makeConfigDir>[0] = {}): {
  dirs: TestConfigDir
  ctx: (now?: string) => Context
  dbPath: string
} {
  const dirs = makeConfigDir(files)
  const contexts: Context[] = []
  cleanups.push(() => {
    for (const c of contexts) c.close()
    dirs.cleanup()
  })
  const ctx = (now = '2026-01-15T12:00:00Z') => {
    const c = makeContext({ clock: fixedClock(new Date(now)), loadConfig: () => dirs.load() })
    contexts.push(c)
    return c
  }
  return { dirs, ctx, dbPath: join(dirs.dir, 'data', 'mediastrends.db') }
}

const ok = (counts: Record<string, number> = {}): StepResult => ({ counts, errors: [], ok: true })
const step = (name: string, target: string | null, run: RunStep['run']): RunStep => ({ name, target, run })

interface RunRow {
  id: number
  step: string
  target: string | null
  status: string
  counts: string | null
  errors: string | null
}
const runRows = (ctx: Context) =>
  ctx.db().$client.prepare('SELECT id, step, target, status, counts, errors FROM runs ORDER BY id').all() as RunRow[]

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {}
  const promise = new Promise<void>((r) => {
    resolve = r
  })
  return { promise, resolve }
}

describe('planSteps', () => {
  it('follows the Makefile DAG: active indexer categories, active trackers, then scoring and grouping', () => {
    const tr = (active: boolean) => ({ active, scheme: 'udp' as const, netloc: '127.0.0.1:1', path: '' })
    const cat = (active: boolean) => ({ key: 'x', active, action: 'search' as const, params: {} })
    const config = {
      indexers: {
        indexer_file: 'indexers.yaml',
        entries: {
          ygg: { trackers: [], categories: { movies: cat(true), series: cat(false) } },
          other: { trackers: [], categories: { series: cat(true), movies: cat(true) } },
        },
      },
      trackers: {
        tracker_file: 'trackers.yaml',
        entries: { a: { ...tr(true), name: 'a' }, off: { ...tr(false), name: 'off' }, b: { ...tr(true), name: 'b' } },
      },
    }
    expect(planSteps(config).map((s) => [s.name, s.target])).toEqual([
      ['torrents add', 'ygg/movies'],
      ['torrents add', 'other/movies'],
      ['torrents add', 'other/series'],
      ['torrents stats', 'a'],
      ['torrents stats', 'b'],
      ['torrents trends compute', null],
      ['torrents status', null],
      ['movies compute', null],
      ['series compute', null],
      ['site data', null],
    ])
    expect(planSteps(config, { stats: 'together' }).filter((s) => s.name === 'torrents stats')).toHaveLength(1)
    expect(
      planSteps({ indexers: { indexer_file: 'i', entries: {} }, trackers: { tracker_file: 't', entries: {} } }).map(
        (s) => s.name,
      ),
    ).toEqual(['torrents trends compute', 'torrents status', 'movies compute', 'series compute', 'site data'])
  })
})

describe('runPipeline', () => {
  it('reports a dead indexer and a dead tracker, and runs every other step', async () => {
    const { ctx } = setup()
    const c = ctx()
    const ran: string[] = []
    const steps = [
      step('torrents add', 'dead/movies', async () => {
        ran.push('add dead')
        throw new Error('feed of dead/movies: ECONNREFUSED; gave up after 3 attempt(s)')
      }),
      step('torrents add', 'live/movies', async () => {
        ran.push('add live')
        return ok({ added: 4 })
      }),
      step('torrents stats', 'dead', async () => {
        ran.push('stats dead')
        return { counts: { answered: 0, failed: 4 }, errors: ['tracker dead: timed out'], ok: false }
      }),
      step('torrents stats', 'live', async () => {
        ran.push('stats live')
        return ok({ answered: 4, failed: 0 })
      }),
      step('torrents trends compute', null, async () => {
        ran.push('trends')
        return ok({ scored: 4 })
      }),
      step('series compute', null, async () => {
        ran.push('series')
        return ok()
      }),
    ]
    const code = await runAll(c, steps)
    expect(code).toBe(EXIT_PARTIAL_FAILURE)
    expect(ran).toEqual(['add dead', 'add live', 'stats dead', 'stats live', 'trends', 'series'])

    const rows = runRows(c)
    expect(rows.map((r) => [r.step, r.target, r.status])).toEqual([
      ['run', null, 'failed'],
      ['torrents add', 'dead/movies', 'failed'],
      ['torrents add', 'live/movies', 'ok'],
      ['torrents stats', 'dead', 'failed'],
      ['torrents stats', 'live', 'ok'],
      ['torrents trends compute', null, 'ok'],
      ['series compute', null, 'ok'],
    ])
    const run = rows[0] as RunRow
    expect(JSON.parse(run.counts ?? '{}')).toMatchObject({
      steps: 6,
      stepsFailed: 2,
      failed: 4,
      added: 4,
      answered: 4,
      scored: 4,
    })
    expect(JSON.parse(run.errors ?? '[]')).toEqual([
      'torrents add dead/movies: feed of dead/movies: ECONNREFUSED; gave up after 3 attempt(s)',
      'torrents stats dead: tracker dead: timed out',
    ])
    expect(JSON.parse(rows[1]?.errors ?? '[]')).toEqual([
      'feed of dead/movies: ECONNREFUSED; gave up after 3 attempt(s)',
    ])
    expect(existsSync(lockFileFor(c.config().sqlite.path))).toBe(false)
  })

  it("skips torrents status when this run's trends compute failed (an older trend run would unfollow torrents)", async () => {
    const { ctx } = setup()
    const c = ctx()
    const ran: string[] = []
    const code = await runAll(c, [
      step('torrents trends compute', null, async () => {
        ran.push('trends')
        throw new Error('database is locked')
      }),
      step('torrents status', null, async () => {
        ran.push('status')
        return ok()
      }),
      step('movies compute', null, async () => {
        ran.push('movies')
        return ok()
      }),
    ])
    expect(code).toBe(EXIT_PARTIAL_FAILURE)
    expect(ran).toEqual(['trends', 'movies'])
    expect(JSON.parse(runRows(c)[0]?.errors ?? '[]')).toEqual([
      'torrents trends compute: database is locked',
      'torrents status: skipped: torrents trends compute failed in this run',
    ])
  })

  it('scrapes the trackers side by side: a slow tracker does not hold up the others', async () => {
    const { ctx } = setup()
    const c = ctx()
    const finished: string[] = []
    let release: () => void = () => undefined
    const slowGate = new Promise<void>((r) => {
      release = r
    })
    const code = await runAll(c, [
      step('torrents stats', 'slow', async () => {
        await slowGate // answers only once the fast tracker is done
        finished.push('slow')
        return ok({ answered: 1 })
      }),
      step('torrents stats', 'fast', async () => {
        finished.push('fast')
        release()
        return ok({ answered: 2 })
      }),
      step('torrents trends compute', null, async () => {
        finished.push('trends')
        return ok()
      }),
    ])
    expect(code).toBe(0)
    expect(finished).toEqual(['fast', 'slow', 'trends'])
    expect(runRows(c).map((r) => [r.step, r.target, r.status])).toEqual([
      ['run', null, 'ok'],
      ['torrents stats', 'slow', 'ok'],
      ['torrents stats', 'fast', 'ok'],
      ['torrents trends compute', null, 'ok'],
    ])
  })

  it('exits 0 when every step is ok, and prints a JSON summary with --json', async () => {
    const { dirs } = setup()
    const c = makeContext({
      clock: fixedClock(new Date('2026-01-15T12:00:00Z')),
      json: true,
      loadConfig: () => dirs.load(),
    })
    cleanups.push(() => c.close())
    const lines: string[] = []
    const write = process.stdout.write
    process.stdout.write = ((s: string) => lines.push(s)) as unknown as typeof process.stdout.write
    let code: number
    try {
      code = await runAll(c, [step('torrents status', null, async () => ok({ changed: 2 }))])
    } finally {
      process.stdout.write = write
    }
    expect(code).toBe(0)
    const summary = JSON.parse(lines.join(''))
    expect(summary).toMatchObject({ ok: true, failed: 0, interrupted: 0, counts: { changed: 2 } })
    expect(summary.steps).toEqual([
      {
        step: 'torrents status',
        target: null,
        ok: true,
        counts: { changed: 2 },
        errors: [],
        seconds: expect.any(Number),
      },
    ])
    expect(runRows(c).map((r) => [r.step, r.status])).toEqual([
      ['run', 'ok'],
      ['torrents status', 'ok'],
    ])
  })

  it('refuses a second concurrent run on the same database, naming the holder', async () => {
    const { ctx, dbPath } = setup()
    const first = ctx()
    const gate = deferred()
    const started = deferred()
    const running = runPipeline(first, [
      step('torrents add', 'slow/movies', async () => {
        started.resolve()
        await gate.promise
        return ok({ added: 1 })
      }),
    ])
    await started.promise
    const holder = parseLock(readFileSync(lockFileFor(dbPath), 'utf8'))
    expect(holder).toMatchObject({ pid: process.pid, host: hostname(), command: 'mediastrends run' })

    const second = ctx()
    const ran: string[] = []
    const err = await runPipeline(second, [
      step('torrents status', null, async () => {
        ran.push('x')
        return ok()
      }),
    ]).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(UserError)
    expect((err as UserError).exitCode).toBe(EXIT_LOCKED)
    expect((err as UserError).message).toMatch(
      new RegExp(`another run holds the lock: pid ${process.pid} on ${hostname()} \\(mediastrends run\\), since `),
    )
    expect((err as UserError).details.join('\n')).toContain(lockFileFor(dbPath))
    expect(ran).toEqual([])
    // A single step taking the same lock (as the CLI's steps can) is refused too.
    const single = await withLock(dbPath, 'mediastrends torrents stats', logger('run'), async () => 'ran').catch(
      (e: UserError) => e,
    )
    expect((single as UserError).exitCode).toBe(EXIT_LOCKED)

    gate.resolve()
    expect((await running).ok).toBe(true)
    expect(existsSync(lockFileFor(dbPath))).toBe(false)
    // Once the first is done, a new run goes ahead.
    expect((await runPipeline(ctx(), [step('torrents status', null, async () => ok())])).ok).toBe(true)
    // The refused run left no row: only the two runs that ran are recorded.
    expect(runRows(first).filter((r) => r.step === 'run')).toHaveLength(2)
  })

  it('takes over the lock a dead process left, marking its unfinished rows interrupted', async () => {
    const { ctx, dbPath } = setup()
    const c = ctx()
    // A run that died: a 'run' row and a step row left 'running', and its lock file.
    const db = c.db()
    db.$client
      .prepare("INSERT INTO runs (step, target, clock, started_at, status) VALUES ('run', NULL, 1, 1, 'running')")
      .run()
    db.$client
      .prepare(
        "INSERT INTO runs (step, target, clock, started_at, status) VALUES ('torrents stats', 'a', 1, 1, 'running')",
      )
      .run()
    const dead = spawnSync(process.execPath, ['-e', '0']).pid
    expect(dead).toBeGreaterThan(0)
    writeFileSync(
      lockFileFor(dbPath),
      JSON.stringify({ pid: dead, host: hostname(), since: 1_700_000_000, command: 'mediastrends run' }),
    )
    let held: HeldLock | undefined
    const s = await runPipeline(c, [step('torrents status', null, async () => ok())], {
      onStarted: (l) => {
        held = l
      },
    })
    expect(s.ok).toBe(true)
    expect(s.interrupted).toBe(2)
    expect(held?.tookOver?.reason).toBe(`process ${dead} on ${hostname()} is gone`)
    expect(held?.tookOver?.info?.pid).toBe(dead)
    const rows = runRows(c)
    expect(rows.slice(0, 2).map((r) => [r.step, r.status, JSON.parse(r.errors ?? '[]')])).toEqual([
      ['run', 'failed', [INTERRUPTED]],
      ['torrents stats', 'failed', [INTERRUPTED]],
    ])
    expect(rows.slice(2).map((r) => [r.step, r.status])).toEqual([
      ['run', 'ok'],
      ['torrents status', 'ok'],
    ])
    expect(existsSync(lockFileFor(dbPath))).toBe(false)
  })

  it('takes over the info a run on another host (an older container) left: the lock itself died with it', async () => {
    const { ctx, dbPath } = setup()
    mkdirSync(dirname(dbPath), { recursive: true })
    writeFileSync(
      lockFileFor(dbPath),
      JSON.stringify({ pid: 1, host: 'old-container-3f2a', since: 1_700_000_000, command: 'mediastrends run' }),
    )
    let held: HeldLock | undefined
    const s = await runPipeline(ctx(), [], { onStarted: (l) => (held = l) })
    expect(s.ok).toBe(true)
    expect(held?.tookOver?.reason).toBe('process 1 on old-container-3f2a is gone')
    expect(existsSync(lockFileFor(dbPath))).toBe(false)
  })
})

describe('lock', () => {
  // A process that takes the lock, says LOCKED, and holds it until killed.
  const holderScript = (file: string) =>
    `const { acquireLock } = await import(${JSON.stringify(join(ROOT, 'pipeline/run/lock.ts'))});` +
    `acquireLock(${JSON.stringify(file)}); process.stdout.write('LOCKED ' + process.pid + '\\n'); setInterval(() => {}, 1000)`
  /** Start `cmd` (which runs the holder), wait until it holds the lock; returns it and the pid it saw. */
  async function holder(cmd: string[], file: string) {
    const child = spawn(
      cmd[0] as string,
      [...cmd.slice(1), process.execPath, '--import', 'tsx', '--input-type=module', '-e', holderScript(file)],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    )
    cleanups.push(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    })
    const pid = await new Promise<number>((resolve, reject) => {
      let out = ''
      child.stdout?.on('data', (d) => {
        out += String(d)
        const m = /LOCKED (\d+)/.exec(out)
        if (m) resolve(Number(m[1]))
      })
      child.once('exit', (code) => reject(new Error(`the holder ended early (exit ${code})`)))
    })
    return { child, pid }
  }
  const canUnshare = process.getuid?.() === 0 && spawnSync('unshare', ['-p', '-f', '--mount-proc', 'true']).status === 0

  it.skipIf(!canUnshare)(
    'in a fresh PID namespace (a container: the holder is pid 1): refused while it lives, taken over after kill -9',
    async () => {
      const { dirs } = setup()
      const file = join(dirs.dir, 'ns.lock')
      const { child, pid } = await holder(['unshare', '-p', '-f', '--mount-proc'], file)
      expect(pid).toBe(1) // as in every container
      expect(parseLock(readFileSync(file, 'utf8'))?.pid).toBe(1)
      // pid 1 is alive here too (init): a pid check would be fooled either way; the lock is not
      expect(() => acquireLock(file)).toThrow(/another run holds the lock: pid 1 on /)
      // kill -9 the namespace's pid 1 itself (seen from here under its outer pid); unshare then ends
      const inner = Number(readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(' ')[0])
      process.kill(inner, 'SIGKILL')
      await new Promise((r) => (child.exitCode === null ? child.once('exit', r) : r(null)))
      const taken = acquireLock(file, { log: logger('test') })
      expect(taken.tookOver?.info?.pid).toBe(1)
      taken.release()
    },
  )

  it.skipIf(!canUnshare)('after a hostname change (a new container on the same volume)', async () => {
    const { dirs } = setup()
    const file = join(dirs.dir, 'uts.lock')
    const { child } = await holder(['unshare', '-u', 'sh', '-c', 'hostname old-container-1 && exec "$0" "$@"'], file)
    expect(parseLock(readFileSync(file, 'utf8'))?.host).toBe('old-container-1')
    expect(() => acquireLock(file)).toThrow(/another run holds the lock: pid \d+ on old-container-1/)
    child.kill('SIGKILL')
    await new Promise((r) => child.once('exit', r))
    const taken = acquireLock(file, { log: logger('test') })
    expect(taken.tookOver?.reason).toMatch(/ on old-container-1 is gone$/)
    taken.release()
    expect(existsSync(file)).toBe(false)
  })

  it('lets exactly one of many racing take-overs of a stale lock win', async () => {
    const { dirs } = setup()
    const file = join(dirs.dir, 'race.lock')
    const dead = spawnSync(process.execPath, ['-e', '0']).pid
    writeFileSync(file, JSON.stringify({ pid: dead, host: hostname(), since: 1, command: 'x' }))
    // Child processes start, say READY, then all try to take the lock at once when told GO; each
    // holds it (if it got it) until its stdin closes.
    const script = `
      const { acquireLock } = await import(${JSON.stringify(join(ROOT, 'pipeline/run/lock.ts'))})
      const { createInterface } = await import('node:readline')
      const rl = createInterface({ input: process.stdin })
      process.stdout.write('READY\\n')
      rl.once('line', () => {
        try { acquireLock(process.argv[1]); process.stdout.write('WON\\n') }
        catch (e) { process.stdout.write((e.exitCode === ${EXIT_LOCKED} ? 'LOCKED' : 'ERROR ' + e.message) + '\\n') }
      })
      rl.once('close', () => process.exit(0))`
    const kids = Array.from({ length: 6 }, () =>
      spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, file], {
        cwd: ROOT,
        stdio: ['pipe', 'pipe', 'inherit'],
      }),
    )
    cleanups.push(() => {
      for (const k of kids) if (k.exitCode === null) k.kill('SIGKILL')
    })
    const lines = kids.map((k) => {
      const rl = createInterface({ input: k.stdout as NodeJS.ReadableStream })
      const queue: string[] = []
      const waiters: ((l: string) => void)[] = []
      rl.on('line', (l) => {
        const w = waiters.shift()
        if (w) w(l)
        else queue.push(l)
      })
      return () => new Promise<string>((r) => (queue.length ? r(queue.shift() as string) : waiters.push(r)))
    })
    expect(await Promise.all(lines.map((next) => next()))).toEqual(Array(6).fill('READY'))
    for (const k of kids) k.stdin?.write('go\n')
    const answers = await Promise.all(lines.map((next) => next()))
    for (const k of kids) k.stdin?.end()
    await Promise.all(kids.map((k) => new Promise((r) => (k.exitCode === null ? k.once('exit', r) : r(null)))))
    expect(answers.filter((a) => a === 'WON')).toHaveLength(1)
    expect(answers.filter((a) => a === 'LOCKED')).toHaveLength(5)
  })

  it('is released by release() and on process exit, and never removes a lock that is not its own', () => {
    const { dirs } = setup()
    const file = join(dirs.dir, 'x.lock')
    const a = acquireLock(file)
    expect(parseLock(readFileSync(file, 'utf8'))?.pid).toBe(process.pid)
    a.release()
    expect(existsSync(file)).toBe(false)
    const b = acquireLock(file)
    a.release() // a second release of an old holder must not remove b's lock
    expect(existsSync(file)).toBe(true)
    b.release()
    expect(existsSync(file)).toBe(false)
    const r = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        `const { acquireLock } = await import(${JSON.stringify(join(ROOT, 'pipeline/run/lock.ts'))}); acquireLock(process.argv[1]); process.exit(3)`,
        file,
      ],
      { cwd: ROOT, encoding: 'utf8' },
    )
    expect(r.status).toBe(3)
    expect(existsSync(file)).toBe(false)
  })
})

describe('kill -9 in the middle of a run', () => {
  it('leaves a consistent database and a stale lock that the next run takes over', async () => {
    const { dirs, dbPath, ctx } = setup()
    const fixture = join(ROOT, 'test/run/fixtures/slow-run.ts')

    const child = spawn(process.execPath, ['--import', 'tsx', fixture, dirs.dir, dirs.mode, 'slow'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    cleanups.push(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    })
    let stderr = ''
    await new Promise<void>((resolve, reject) => {
      child.stderr?.on('data', (d) => {
        stderr += String(d)
        if (stderr.includes('BATCHES-COMMITTED')) resolve()
      })
      child.once('exit', (code) => reject(new Error(`the slow run ended early (exit ${code}): ${stderr}`)))
    })
    child.kill('SIGKILL')
    await new Promise((r) => child.once('exit', r))
    expect(child.signalCode).toBe('SIGKILL')

    // What the killed run left: its lock, its rows still 'running', only whole batches.
    const lock = parseLock(readFileSync(lockFileFor(dbPath), 'utf8'))
    expect(lock?.pid).toBe(child.pid)
    const raw = new Database(dbPath)
    expect(raw.pragma('integrity_check', { simple: true })).toBe('ok')
    const left = raw.prepare("SELECT count(*) n FROM metadata_cache WHERE provider = 'test'").get() as { n: number }
    expect(left.n).toBeGreaterThanOrEqual(4 * BATCH)
    expect(left.n % BATCH).toBe(0)
    expect(
      raw.prepare('SELECT step, target, status FROM runs ORDER BY id').all() as { step: string; status: string }[],
    ).toEqual([
      { step: 'run', target: null, status: 'running' },
      { step: 'torrents add', target: 'slow/movies', status: 'running' },
    ])
    raw.close()

    // The next run (another process) is not refused, completes, and marks the killed run.
    const next = spawnSync(process.execPath, ['--import', 'tsx', fixture, dirs.dir, dirs.mode, 'fast'], {
      cwd: ROOT,
      encoding: 'utf8',
    })
    expect(next.stderr).toContain(`taking over a stale run lock (process ${child.pid} on ${hostname()} is gone)`)
    expect(next.status).toBe(0)
    const summary = JSON.parse(next.stdout)
    expect(summary).toMatchObject({ ok: true, failed: 0, interrupted: 2, counts: { written: BATCHES * BATCH } })

    const c = ctx()
    expect(c.db().$client.pragma('integrity_check', { simple: true })).toBe('ok')
    expect(runRows(c).map((r) => [r.step, r.status, JSON.parse(r.errors ?? '[]')])).toEqual([
      ['run', 'failed', [INTERRUPTED]],
      ['torrents add', 'failed', [INTERRUPTED]],
      ['run', 'ok', []],
      ['torrents add', 'ok', []],
      ['torrents trends compute', 'ok', []],
    ])
    expect(existsSync(lockFileFor(dbPath))).toBe(false)
    // Rows written before the kill are all still there (the step is idempotent: INSERT OR REPLACE).
    const n = c.db().$client.prepare("SELECT count(*) n FROM metadata_cache WHERE provider = 'test'").get() as {
      n: number
    }
    expect(n.n).toBe(Math.max(left.n, BATCHES * BATCH))
  })
})
