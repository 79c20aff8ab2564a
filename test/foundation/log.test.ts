import { describe, expect, it, vi } from 'vitest'
import { fixedClock, parseDateTime } from '../../pipeline/core/clock.ts'
import { HttpError, retryAfterMs } from '../../pipeline/core/http.ts'
import { logger, redact, registerSecret } from '../../pipeline/core/log.ts'

describe('secrets never reach a log line', () => {
  it('redacts registered secrets, plain and URL-encoded, in messages and errors', () => {
    registerSecret('k3y/with+chars')
    expect(redact('GET http://x/api?apikey=k3y/with+chars&t=search')).toBe('GET http://x/api?apikey=***&t=search')
    expect(redact(`GET http://x/api?apikey=${encodeURIComponent('k3y/with+chars')}`)).toBe(
      'GET http://x/api?apikey=***',
    )
    expect(new HttpError('http://x/?apikey=k3y/with+chars: HTTP 500', 'u').message).toBe(
      'http://x/?apikey=***: HTTP 500',
    )
  })

  it('the logger writes redacted lines to stderr, never stdout', () => {
    registerSecret('s3cr3tvalue')
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true)
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true)
    try {
      logger('test').warn('fetching http://idx/?apikey=s3cr3tvalue failed')
      logger('test').error(new Error('boom s3cr3tvalue'))
      const written = err.mock.calls.map((c) => String(c[0])).join('')
      expect(written).toContain('apikey=***')
      expect(written).not.toContain('s3cr3tvalue')
      expect(out).not.toHaveBeenCalled()
    } finally {
      err.mockRestore()
      out.mockRestore()
    }
  })
})

describe('clock and dates', () => {
  it('reads ISO dates and datetimes as UTC', () => {
    expect(parseDateTime('2026-01-02', 'x').toISOString()).toBe('2026-01-02T00:00:00.000Z')
    expect(parseDateTime('2026-01-02T03:04', 'x').toISOString()).toBe('2026-01-02T03:04:00.000Z')
    expect(parseDateTime('2026-01-02T03:04:05+02:00', 'x').toISOString()).toBe('2026-01-02T01:04:05.000Z')
    expect(() => parseDateTime('yesterday', '--now')).toThrow('--now: expected an ISO date or datetime')
    expect(fixedClock(new Date('2026-01-02T00:00:10Z')).nowSeconds()).toBe(1767312010)
  })
  it('reads Retry-After in seconds or as a date', () => {
    expect(retryAfterMs('3')).toBe(3000)
    expect(retryAfterMs('Thu, 01 Jan 2026 00:00:10 GMT', Date.parse('2026-01-01T00:00:00Z'))).toBe(10_000)
    expect(retryAfterMs(null)).toBeUndefined()
  })
})
