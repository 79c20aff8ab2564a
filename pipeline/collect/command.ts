/** `torrents stats`: scrape trackers. (Issue "Collect"; not implemented yet.) */
import type { Context, StepResult } from '../core/context.ts'
import { UserError } from '../core/errors.ts'

export interface TorrentsStatsOptions {
  categories: string[]
  /** Tracker name from trackers.yaml; undefined = every active tracker. */
  tracker?: string
}

export async function torrentsStats(_ctx: Context, _opts: TorrentsStatsOptions): Promise<StepResult> {
  throw new UserError('torrents stats: not implemented yet', { exitCode: 1 })
}
