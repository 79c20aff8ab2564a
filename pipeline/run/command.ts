/** `mediastrends run`: the whole pipeline in order. (Issue "Run it"; not implemented yet.) */
import type { Context } from '../core/context.ts'
import { UserError } from '../core/errors.ts'

export async function runAll(_ctx: Context): Promise<number> {
  throw new UserError('run: not implemented yet', { exitCode: 1 })
}
