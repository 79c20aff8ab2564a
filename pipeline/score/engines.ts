/**
 * The trend engines by name. Each is a pure function of the window's stats (and the run's
 * options) to torrent → score; ranking and K are shared (rank.ts).
 */
import type { Config } from '../config/schema.ts'
import { normalizedScores } from './normalized.ts'
import type { StatsTable } from './stats-table.ts'
import { velocityScores } from './velocity.ts'

export const ENGINES = ['velocity', 'normalized'] as const
export type EngineName = (typeof ENGINES)[number]

export interface EngineRun {
  /** The time scores are for (unix s): the window's end. */
  now: number
  trends: Config['trendsManager']
}

export interface Engine {
  name: EngineName
  /** Only positive scores may trend. */
  positiveOnly: boolean
  score(stats: StatsTable, run: EngineRun): Map<number, number | null>
}

export const engines: Record<EngineName, Engine> = {
  normalized: {
    name: 'normalized',
    positiveOnly: false,
    score: (stats, { trends }) => normalizedScores(stats, trends),
  },
  velocity: {
    name: 'velocity',
    positiveOnly: true,
    score: (stats, { now, trends }) => velocityScores(stats, { now, ...trends }),
  },
}
