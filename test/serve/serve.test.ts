/**
 * `serve` in-process with injected steps and build (fast): two scheduled cycles seconds apart, a
 * stop in the middle of a step (no row left running, the lock released), a restart that waits
 * for its turn, /healthz values, and a stop while waiting.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { type Context, makeContext, type StepResult } from '../../pipeline/context.ts'
import { systemClock } from '../../pipeline/core/clock.ts'
import { memoryLog } from '../../pipeline/core/log.ts'
import { acquireLock, lockFileFor } from '../../pipeline/run/lock.ts'
import type { RunStep } from '../../pipeline/run/steps.ts'
import type { BuildOutcome } from '../../pipeline/serve/build.ts'
import { swapIn } from '../../pipeline/serve/build.ts'
import { lastRun, STOPPED, serve } from '../../pipeline/serve/command.ts'
import { makeConfigDir, type TestConfigDir } from '../helpers/config.ts'

const cleanups: (() => void | Promise<void>)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

function setup(serveIni: string): { dirs: TestConfigDir; ctx: Context; logs: ReturnType<typeof memoryLog> } {
  const dirs = makeConfigDir({ ini: `[serve]\nhost = 127.0.0.1\nport = 0\njitter = 0\n${serveIni}\n` })
  const logs = memoryLog()
  const ctx = makeContext({ clock: systemClock, loadConfig: () => dirs.load(), log: logs.log })
  cleanups.push(() => {
    ctx.close()
    dirs.cleanup()
  })
  return { dirs, ctx, logs }
}

const ok = (counts: Record<string, number> = {}): StepResult => ({ counts, errors: [], ok: true })

/** A build that writes a one-page site the way the real one swaps it in. */
const fakeBuild =
  (calls: number[]) =>
  async (siteDir: string): Promise<BuildOutcome> => {
    calls.push(Date.now())
    const dir = join(siteDir, `build-${String(calls.length).padStart(4, '0')}`)
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, 'index.html'), `<h1>build ${calls.length}</h1>`)
    swapIn(siteDir, dir)
    return { ok: true, dir, pages: 1, seconds: 0 }
  }

interface Row {
  step: string
  status: string
  started_at: number
  errors: string | null
}
const rows = (ctx: Context) =>
  ctx.db().$client.prepare('SELECT step, status, started_at, errors FROM runs ORDER BY id').all() as Row[]

async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const t0 = Date.now()
  while (!(await cond())) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}

