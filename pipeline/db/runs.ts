/**
 * The runs table: every pipeline step (and every `mediastrends run`) leaves one row with its
 * clock, wall times, counts and errors, whatever the outcome.
 */
import { eq } from 'drizzle-orm'
import { runs } from '../../schema/tables.ts'
import type { StepResult } from '../context.ts'
import { errorMessage } from '../core/errors.ts'
import { redact } from '../core/log.ts'
import type { Db } from './client.ts'

/**
 * A new `running` row. Its key (step, started_at, clock, target) is unique: the same step for the
 * same target started again within the same second at the same clock (after a killed run, say)
 * is recorded a second later rather than over the first row.
 */
export function startRun(db: Db, step: string, target: string | null, clock: number): number {
  for (let startedAt = Math.floor(Date.now() / 1000); ; startedAt++) {
    const row = db
      .insert(runs)
      .values({ step, target, clock, startedAt, status: 'running' })
      .onConflictDoNothing({ target: [runs.step, runs.startedAt, runs.clock, runs.target] })
      .returning({ id: runs.id })
      .get()
    if (row) return row.id
  }
}

export function endRun(db: Db, id: number, result: StepResult): void {
  db.update(runs)
    .set({
      endedAt: Math.floor(Date.now() / 1000),
      status: result.ok ? 'ok' : 'failed',
      counts: result.counts,
      errors: result.errors.slice(0, 200).map(redact),
    })
    .where(eq(runs.id, id))
    .run()
}

/** Run one step and record it; an exception becomes a failed row and is re-thrown. */
export async function recordStep(
  db: Db,
  step: string,
  target: string | null,
  clock: number,
  fn: () => Promise<StepResult>,
): Promise<StepResult> {
  const id = startRun(db, step, target, clock)
  try {
    const result = await fn()
    endRun(db, id, result)
    return result
  } catch (err) {
    endRun(db, id, { counts: {}, errors: [errorMessage(err)], ok: false })
    throw err
  }
}
