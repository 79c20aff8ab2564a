/**
 * `mediastrends run`: the whole pipeline in order (see steps.ts), under the run lock (lock.ts).
 *
 * Every step is recorded in the runs table, plus one row with step = 'run' for the whole. A step
 * that fails (returns ok:false or throws) is reported and the next steps still run: one dead
 * indexer or tracker never stops the others. Exit code: 0 when every step was ok,
 * EXIT_PARTIAL_FAILURE when any failed, EXIT_LOCKED when another run holds the database.
 *
 * A run killed mid-way (kill -9, power loss) leaves committed transactions only (every step writes
 * in transactions), a stale lock (taken over by the next run) and runs rows still marked
 * 'running': the next run marks those 'failed' with an "interrupted" error before it starts.
 */
import { performance } from 'node:perf_hooks'
import { eq } from 'drizzle-orm'
import { runs } from '../../schema/tables.ts'
import type { Context, StepResult } from '../context.ts'
import { EXIT_PARTIAL_FAILURE, errorMessage } from '../core/errors.ts'
import { out } from '../core/log.ts'
import type { Db } from '../db/client.ts'
import { recordStep } from '../db/runs.ts'
import { type HeldLock, withLock } from './lock.ts'
import { planSteps, type RunStep, stepLabel } from './steps.ts'

export const INTERRUPTED = 'interrupted: the process stopped before this step finished (found by the next run)'

export interface StepOutcome {
  step: string
  target: string | null
  ok: boolean
  counts: Record<string, number>
  errors: string[]
  seconds: number
}

export interface RunSummary {
  ok: boolean
  steps: StepOutcome[]
  failed: number
  /** Rows of earlier runs found still 'running' and marked failed. */
  interrupted: number
  seconds: number
  /** Counts summed over the steps. */
  counts: Record<string, number>
}

/** Mark every runs row still 'running' as failed (interrupted). Returns how many. */
export function markInterrupted(db: Db): number {
  const r = db
    .update(runs)
    .set({ status: 'failed', errors: [INTERRUPTED] })
    .where(eq(runs.status, 'running'))
    .run()
  return r.changes
}

const outcomeLabel = (o: StepOutcome) => stepLabel({ name: o.step, target: o.target })

const seconds = (t0: number) => Math.round((performance.now() - t0) / 100) / 10

const countsText = (counts: Record<string, number>) =>
  Object.entries(counts)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')

/** Steps that run side by side when consecutive (each its own runs row): the scrapes of each tracker. */
const PARALLEL = new Set(['torrents stats'])

/** Steps that must not run when an earlier step of the same run failed. */
const DEPENDS_ON: Record<string, string> = { 'torrents status': 'torrents trends compute' }

export interface PipelineOptions {
  /** Take the run lock (default true). */
  lock?: boolean
  /** Called once the lock is held and the run row exists (tests: to know the run is under way). */
  onStarted?: (lock: HeldLock | undefined) => void
}

/**
 * Run `steps` in order under the lock; never throws for a failing step (only for the lock, the
 * config or the database itself).
 */
