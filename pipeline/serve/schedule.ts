/**
 * When `mediastrends serve` runs next (pure: the caller reads the last run from the runs table).
 *
 * The schedule follows the last run's start time, whoever ran it (serve, a `mediastrends run` by
 * hand, a previous container): a restart waits for its turn instead of running at once, and no
 * run ever starts sooner than `min_interval` after the previous one began (the older tool's
 * MEDIASTRENDS_CACHE_TIME). A run that serve itself stopped half-way (SIGTERM) is made up for as
 * soon as `min_interval` allows.
 */

export interface ScheduleConfig {
  /** Seconds between two runs. */
  interval: number
  /** Up to this many seconds added at random to each wait. */
  jitter: number
  /** Seconds: never start sooner than this after the previous start. */
  min_interval: number
}

export interface LastRun {
  /** Wall clock, Unix seconds. */
  startedAt: number
  endedAt: number | null
  status: 'running' | 'ok' | 'failed'
  /** Stopped by serve before its last steps (SIGTERM): not a whole run. */
  stopped: boolean
}

/** The effective interval: never below the minimum. */
export const effectiveInterval = (c: ScheduleConfig): number => Math.max(c.interval, c.min_interval)

/** Unix seconds (may be fractional) at which the next run should start; `now` or later. */
export function nextRunAt(
  last: LastRun | undefined,
  nowSeconds: number,
  config: ScheduleConfig,
  random: () => number = Math.random,
): number {
  if (!last) return nowSeconds
  const due = last.stopped
    ? last.startedAt + config.min_interval
    : last.startedAt + effectiveInterval(config) + config.jitter * random()
  return Math.max(nowSeconds, due)
}
