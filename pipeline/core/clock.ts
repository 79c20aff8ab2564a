import { UserError } from './errors.ts'

/**
 * The run's clock. Every stage asks `clock.now()` instead of `Date.now()`, so `--now` (or
 * MEDIASTRENDS_NOW) can replay any moment and the demo can simulate days.
 */
export interface Clock {
  /** Current time as a Date. */
  now(): Date
  /** Current time in Unix seconds. */
  nowSeconds(): number
  /** True when the time was fixed by --now / MEDIASTRENDS_NOW. */
  readonly fixed: boolean
}

export function parseDateTime(value: string, what: string): Date {
  const v = value.trim()
  // Date-only values are taken as UTC midnight; datetimes without zone as UTC too.
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(v)
    ? `${v}T00:00:00Z`
    : /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(v)
      ? `${v.replace(' ', 'T')}Z`
      : v
  const d = new Date(iso)
  if (!/^\d{4}-\d{2}-\d{2}/.test(v) || Number.isNaN(d.getTime())) {
    throw new UserError(`${what}: expected an ISO date or datetime (e.g. 2026-11-24T18:00:00Z), got "${value}"`)
  }
  return d
}

export function fixedClock(at: Date): Clock {
  return { now: () => new Date(at.getTime()), nowSeconds: () => Math.floor(at.getTime() / 1000), fixed: true }
}

export const systemClock: Clock = {
  now: () => new Date(),
  nowSeconds: () => Math.floor(Date.now() / 1000),
  fixed: false,
}

/** --now wins over MEDIASTRENDS_NOW; neither gives the system clock. */
export function clockFrom(now: string | undefined, env: NodeJS.ProcessEnv = process.env): Clock {
  if (now) return fixedClock(parseDateTime(now, '--now'))
  if (env.MEDIASTRENDS_NOW) return fixedClock(parseDateTime(env.MEDIASTRENDS_NOW, 'MEDIASTRENDS_NOW'))
  return systemClock
}

export const toSeconds = (d: Date): number => Math.floor(d.getTime() / 1000)
export const isoSeconds = (s: number): string => new Date(s * 1000).toISOString().replace('.000Z', 'Z')