export async function runPipeline(ctx: Context, steps: RunStep[], opts: PipelineOptions = {}): Promise<RunSummary> {
  // No lock file for an in-memory database (nor when the caller holds the lock already).
  const lockPath = opts.lock === false ? ':memory:' : ctx.config().sqlite.path
  const log = ctx.log('run')
  return withLock(lockPath, 'mediastrends run', log, async (lock) => {
    const db = ctx.db()
    const interrupted = markInterrupted(db)
    if (interrupted > 0)
      log.warn(`${interrupted} step(s) of an earlier run never finished: marked failed (interrupted)`)
    const t0 = performance.now()
    const outcomes: StepOutcome[] = []
    const summary = (): RunSummary => {
      const counts: Record<string, number> = {}
      for (const o of outcomes) for (const [k, v] of Object.entries(o.counts)) counts[k] = (counts[k] ?? 0) + v
      const failed = outcomes.filter((o) => !o.ok).length
      return { ok: failed === 0, steps: outcomes, failed, interrupted, seconds: seconds(t0), counts }
    }
    await recordStep(db, 'run', null, ctx.clock.nowSeconds(), async () => {
      opts.onStarted?.(lock)
      log.info(`run: ${steps.length} step(s)${ctx.clock.fixed ? ` at ${ctx.clock.now().toISOString()}` : ''}`)
      const runOne = async (i: number, step: RunStep): Promise<StepOutcome> => {
        const label = `[${i + 1}/${steps.length}] ${stepLabel(step)}`
        log.start(`${label} …`)
        const ts = performance.now()
        let r: StepResult
        const needs = DEPENDS_ON[step.name]
        const failedNeed = needs && outcomes.find((o) => o.step === needs && !o.ok)
        if (failedNeed) {
          // Judging statuses against an older trend run would unfollow torrents for good.
          r = { counts: {}, errors: [`skipped: ${needs} failed in this run`], ok: false }
        } else {
          try {
            r = await recordStep(db, step.name, step.target, ctx.clock.nowSeconds(), () => step.run(ctx))
          } catch (err) {
            r = { counts: {}, errors: [errorMessage(err)], ok: false }
          }
        }
        const o: StepOutcome = { step: step.name, target: step.target, ...r, seconds: seconds(ts) }
        const c = countsText(r.counts)
        if (r.ok) log.success(`${label}: ok${c ? ` (${c})` : ''} in ${o.seconds} s`)
        else {
          log.warn(`${label}: FAILED${c ? ` (${c})` : ''} in ${o.seconds} s: ${r.errors[0] ?? 'no error message'}`)
          for (const e of r.errors.slice(1, 5)) log.info(`  ${e}`)
          if (r.errors.length > 5) log.info(`  … and ${r.errors.length - 5} more (see the runs table)`)
        }
        return o
      }
      for (let i = 0; i < steps.length; ) {
        // Consecutive steps of a parallel kind (one scrape per tracker) run side by side, so a slow
        // or dead tracker never holds up the others; their outcomes keep the plan's order.
        let j = i + 1
        if (PARALLEL.has(steps[i]?.name ?? '')) while (j < steps.length && steps[j]?.name === steps[i]?.name) j++
        const batch = steps.slice(i, j)
        outcomes.push(...(await Promise.all(batch.map((step, k) => runOne(i + k, step)))))
        i = j
      }
      const s = summary()
      return {
        ok: s.ok,
        counts: {
          ...s.counts,
          steps: steps.length,
          stepsFailed: s.failed,
          ...(interrupted ? { stepsInterrupted: interrupted } : {}),
        },
        errors: outcomes.filter((o) => !o.ok).flatMap((o) => o.errors.map((e) => `${outcomeLabel(o)}: ${e}`)),
      }
    })
    return summary()
  })
}

export function formatSummary(s: RunSummary): string[] {
  const labels = s.steps.map((o) => outcomeLabel(o))
  const width = Math.max(0, ...labels.map((l) => l.length))
  const lines = s.steps.map((o, i) => {
    const c = countsText(o.counts)
    // each error was printed once, when its step ended: the summary only counts them
    const err = o.ok ? '' : ` — ${o.errors.length || 'no'} error(s), listed above`
    return `${(labels[i] ?? '').padEnd(width)}  ${o.ok ? 'ok    ' : 'FAILED'}  ${`${o.seconds} s`.padStart(7)}${c ? `  ${c}` : ''}${err}`
  })
  const failedNames = s.steps.filter((o) => !o.ok).map((o) => outcomeLabel(o))
  lines.push(
    `run: ${s.ok ? 'ok' : 'FAILED'} — ${s.steps.length} steps, ${s.failed} failed${failedNames.length ? ` (${failedNames.join(', ')})` : ''}, ${s.seconds} s${s.interrupted ? `; ${s.interrupted} interrupted step(s) of an earlier run marked failed` : ''}`,
  )
  return lines
}

export function printSummary(ctx: Context, s: RunSummary): void {
  if (ctx.json) out(JSON.stringify(s))
  else for (const line of formatSummary(s)) out(line)
}

/** `mediastrends run` (the CLI's handler): returns the exit code. */
export async function runAll(ctx: Context, steps?: RunStep[]): Promise<number> {
  const config = ctx.config()
  steps ??= planSteps(config)
  const log = ctx.log('run')
  if (!steps.some((s) => s.name === 'torrents add'))
    log.warn(`no active indexer category in ${config.indexers.indexer_file}`)
  if (!steps.some((s) => s.name === 'torrents stats')) log.warn(`no active tracker in ${config.trackers.tracker_file}`)
  const summary = await runPipeline(ctx, steps)
  printSummary(ctx, summary)
  return summary.ok ? 0 : EXIT_PARTIAL_FAILURE
}
