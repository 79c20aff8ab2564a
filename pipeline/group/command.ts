/** `movies compute|get|import-imdb`, `series compute|get`. (Issue "Group"; not implemented yet.) */
import type { Context, StepResult } from '../core/context.ts'
import { UserError } from '../core/errors.ts'

export type MediaKindArg = 'movie' | 'series'

export async function mediaCompute(_ctx: Context, kind: MediaKindArg): Promise<StepResult> {
  throw new UserError(`${kind === 'movie' ? 'movies' : 'series'} compute: not implemented yet`, { exitCode: 1 })
}
export async function mediaGet(_ctx: Context, kind: MediaKindArg): Promise<void> {
  throw new UserError(`${kind === 'movie' ? 'movies' : 'series'} get: not implemented yet`, { exitCode: 1 })
}
export async function importImdb(_ctx: Context, _files: string[]): Promise<StepResult> {
  throw new UserError('movies import-imdb: not implemented yet', { exitCode: 1 })
}
