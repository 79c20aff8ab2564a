/**
 * `mediastrends serve`: the long-running mode of the container (and of any machine at home).
 *
 * A cycle = the pipeline (`runPipeline` with the plan of `mediastrends run`, under the run lock),
 * then the site built (`site build` in a child process, swapped in when done, see build.ts), then
 * the optional publishing (publish.ts). Cycles follow the schedule of schedule.ts: every
 * `[serve] interval` plus up to `jitter`, counted from the last run's start in the runs table, so
 * a restart waits for its turn. Meanwhile the site is served on `host:port` (static.ts) with
 * `/healthz` (health.ts).
 *
 * SIGTERM or SIGINT stops it at a safe point: while waiting, at once; during a run, the step under
 * way finishes (its transaction commits) and the steps left are recorded as not run (so no row
 * stays 'running' and the lock is released); a build under way is let finish; nothing is
 * published. Then the server closes and the process exits 0. A second signal stops at once (the
 * next run marks whatever was cut short as interrupted).
 */

import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Context, StepResult } from '../context.ts'
import { isoSeconds } from '../core/clock.ts'
import { errorMessage, UserError } from '../core/errors.ts'
import { formatSummary, type RunSummary, runPipeline } from '../run/command.ts'
import { planSteps, type RunStep } from '../run/steps.ts'
import { type BuildOutcome, buildInChild, currentBuild } from './build.ts'
import { type CycleOutcome, health, type Phase } from './health.ts'
import {
  dataBranch,
  describeTarget,
  gitEnv,
  type PublishOutcome,
  publishDir,
  publishGit,
  publishWorkDir,
  saveData,
  TOKEN_ENV,
} from './publish.ts'
import { effectiveInterval, type LastRun, nextRunAt } from './schedule.ts'
import { type SiteServer, startSiteServer } from './static.ts'

/** The error of a step serve did not start because it was stopping (also how a stopped run is told). */
export const STOPPED = 'not run: mediastrends serve was stopping (SIGTERM/SIGINT)'

/** Steps whose failure is a network one (the others are local and should never fail). */
const FETCH_STEPS = new Set(['torrents add', 'torrents stats'])

export interface ServeOptions {
  /** Global CLI options handed to child processes (-f DIR, -m MODE, -v…). */
  cliArgs?: string[]
  /** Override `[serve] host` / `port` (the CLI's --host / --port). */
  host?: string
  port?: number
  /** One cycle (run, build, publish) at its scheduled time, then exit (for cron). */
  once?: boolean
  env?: NodeJS.ProcessEnv
  /** Tests: the pipeline's steps (default: the plan of `mediastrends run`). */
  steps?: (ctx: Context) => RunStep[]
  /** Tests: the site build (default: `site build` in a child process). */
  build?: (siteDir: string) => Promise<BuildOutcome>
  /** Stop when this aborts (tests); signals are handled unless `signals` is false. */
  stop?: AbortSignal
  signals?: boolean
  random?: () => number
  /** Called once the server listens. */
  onListening?: (url: string) => void
}

interface LastRunRow {
  started_at: number
  ended_at: number | null
  status: 'running' | 'ok' | 'failed'
  counts: string | null
  errors: string | null
}

/** The newest whole-run row of the runs table. */
export function lastRun(ctx: Context): (LastRun & { steps?: number; stepsFailed?: number }) | undefined {
  const row = ctx
    .db()
    .$client.prepare(
      `SELECT started_at, ended_at, status, counts, errors FROM runs WHERE step = 'run'
       ORDER BY started_at DESC, id DESC LIMIT 1`,
    )
    .get() as LastRunRow | undefined
  if (!row) return undefined
  const parse = <T>(t: string | null): T | undefined => {
    try {
      return t ? (JSON.parse(t) as T) : undefined
    } catch {
      return undefined
    }
  }
  const counts = parse<Record<string, number>>(row.counts)
  const errors = parse<string[]>(row.errors) ?? []
  return {
    startedAt: row.started_at,
    endedAt: row.ended_at,
    status: row.status,
    stopped: errors.some((e) => e.includes(STOPPED)),
    ...(counts?.steps !== undefined ? { steps: counts.steps, stepsFailed: counts.stepsFailed ?? 0 } : {}),
  }
}

/** Judge a cycle from its run: failed when every fetch step failed or a local step failed. */
export function judgeRun(s: RunSummary): { ok: boolean; degraded: boolean; error?: string } {
  const fetch = s.steps.filter((o) => FETCH_STEPS.has(o.step))
  const local = s.steps.filter((o) => !FETCH_STEPS.has(o.step))
  const localFailed = local.find((o) => !o.ok)
  if (localFailed)
    return { ok: false, degraded: false, error: `${localFailed.step}: ${localFailed.errors[0] ?? 'failed'}` }
  if (fetch.length > 0 && fetch.every((o) => !o.ok))
    return { ok: false, degraded: false, error: `every fetch step failed: ${fetch[0]?.errors[0] ?? 'failed'}` }
  return { ok: true, degraded: !s.ok }
}

