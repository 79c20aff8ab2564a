/**
 * `/healthz` of `mediastrends serve`: what the container's HEALTHCHECK (and a person) reads.
 *
 * 200 with the state as JSON while the data is fresh; 503 when
 * - the last run began longer ago than twice (interval + jitter) plus 10 minutes and no run is
 *   under way (the schedule is stuck, or something else holds the run lock for hours), or
 * - the last `unhealthy_after` cycles in a row failed. A cycle fails when its run could not run
 *   (lock held, database error), when every fetch step of it failed (`torrents add`/`stats`:
 *   the indexer and every tracker unreachable), when a local step failed (scoring, grouping, site
 *   data), or when the site build failed. A run where only some fetch steps failed (one tracker
 *   down) or a publish that failed is "degraded": the site is still updated, 200.
 * Before the first run has ended (a fresh install) it answers 200 "starting".
 */
import { isoSeconds } from '../core/clock.ts'
import type { LastRun, ScheduleConfig } from './schedule.ts'
import { effectiveInterval } from './schedule.ts'

export type Phase = 'idle' | 'running' | 'building' | 'publishing' | 'stopping'

export interface CycleOutcome {
  /** Unix seconds. */
  at: number
  ok: boolean
  /** Some steps failed but not all. */
  degraded: boolean
  /** One line: why it failed (no secrets: already redacted). */
  error?: string
}

export interface HealthInput {
  nowSeconds: number
  phase: Phase
  /** The newest 'run' row of the runs table. */
  lastRun: (LastRun & { steps?: number; stepsFailed?: number }) | undefined
  nextRunAt: number | undefined
  /** Outcomes of this process's cycles, oldest first. */
  cycles: CycleOutcome[]
  lastBuild: { at: number; ok: boolean; pages?: number; error?: string } | undefined
  lastPublish: { at: number; ok: boolean; target: string; error?: string } | undefined
  schedule: ScheduleConfig
  unhealthyAfter: number
}

export interface Health {
  httpStatus: 200 | 503
  body: Record<string, unknown>
}

const iso = (s: number | null | undefined) => (s == null ? null : isoSeconds(Math.floor(s)))

/** Seconds after the last run's start beyond which the data is stale. */
export const staleAfter = (s: ScheduleConfig): number => 2 * (effectiveInterval(s) + s.jitter) + 600

export function consecutiveFailures(cycles: CycleOutcome[]): number {
  let n = 0
  for (let i = cycles.length - 1; i >= 0 && !cycles[i]?.ok; i--) n++
  return n
}

export function health(h: HealthInput): Health {
  const failures = consecutiveFailures(h.cycles)
  const last = h.lastRun
  const busy = h.phase === 'running' || h.phase === 'building' || h.phase === 'publishing'
  const age = last ? h.nowSeconds - last.startedAt : undefined
  const stale = last !== undefined && !busy && (age ?? 0) > staleAfter(h.schedule)
  const failing = failures >= h.unhealthyAfter
  const lastCycle = h.cycles.at(-1)
  let status: string
  if (failing) status = 'failing'
  else if (stale) status = 'stale'
  else if (!last) status = 'starting'
  else if (lastCycle) status = lastCycle.ok && !lastCycle.degraded ? 'ok' : 'degraded'
  else status = last.status === 'ok' ? 'ok' : last.status === 'failed' ? 'degraded' : 'starting'
  return {
    httpStatus: failing || stale ? 503 : 200,
    body: {
      status,
      phase: h.phase,
      now: iso(h.nowSeconds),
      lastRun: last
        ? {
            startedAt: iso(last.startedAt),
            endedAt: iso(last.endedAt),
            status: last.status,
            ...(last.stopped ? { stopped: true } : {}),
            ...(last.steps !== undefined ? { steps: last.steps, stepsFailed: last.stepsFailed ?? 0 } : {}),
            ageSeconds: Math.max(0, Math.round(age ?? 0)),
          }
        : null,
      nextRunAt: iso(h.nextRunAt),
      consecutiveFailures: failures,
      unhealthyAfter: h.unhealthyAfter,
      staleAfterSeconds: staleAfter(h.schedule),
      lastCycle: lastCycle ? { at: iso(lastCycle.at), ok: lastCycle.ok, error: lastCycle.error ?? null } : null,
      lastBuild: h.lastBuild
        ? {
            at: iso(h.lastBuild.at),
            ok: h.lastBuild.ok,
            pages: h.lastBuild.pages ?? null,
            error: h.lastBuild.error ?? null,
          }
        : null,
      lastPublish: h.lastPublish
        ? {
            at: iso(h.lastPublish.at),
            ok: h.lastPublish.ok,
            target: h.lastPublish.target,
            error: h.lastPublish.error ?? null,
          }
        : null,
    },
  }
}
