/** `mediastrends demo`: the local demo. (Issue "Run it"; not implemented yet.) */
import { UserError } from '../core/errors.ts'

export interface DemoOptions {
  days: number
  scrapesPerDay: number
  serve: boolean
  build: boolean
  dir: string
}

export async function demo(_opts: DemoOptions): Promise<number> {
  throw new UserError('demo: not implemented yet', { exitCode: 1 })
}
