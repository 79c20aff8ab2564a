/**
 * The trend engines by name. Each is a pure function of the window's stats (and the run's
 * options) to torrent → score; ranking and K are shared (rank.ts). The engines' own options are
 * taken from `[trends_manager]` here, in one place.
 */
import { ENGINES, type EngineName, type IniConfig } from '../config/schema.ts'
import { normalizedScores } from './normalized.ts'
import { NOWCAST_LOOKBACK, nowcastOptions, nowcastParts, nowcastScores } from './nowcast.ts'
import type { StatsTable } from './stats-table.ts'
import { velocityScores } from './velocity.ts'

export { ENGINES, type EngineName }

export interface EngineRun {
  /** The time scores are for (unix s): the window's end. */
  now: number
  /** The window's start (unix s); default now − delta_days. */
  start?: number
  /** When the stats were loaded from `lookbackSeconds` before now only: each torrent's first time in the window. */
  firstSeen?: ReadonlyMap<number, number>
  trends: IniConfig['trends_manager']
}

export interface Engine {
  name: EngineName
  /** Only positive scores may trend. */
  positiveOnly: boolean
  score(stats: StatsTable, run: EngineRun): Map<number, number | null>
  /** The engine reads only the stats of the last `lookbackSeconds` (and each torrent's first time). */
  lookbackSeconds?: number
  /** Each torrent's score by its parts (`trends get --json`), for the engines that have parts. */
  explain?(stats: StatsTable, run: EngineRun): Map<number, Record<string, unknown>>
}

const windowStart = (run: EngineRun) => run.start ?? run.now - Math.round(run.trends.delta_days * 86_400)

export const engines: Record<EngineName, Engine> = {
  nowcast: {
    name: 'nowcast',
    positiveOnly: true,
    lookbackSeconds: NOWCAST_LOOKBACK,
    score: (stats, run) => nowcastScores(stats, nowcastOptions(run.trends, run.now, windowStart(run), run.firstSeen)),
    explain: (stats, run) => {
      const parts = nowcastParts(stats, nowcastOptions(run.trends, run.now, windowStart(run), run.firstSeen))
      return new Map([...parts].map(([id, p]) => [id, { ...p }]))
    },
  },
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