describe('serve (injected pipeline)', () => {
  it('runs two scheduled cycles seconds apart, builds after each, serves the last build and /healthz', async () => {
    const { ctx, dirs } = setup('interval = 2s\nmin_interval = 0')
    const runsAt: number[] = []
    const builds: number[] = []
    const steps = (): RunStep[] => [
      {
        name: 'torrents add',
        target: 'demo/movies',
        run: async () => {
          runsAt.push(Date.now())
          return ok({ added: 1 })
        },
      },
      { name: 'torrents trends compute', target: null, run: async () => ok() },
    ]
    const stop = new AbortController()
    let url = ''
    const done = serve(ctx, {
      steps,
      build: fakeBuild(builds),
      stop: stop.signal,
      signals: false,
      onListening: (u) => {
        url = u
      },
    })
    await until('two builds', () => builds.length >= 2)
    const home = await fetch(`${url}/`)
    expect(home.status).toBe(200)
    expect(await home.text()).toMatch(/<h1>build [23]<\/h1>/)
    const hz = await fetch(`${url}/healthz`)
    expect(hz.status).toBe(200)
    const body = (await hz.json()) as Record<string, unknown>
    expect(body).toMatchObject({ status: 'ok', consecutiveFailures: 0, lastBuild: { ok: true, pages: 1 } })
    stop.abort()
    expect(await done).toBe(0)
    // The second run began about one interval after the first (seconds apart, not at once; the
    // runs table keeps whole seconds, so 2 s after a start recorded as its second).
    const gap = (runsAt[1] ?? 0) - (runsAt[0] ?? 0)
    expect(gap).toBeGreaterThanOrEqual(1000)
    expect(gap).toBeLessThan(10_000)
    const r = rows(ctx)
    expect(r.filter((x) => x.step === 'run' && x.status === 'ok').length).toBeGreaterThanOrEqual(2)
    expect(r.filter((x) => x.status === 'running')).toEqual([])
    // the lock is free, its info file gone
    const dbPath = join(dirs.dir, 'data', 'mediastrends.db')
    expect(existsSync(lockFileFor(dbPath))).toBe(false)
    acquireLock(lockFileFor(dbPath)).release()
    // the server is closed
    await expect(fetch(`${url}/`)).rejects.toThrow()
  })

  it('a stop during a step lets that step finish, records the others as not run, then a restart makes up for it', async () => {
    const { ctx, dirs } = setup('interval = 4h\nmin_interval = 2s')
    let release = () => {}
    const blocker = new Promise<void>((r) => {
      release = r
    })
    let started = false
    let secondRan = false
    const steps = (): RunStep[] => [
      {
        name: 'torrents add',
        target: 'demo/movies',
        run: async () => {
          started = true
          await blocker
          return ok({ added: 3 })
        },
      },
      {
        name: 'torrents trends compute',
        target: null,
        run: async () => {
          secondRan = true
          return ok()
        },
      },
    ]
    const builds: number[] = []
    const stop = new AbortController()
    const done = serve(ctx, { steps, build: fakeBuild(builds), stop: stop.signal, signals: false })
    await until('the first step', () => started)
    stop.abort()
    // mid-step: the lock is still held
    const dbPath = join(dirs.dir, 'data', 'mediastrends.db')
    expect(() => acquireLock(lockFileFor(dbPath))).toThrow(/another run holds the lock/)
    release()
    expect(await done).toBe(0)
    expect(secondRan).toBe(false)
    expect(builds).toEqual([]) // nothing built or published after a stop
    const r = rows(ctx)
    expect(r.map((x) => [x.step, x.status])).toEqual([
      ['run', 'failed'],
      ['torrents add', 'ok'],
      ['torrents trends compute', 'failed'],
    ])
    expect(JSON.parse(r[2]?.errors ?? '[]')).toEqual([STOPPED])
    acquireLock(lockFileFor(dbPath)).release()
    const last = lastRun(ctx)
    expect(last?.stopped).toBe(true)

    // Restart: the stopped run is made up for min_interval (2 s) after it began, not 4 h later.
    const again = new AbortController()
    let runs2 = 0
    const done2 = serve(ctx, {
      steps: () => [
        {
          name: 'torrents add',
          target: 'demo/movies',
          run: async () => {
            runs2++
            return ok()
          },
        },
      ],
      build: fakeBuild(builds),
      stop: again.signal,
      signals: false,
    })
    // no site yet: one build from the database at once, then the make-up run and its build
    await until('the make-up run', () => runs2 === 1 && builds.length >= 2)
    again.abort()
    expect(await done2).toBe(0)
    expect(runs2).toBe(1)
    const made = rows(ctx).filter((x) => x.step === 'run')
    expect((made[1]?.started_at ?? 0) - (made[0]?.started_at ?? 0)).toBeGreaterThanOrEqual(2)
  })

  it('a restart resumes on schedule: no run at start when the last one is recent; /healthz says when', async () => {
    const { ctx } = setup('interval = 4h\nmin_interval = 1h')
    const startedAt = Math.floor(Date.now() / 1000) - 600
    ctx
      .db()
      .$client.prepare(
        `INSERT INTO runs (step, target, clock, started_at, ended_at, status, counts, errors)
         VALUES ('run', NULL, ?, ?, ?, 'ok', '{"steps":9,"stepsFailed":0}', '[]')`,
      )
      .run(startedAt, startedAt, startedAt + 60)
    let ran = 0
    const builds: number[] = []
    const stop = new AbortController()
    let url = ''
    const done = serve(ctx, {
      steps: () => [
        {
          name: 'torrents add',
          target: 'x/movies',
          run: async () => {
            ran++
            return ok()
          },
        },
      ],
      build: fakeBuild(builds),
      stop: stop.signal,
      signals: false,
      onListening: (u) => {
        url = u
      },
    })
    // no site yet: it is built from the database at once, without a run
    await until('the first build', () => builds.length === 1)
    await until(
      'the wait',
      async () => ((await (await fetch(`${url}/healthz`)).json()) as { phase: string }).phase === 'idle',
    )
    const h = (await (await fetch(`${url}/healthz`)).json()) as Record<string, unknown>
    expect(h).toMatchObject({
      status: 'ok',
      lastRun: { status: 'ok', steps: 9, stepsFailed: 0 },
      nextRunAt: new Date((startedAt + 4 * 3600) * 1000).toISOString().replace('.000Z', 'Z'),
    })
    stop.abort()
    expect(await done).toBe(0)
    expect(ran).toBe(0)
  })

  it('/healthz turns 503 after [serve] unhealthy_after failed cycles in a row (every fetch step failed)', async () => {
    const { ctx } = setup('interval = 1s\nmin_interval = 0\nunhealthy_after = 2')
    const builds: number[] = []
    const stop = new AbortController()
    let url = ''
    let n = 0
    const done = serve(ctx, {
      steps: () => [
        {
          name: 'torrents add',
          target: 'jackett/movies',
          run: async () => {
            n++
            return { counts: {}, errors: ['http://jackett:9117/…: connection refused'], ok: false }
          },
        },
        { name: 'torrents trends compute', target: null, run: async () => ok() },
      ],
      build: fakeBuild(builds),
      stop: stop.signal,
      signals: false,
      onListening: (u) => {
        url = u
      },
    })
    await until('one failed cycle', () => builds.length >= 1)
    await until(
      'idle',
      async () => ((await (await fetch(`${url}/healthz`)).json()) as { phase: string }).phase === 'idle',
    )
    const first = await fetch(`${url}/healthz`)
    expect(first.status).toBe(200)
    expect(await first.json()).toMatchObject({ status: 'degraded', consecutiveFailures: 1 })
    await until('two failed cycles', () => builds.length >= 2 && n >= 2)
    await until('503', async () => (await fetch(`${url}/healthz`)).status === 503)
    const h = (await (await fetch(`${url}/healthz`)).json()) as Record<string, unknown>
    expect(h).toMatchObject({ status: 'failing', lastRun: { status: 'failed' } })
    expect(String((h.lastCycle as { error: string }).error)).toContain('every fetch step failed')
    stop.abort()
    expect(await done).toBe(0)
  })
})

describe('serve (mistakes)', () => {
  it('a port in use is one clear message naming the key, exit 2; --now is refused', async () => {
    const { createServer } = await import('node:net')
    const busy = createServer()
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r))
    cleanups.push(() => new Promise<void>((r) => busy.close(() => r())))
    const port = (busy.address() as { port: number }).port
    const { ctx } = setup(`port = ${port}`)
    const err = await serve(ctx, { signals: false, steps: () => [] }).catch((e: unknown) => e)
    expect(err).toMatchObject({ exitCode: 2 })
    expect(String((err as Error).message)).toBe(`[serve] host 127.0.0.1 port ${port}: cannot listen (port in use)`)
    const { fixedClock } = await import('../../pipeline/core/clock.ts')
    const dirs = makeConfigDir()
    cleanups.push(() => dirs.cleanup())
    const fixed = makeContext({ clock: fixedClock(new Date()), loadConfig: () => dirs.load() })
    await expect(serve(fixed, { signals: false })).rejects.toThrow(/wall clock/)
  })
})
