/**
 * The `completed` counter rule: how many downloads a tracker's cumulative counter says happened
 * between two of its scrapes. One rule for the whole pipeline: the velocity engine's rate and the
 * site's downloads per day (pipeline/publish) both count with it; the nowcast engine applies it too,
 * except that it leaves a restart's interval out instead of counting the new value.
 *
 * - a rise counts what it rose;
 * - a drop below half the counted value is a tracker restart (the counter was reset): the new value
 *   is what was counted since the reset, so it counts (a lower bound);
 * - a smaller drop is jitter: it counts 0, and counting goes on from the higher value
 *   (100 → 98 → 100 is 0 downloads, not 2).
 */

/** One tracker's counter as counted so far: `base` is NaN before its first value. */
export interface CompletedCounter {
  base: number
}

/**
 * Feed the counter the next completed value (in time order); returns the downloads since the
 * previous value, or NaN for the first value (nothing to compare with yet).
 */
export function countCompleted(counter: CompletedCounter, value: number): number {
  const prev = counter.base
  if (Number.isNaN(prev) || value >= prev || value < prev / 2) counter.base = value
  if (Number.isNaN(prev)) return Number.NaN
  if (value >= prev) return value - prev
  return value < prev / 2 ? value : 0
}
