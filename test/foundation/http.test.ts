import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HttpError, type HttpPolicy, httpGet } from '../../pipeline/core/http.ts'
import { memoryLog } from '../../pipeline/core/log.ts'

let server: Server
let base = ''
const hits = new Map<string, number>()
beforeAll(async () => {
  server = createServer((req, res) => {
    const n = (hits.get(req.url ?? '') ?? 0) + 1
    hits.set(req.url ?? '', n)
    if (req.url === '/flaky') {
      res.writeHead(n < 3 ? 503 : 200).end(n < 3 ? 'busy' : 'ok')
    } else if (req.url === '/limited') {
      if (n === 1) res.writeHead(429, { 'retry-after': '1' }).end()
      else res.writeHead(200).end(`ok after ${n}`)
    } else if (req.url === '/forever-limited') {
      res.writeHead(429, { 'retry-after': '3600' }).end()
    } else if (req.url === '/slow') {
      setTimeout(() => res.writeHead(200).end('late'), 400)
    } else if (req.url === '/missing') {
      res.writeHead(404).end('<error code="201" description="Incorrect parameter"/>')
    } else if (req.url === '/ua') {
      res.writeHead(200).end(req.headers['user-agent'])
    } else res.writeHead(500).end()
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((r) => server.close(() => r())))

const policy = (over: Partial<HttpPolicy> = {}): HttpPolicy => ({
  timeoutMs: 2000,
  tries: 3,
  delayMs: 10,
  maxRetryAfterMs: 5000,
  userAgent: 'mediastrends-test/1',
  ...over,
})

describe('httpGet', () => {
  it('retries 5xx with back-off and succeeds within the budget', async () => {
    const res = await httpGet(`${base}/flaky`, policy())
    expect(await res.text()).toBe('ok')
    expect(hits.get('/flaky')).toBe(3)
  })

  it('honours Retry-After on 429', async () => {
    const t0 = Date.now()
    const res = await httpGet(`${base}/limited`, policy())
    expect(await res.text()).toBe('ok after 2')
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1000)
  })

  it('gives up at once on a Retry-After longer than allowed; the error says so and nothing is logged', async () => {
    const mem = memoryLog()
    await expect(httpGet(`${base}/forever-limited`, policy({ log: mem.log('http-test') }))).rejects.toThrow(
      /Retry-After 3600s is too long; gave up after 1 attempt\(s\)$/,
    )
    expect(hits.get('/forever-limited')).toBe(1)
    expect(mem.lines.filter((l) => l.type !== 'debug')).toEqual([])
  })

  it('times out each attempt and reports it', async () => {
    await expect(httpGet(`${base}/slow`, policy({ timeoutMs: 100, tries: 2 }))).rejects.toThrow(
      /timed out after 100 ms/,
    )
    expect(hits.get('/slow')).toBe(2)
  })

  it('returns non-retryable 4xx to the caller (a Torznab <error> comes with any status)', async () => {
    const res = await httpGet(`${base}/missing`, policy())
    expect(res.status).toBe(404)
    expect(await res.text()).toContain('Incorrect parameter')
    expect(hits.get('/missing')).toBe(1)
  })

  it('refused connections fail as HttpError; the user agent is sent', async () => {
    await expect(httpGet('http://127.0.0.1:1/x', policy({ tries: 2 }))).rejects.toBeInstanceOf(HttpError)
    expect(await (await httpGet(`${base}/ua`, policy())).text()).toBe('mediastrends-test/1')
  })
})
