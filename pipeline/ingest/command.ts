/** `torrents add`: Torznab indexers → torrents. (Issue "Ingest"; not implemented yet.) */
import type { Context, StepResult } from '../core/context.ts'
import { UserError } from '../core/errors.ts'

export interface TorrentsAddOptions {
  /** Categories asked for (movies, series); empty = every active category of the indexer. */
  categories: string[]
  /** Indexer name from indexers.yaml; undefined = every active indexer. */
  indexer?: string
}

export async function torrentsAdd(_ctx: Context, _opts: TorrentsAddOptions): Promise<StepResult> {
  throw new UserError('torrents add: not implemented yet', { exitCode: 1 })
}
