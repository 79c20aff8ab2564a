/**
 * Demand curves: how many peers start downloading a torrent per hour, as a function of time.
 * This is the truth the trend engines try to recover from tracker scrapes.
 *
 * Shapes (all zero before `start`, the publication time):
 * - flash: a release everyone wants at once: rises within hours, then decays over a day or two;
 * - slowBurn: word of mouth: a logistic rise over days to a plateau;
 * - decay: an older release fading away (exponential decay from `start`);
 * - steady: a catalogue title with constant demand;
 * - revival: quiet, then a second wave (a sequel, an award) from `start + delayHours`.
 * Every shape is multiplied by a day/night cycle 1 + a·sin(2π(hour − peakHour + 6)/24) (peak at
 * `peakHour` UTC).
 */

export type CurveKind = 'flash' | 'slowBurn' | 'decay' | 'steady' | 'revival'
export const CURVE_KINDS: readonly CurveKind[] = ['flash', 'slowBurn', 'decay', 'steady', 'revival']

export interface DemandCurve {
  kind: CurveKind
  /** Publication time (unix s): no demand before. */
  start: number
  /** Peak (or plateau, or initial) downloads per hour, before the day/night factor. */
  peak: number
  /** flash: rise time constant; slowBurn: time to half the plateau; revival: delay of the second wave (hours). */
  riseHours: number
  /** flash/decay/revival: decay time constant; slowBurn: width of the logistic rise (hours). */
  decayHours: number
  /** Day/night amplitude, 0 (flat) to < 1. */
  dayNight: number
  /** Hour of the day (UTC) when demand peaks. */
  peakHour: number
}

const HOUR = 3600

/** The shape without the day/night cycle, in downloads per hour. */
export function baseRate(c: DemandCurve, t: number): number {
  if (t < c.start) return 0
  const h = (t - c.start) / HOUR
  switch (c.kind) {
    case 'flash':
      return c.peak * (1 - Math.exp(-h / c.riseHours)) * Math.exp(-h / c.decayHours)
    case 'slowBurn':
      return c.peak / (1 + Math.exp(-(h - c.riseHours) / c.decayHours))
    case 'decay':
      return c.peak * Math.exp(-h / c.decayHours)
    case 'steady':
      return c.peak
    case 'revival': {
      const before = 0.05 * c.peak
      const d = h - c.riseHours
      return d < 0 ? before : before + c.peak * (1 - Math.exp(-d / 3)) * Math.exp(-d / c.decayHours)
    }
  }
}

/** Day/night factor at t. */
export function dayNightFactor(c: DemandCurve, t: number): number {
  const hourOfDay = (t / HOUR) % 24
  return 1 + c.dayNight * Math.sin((2 * Math.PI * (hourOfDay - c.peakHour + 6)) / 24)
}

/** Downloads started per hour at time t. */
export function demandRate(c: DemandCurve, t: number): number {
  return baseRate(c, t) * dayNightFactor(c, t)
}
