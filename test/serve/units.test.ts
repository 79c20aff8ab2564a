/** The pure parts of `mediastrends serve`: durations, the schedule, the health verdict. */
import { describe, expect, it } from 'vitest'
import { parseDuration } from '../../pipeline/config/schema.ts'
import { health, staleAfter } from '../../pipeline/serve/health.ts'
import { nextRunAt } from '../../pipeline/serve/schedule.ts'
import { makeConfigDir } from '../helpers/config.ts'

const H = 3600
const schedule = { interval: 4 * H, jitter: 600, min_interval: H }

describe('[serve] durations', () => {
  it('reads 4h, 30m, 90s, 1d, 1h30m and bare seconds', () => {
    expect(parseDuration('4h')).toBe(14_400)
    expect(parseDuration('30m')).toBe(1800)
    expect(parseDuration(' 90s ')).toBe(90)
    expect(parseDuration('1d')).toBe(86_400)
    expect(parseDuration('1h30m')).toBe(5400)
    expect(parseDuration('1.5h')).toBe(5400)
    expect(parseDuration('45')).toBe(45)
    expect(parseDuration('soon')).toBeUndefined()
    expect(parseDuration('4 hours')).toBeUndefined()
  })

  it('ships 4 h every run, a minimum interval, and names the key of a bad value', () => {
    const ok = makeConfigDir()
    try {
      const c = ok.load().serve
      expect(c.interval).toBe(4 * H)
      expect(c.min_interval).toBe(H)
      expect(c.jitter).toBe(600)
      expect(c.port).toBe(8080)
      expect(c.publish).toBe('none')
    } finally {
      ok.cleanup()
    }
    const bad = makeConfigDir({ ini: '[serve]\ninterval = often\n' })
    try {
      expect(() => bad.load()).toThrow(/mediastrends\.test\.ini:\d+: \[serve\] interval.*duration/s)
    } finally {
      bad.cleanup()
    }
  })
})

describe('nextRunAt', () => {
  const now = 1_000_000
  it('runs at once when nothing ever ran', () => {
    expect(nextRunAt(undefined, now, schedule)).toBe(now)
  })
  it('follows the last start plus interval plus jitter (a restart waits its turn)', () => {
    const last = { startedAt: now - 600, endedAt: now - 500, status: 'ok' as const, stopped: false }
    expect(nextRunAt(last, now, schedule, () => 0)).toBe(now - 600 + 4 * H)
    expect(nextRunAt(last, now, schedule, () => 0.5)).toBe(now - 600 + 4 * H + 300)
  })
  it('runs at once when overdue, and never below the minimum interval', () => {
    const old = { startedAt: now - 10 * H, endedAt: now - 10 * H + 60, status: 'ok' as const, stopped: false }
    expect(nextRunAt(old, now, schedule, () => 0)).toBe(now)
    const tight = { interval: 60, jitter: 0, min_interval: H }
    const last = { startedAt: now - 120, endedAt: now - 100, status: 'ok' as const, stopped: false }
    expect(nextRunAt(last, now, tight)).toBe(now - 120 + H)
  })
  it('makes up for a run stopped half-way as soon as the minimum interval allows', () => {
    const stopped = { startedAt: now - 600, endedAt: now - 590, status: 'failed' as const, stopped: true }
    expect(nextRunAt(stopped, now, schedule)).toBe(now - 600 + H)
    expect(nextRunAt(stopped, now, { ...schedule, min_interval: 0 })).toBe(now)
  })
})

describe('health', () => {
  const now = 2_000_000
  const base = {
    nowSeconds: now,
    phase: 'idle' as const,
    nextRunAt: now + H,
    lastBuild: undefined,
    lastPublish: undefined,
    schedule,
    unhealthyAfter: 3,
  }
  const run = (ago: number, status: 'ok' | 'failed' | 'running' = 'ok') => ({
    startedAt: now - ago,
    endedAt: status === 'running' ? null : now - ago + 60,
    status,
    stopped: false,
    steps: 9,
    stepsFailed: status === 'failed' ? 1 : 0,
  })
  const cycle = (ok: boolean, degraded = false) => ({ at: now - 60, ok, degraded, error: ok ? undefined : 'x' })

  it('starts healthy, then says ok with the last run, its time and the next one', () => {
    expect(health({ ...base, lastRun: undefined, cycles: [] })).toMatchObject({
      httpStatus: 200,
      body: { status: 'starting', lastRun: null },
    })
    const h = health({ ...base, lastRun: run(600), cycles: [cycle(true)] })
    expect(h.httpStatus).toBe(200)
    expect(h.body).toMatchObject({
      status: 'ok',
      consecutiveFailures: 0,
      lastRun: { status: 'ok', steps: 9, stepsFailed: 0, ageSeconds: 600 },
      nextRunAt: new Date((now + H) * 1000).toISOString().replace('.000Z', 'Z'),
    })
  })
  it('one tracker down is degraded (200); failing cycles in a row are 503', () => {
    expect(health({ ...base, lastRun: run(600, 'failed'), cycles: [cycle(true, true)] })).toMatchObject({
      httpStatus: 200,
      body: { status: 'degraded' },
    })
    const two = health({ ...base, lastRun: run(600, 'failed'), cycles: [cycle(true), cycle(false), cycle(false)] })
    expect(two).toMatchObject({ httpStatus: 200, body: { status: 'degraded', consecutiveFailures: 2 } })
    const three = health({ ...base, lastRun: run(600, 'failed'), cycles: [cycle(false), cycle(false), cycle(false)] })
    expect(three).toMatchObject({ httpStatus: 503, body: { status: 'failing', consecutiveFailures: 3 } })
    // a success resets the count
    expect(health({ ...base, lastRun: run(60), cycles: [cycle(false), cycle(false), cycle(true)] }).httpStatus).toBe(
      200,
    )
  })
  it('a last run older than twice (interval + jitter) + 10 min is stale (503), unless a run is under way', () => {
    const limit = staleAfter(schedule)
    expect(limit).toBe(2 * (4 * H + 600) + 600)
    expect(health({ ...base, lastRun: run(limit - 10), cycles: [] }).httpStatus).toBe(200)
    expect(health({ ...base, lastRun: run(limit + 10), cycles: [] })).toMatchObject({
      httpStatus: 503,
      body: { status: 'stale' },
    })
    expect(health({ ...base, phase: 'running', lastRun: run(limit + 10), cycles: [] }).httpStatus).toBe(200)
  })
})
