/** `torrents trends compute|get`, `torrents status`. (Issue "Score"; not implemented yet.) */
import type { Context, StepResult } from '../core/context.ts'
import { UserError } from '../core/errors.ts'

export interface TrendsComputeOptions {
  engine?: 'velocity' | 'normalized'
}
export interface TrendsGetOptions {
  categories: string[]
  mindate?: string
  maxdate?: string
  deltaHours?: number
}

export async function trendsCompute(_ctx: Context, _opts: TrendsComputeOptions): Promise<StepResult> {
  throw new UserError('torrents trends compute: not implemented yet', { exitCode: 1 })
}
export async function trendsGet(_ctx: Context, _opts: TrendsGetOptions): Promise<void> {
  throw new UserError('torrents trends get: not implemented yet', { exitCode: 1 })
}
export async function torrentsStatus(_ctx: Context): Promise<StepResult> {
  throw new UserError('torrents status: not implemented yet', { exitCode: 1 })
}