const MAX_SLEEP_MS = 60_000

/** The build needs no git token: it never sees it. */
const withoutToken = (env: NodeJS.ProcessEnv): NodeJS.ProcessEnv => {
  const { [TOKEN_ENV]: _token, ...rest } = env
  return rest
}

export async function serve(ctx: Context, opts: ServeOptions = {}): Promise<number> {
  if (ctx.clock.fixed) throw new UserError('serve runs on the wall clock: drop --now / MEDIASTRENDS_NOW')
  const config = ctx.config()
  const s = config.serve
  const log = ctx.log('serve')
  const env = opts.env ?? process.env
  const siteDir = s.site_dir
  if (opts.port !== undefined && (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535))
    throw new UserError(`serve --port: expected a port number from 0 to 65535, got "${opts.port}"`)
  if (s.publish === 'dir' && !s.publish_dir) throw new UserError('[serve] publish = dir needs publish_dir (a folder)')
  if (s.publish === 'git' && !s.publish_remote) throw new UserError('[serve] publish = git needs publish_remote')
  if (s.publish_data && !s.publish_remote) throw new UserError('[serve] publish_data = true needs publish_remote')
  if (s.interval < s.min_interval)
    log.warn(
      `[serve] interval ${s.interval} s is below min_interval ${s.min_interval} s: runs every ${s.min_interval} s`,
    )
  const siteUrl = env.SITE_URL?.trim() || config.site.base_url
  const basePath = (() => {
    try {
      return new URL(siteUrl).pathname
    } catch {
      return '/'
    }
  })()

  let phase: Phase = 'idle'
  let next: number | undefined
  const cycles: CycleOutcome[] = []
  let lastBuild: { at: number; ok: boolean; pages?: number; error?: string } | undefined
  let lastPublish: (PublishOutcome & { at: number }) | undefined
  let stopping = false
  let killChild: (() => void) | undefined
  let wake: (() => void) | undefined
  /** This process's last cycle: its start, and whether its run could not even start. */
  let previous: { at: number; threw: boolean } | undefined
  const now = () => Date.now() / 1000

  const stop = (why: string) => {
    if (stopping) return
    stopping = true
    log.info(
      `${why}: stopping${phase === 'idle' ? '' : ` after the ${{ running: 'step', building: 'site build', publishing: 'publishing', idle: '', stopping: '' }[phase]} under way`}`,
    )
    wake?.()
  }
  const onSignal = (sig: NodeJS.Signals) => {
    if (stopping && phase !== 'idle') {
      log.warn(`${sig} again: stopping now (the next run marks what was cut short as interrupted)`)
      killChild?.()
      process.exit(sig === 'SIGINT' ? 130 : 143)
    }
    stop(sig)
  }
  const useSignals = opts.signals ?? true
  if (useSignals) {
    process.on('SIGTERM', onSignal)
    process.on('SIGINT', onSignal)
  }
  const onAbort = () => stop('stop requested')
  if (opts.stop?.aborted) stopping = true
  opts.stop?.addEventListener('abort', onAbort)

  const healthz = () =>
    health({
      nowSeconds: now(),
      phase: stopping ? 'stopping' : phase,
      lastRun: lastRun(ctx),
      nextRunAt: next,
      cycles,
      lastBuild,
      lastPublish,
      schedule: s,
      unhealthyAfter: s.unhealthy_after,
    })

  let server: SiteServer
  try {
    server = await startSiteServer({
      root: () => currentBuild(siteDir),
      base: () => basePath,
      host: opts.host ?? s.host,
      port: opts.port ?? s.port,
      routes: {
        '/healthz': (_req, res) => {
          let h: ReturnType<typeof healthz>
          try {
            h = healthz()
          } catch (err) {
            h = { httpStatus: 503, body: { status: 'error', error: errorMessage(err) } }
          }
          const text = `${JSON.stringify(h.body)}\n`
          res.writeHead(h.httpStatus, {
            'content-type': 'application/json; charset=utf-8',
            'cache-control': 'no-store',
            'content-length': String(Buffer.byteLength(text)),
          })
          res.end(res.req.method === 'HEAD' ? undefined : text)
        },
      },
    })
  } catch (err) {
    process.off('SIGTERM', onSignal)
    process.off('SIGINT', onSignal)
    opts.stop?.removeEventListener('abort', onAbort)
    const code = (err as NodeJS.ErrnoException).code
    throw new UserError(
      `[serve] host ${opts.host ?? s.host} port ${opts.port ?? s.port}: cannot listen (${code === 'EADDRINUSE' ? 'port in use' : errorMessage(err)})`,
    )
  }
  log.info(`serving ${siteDir}/current at ${server.url}${basePath} (health: ${server.url}/healthz)`)
  opts.onListening?.(server.url)

  const gEnv = gitEnv(s, env, config.directory.data)
  const workDir = publishWorkDir(siteDir)
  const build =
    opts.build ??
    ((dir: string) =>
      buildInChild({
        siteDir: dir,
        cliArgs: opts.cliArgs ?? [],
        env: withoutToken({ ...env, SITE_URL: siteUrl }),
        onLine: (l) => log.debug(`build: ${l}`),
        onChild: (k) => {
          killChild = k
        },
      }))

  const doBuild = async (): Promise<BuildOutcome> => {
    phase = 'building'
    const b = await build(siteDir)
    killChild = undefined
    lastBuild = { at: now(), ok: b.ok, pages: b.pages, error: b.error }
    if (b.ok) log.success(`site built: ${b.pages ?? '?'} pages in ${b.seconds} s, served from ${b.dir}`)
    else log.warn(`site build FAILED in ${b.seconds} s: ${b.error}`)
    return b
  }

  const publish = async (): Promise<PublishOutcome[]> => {
    const results: PublishOutcome[] = []
    const dir = currentBuild(siteDir)
    if (!dir) return results
    phase = 'publishing'
    if (s.publish === 'git') results.push(await publishGit(dir, s, gEnv, workDir))
    else if (s.publish === 'dir' && s.publish_dir) results.push(publishDir(dir, s.publish_dir))
    if (s.publish_data && !stopping) results.push(await saveData(config, gEnv, workDir))
    for (const r of results) {
      if (r.ok) log.success(`published to ${r.target}`)
      else log.warn(`publishing to ${r.target} FAILED: ${r.error}`)
      lastPublish = { ...r, at: now() }
    }
    return results
  }

  const cycle = async (): Promise<void> => {
    const at = now()
    phase = 'running'
    const steps = (opts.steps ?? ((c: Context) => planSteps(c.config())))(ctx).map(
      (step): RunStep => ({
        ...step,
        run: (c): Promise<StepResult> =>
          stopping ? Promise.resolve({ counts: {}, errors: [STOPPED], ok: false }) : step.run(c),
      }),
    )
    let summary: RunSummary | undefined
    let error: string | undefined
    try {
      summary = await runPipeline(ctx, steps)
    } catch (err) {
      error = errorMessage(err)
      log.warn(`run FAILED: ${error}`)
    }
    previous = { at, threw: !summary }
    if (summary) for (const line of formatSummary(summary)) log.info(line)
    if (stopping) {
      phase = 'idle'
      return
    }
    const judged = summary ? judgeRun(summary) : { ok: false, degraded: false, error }
    const b = await doBuild()
    let published: PublishOutcome[] = []
    if (b.ok && !stopping) published = await publish()
    const ok = judged.ok && b.ok
    cycles.push({
      at,
      ok,
      degraded: judged.degraded || published.some((p) => !p.ok),
      error: judged.error ?? b.error ?? published.find((p) => !p.ok)?.error,
    })
    if (cycles.length > 100) cycles.shift()
    phase = 'idle'
  }

  const sleepUntil = async (t: number) => {
    while (!stopping && now() < t) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(MAX_SLEEP_MS, Math.max(0, (t - now()) * 1000)))
        wake = () => {
          clearTimeout(timer)
          resolve()
        }
      })
      wake = undefined
    }
  }

  try {
    // Moving from the Actions publisher: a fresh database starts from the data branch.
    if (s.publish_data && !stopping && !lastRun(ctx)) {
      phase = 'publishing'
      const r = await dataBranch('restore', config, gEnv, workDir)
      if (r.ok) {
        writeFileSync(join(workDir, 'data-restored'), `${new Date().toISOString()}\n`)
        log.success(`restored the database from ${r.target}`)
      } else log.warn(`restoring from ${r.target} FAILED: ${r.error}`)
      phase = 'idle'
    }
    const random = opts.random ?? Math.random
    next = nextRunAt(lastRun(ctx), now(), s, random)
    // A restart with no site (a new volume) serves the data it has until the next run.
    if (!stopping && !currentBuild(siteDir) && next > now() + 1) {
      log.info('no site built yet: building it from the database')
      await doBuild()
      phase = 'idle'
    }
    while (!stopping) {
      next = nextRunAt(lastRun(ctx), now(), s, random)
      // A run that could not start (lock held, database error) left no row: retry within 5 min.
      if (previous)
        next = Math.max(
          next,
          previous.at + s.min_interval,
          previous.threw ? previous.at + Math.min(300, effectiveInterval(s)) : 0,
        )
      if (next > now() + 1) log.info(`next run at ${isoSeconds(Math.floor(next))}`)
      await sleepUntil(next)
      if (stopping) break
      await cycle()
      if (opts.once) break
    }
  } finally {
    phase = 'idle'
    next = undefined
    await server.close()
    if (useSignals) {
      process.off('SIGTERM', onSignal)
      process.off('SIGINT', onSignal)
    }
    opts.stop?.removeEventListener('abort', onAbort)
    log.info(`stopped; publishing: ${describeTarget(s)}`)
  }
  return 0
}
