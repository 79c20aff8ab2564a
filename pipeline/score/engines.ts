/**
 * The trend engines by name. Each is a pure function of the window's stats (and the run's
 * options) to torrent → score; ranking and K are shared (rank.ts). The engines' own options are
 * taken from `[trends_manager]` here, in one place.
 */
import { ENGINES, type EngineName, type IniConfig } from '../config/schema.ts'
import { normalizedScores } from './normalized.ts'
import type { StatsTable } from './stats-table.ts'
import { velocityScores } from './velocity.ts'

export { ENGINES, type EngineName }

export interface EngineRun {
  /** The time scores are for (unix s): the window's end. */
  now: number
  trends: IniConfig['trends_manager']
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
    score: (stats, { trends: t }) =>
      normalizedScores(stats, {
        weightSeeders: t.weight_seeders,
        weightCompleted: t.weight_completed,
        weightLeechers: t.weight_leechers,
        lambda: t.lambda,
      }),
  },
  velocity: {
    name: 'velocity',
    positiveOnly: true,
    score: (stats, { now, trends: t }) =>
      velocityScores(stats, {
        now,
        halfLifeHours: t.half_life_hours,
        weightCompleted: t.weight_completed,
        weightLeechers: t.weight_leechers,
      }),
  },
}
