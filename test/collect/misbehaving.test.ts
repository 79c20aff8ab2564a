/**
 * Bad replies: each is retried within the budget, then counted as failed and logged with the
 * tracker's name; rows already scraped are kept; a tracker that answers nothing at all is reported
 * once. Every scenario runs over HTTP and over UDP where it applies.
 */
import { afterEach, describe, expect, it } from 'vitest'
import {
  type Behaviour,
  closedPort,
  type MisbehavingTracker,
  type ScrapeNumbers,
  startMisbehavingTracker,
} from '../../devkit/servers/misbehaving-tracker.ts'
import { randomInfoHash, startTracker } from '../../devkit/servers/tracker.ts'
import { torrentsStats } from '../../pipeline/collect/command.ts'
import { UdpScraper } from '../../pipeline/collect/udp.ts'
import type { Context } from '../../pipeline/context.ts'
import { collectContext, entryOf, insertTorrents, storedStats } from './helpers.ts'

const open: { close(): Promise<void> | void }[] = []
afterEach(async () => {
  for (const o of open.splice(0)) await o.close()
})

/** 3 batches per transport: HTTP with batch_size 2 → 6 torrents; UDP (74 per packet) → 150. */
const SIZES = { http: { torrents: 6, batch: 2 }, udp: { torrents: 150, batch: 74 } } as const
const ini = (batch: number) => `batch_size = ${batch}
timeout = 0.3
concurrency = 1
total_concurrency = 4
[retry]
tries = 2
delay = 0.01
`

function fixture(transport: 'http' | 'udp') {
  const hashes = Array.from({ length: SIZES[transport].torrents }, randomInfoHash)
  const numbers = new Map<string, ScrapeNumbers>(
    hashes.map((h, i) => [h, { seeders: i + 1, leechers: (i * 3) % 7, completed: 2 * i + 5 }]),
  )
  const last = hashes.at(-1) as string
  return { hashes, numbers, last, data: (h: string) => numbers.get(h) }
}

function context(trackers: Record<string, ReturnType<typeof entryOf>>, transport: 'http' | 'udp'): Context {
  const ctx = collectContext(trackers, ini(SIZES[transport].batch))
  open.push({
    close: () => {
      ctx.close()
      ctx.dirs.cleanup()
    },
  })
  return ctx
}

async function misbehaving(transport: 'http' | 'udp', o: Parameters<typeof startMisbehavingTracker>[1]) {
  const t = await startMisbehavingTracker(transport, o)
  open.push(t)
  return t
}

/** The first two batches' rows are stored and equal the tracker's numbers; the third has none. */
function expectFirstBatchesKept(ctx: Context, f: ReturnType<typeof fixture>, transport: 'http' | 'udp') {
  const stored = storedStats(ctx, 'bad')
  const keep = 2 * SIZES[transport].batch
  expect(stored.size).toBe(keep)
  for (const h of f.hashes.slice(0, keep)) {
    const { seeders, leechers, completed } = stored.get(h)?.[0] ?? {}
    expect({ seeders, leechers, completed }).toEqual(f.numbers.get(h))
  }
  for (const h of f.hashes.slice(keep)) expect(stored.get(h)).toBeUndefined()
}

const CASES: Record<'http' | 'udp', Behaviour[]> = {
  udp: ['silent', 'wrong-tid', 'failure'],
  http: ['silent', '5xx', '404', 'non-bencode', 'truncated', 'failure', '429-long', 'huge'],
}
/**
 * Not retried: a 404 means the tracker has no scrape page; a Retry-After longer than the budget is
 * not waited for; a reply over the size limit would be as large again.
 */
const NOT_RETRIED = new Set<Behaviour>(['404', '429-long', 'huge'])

for (const transport of ['http', 'udp'] as const) {
  describe(`bad replies over ${transport.toUpperCase()}`, () => {
    for (const behaviour of CASES[transport]) {
      it(`${behaviour} on the last batch: retried, then failed; earlier rows kept`, async () => {
        const f = fixture(transport)
        const t = await misbehaving(transport, {
          data: f.data,
          behave: (r) => (r.action === 'scrape' && r.hashes.includes(f.last) ? behaviour : 'ok'),
        })
        const ctx = context({ bad: entryOf(t.announce) }, transport)
        insertTorrents(
          ctx,
          f.hashes.map((infoHash) => ({ infoHash, trackers: ['bad'] })),
        )
        const r = await torrentsStats(ctx, { categories: [] })
        const lastBatch = f.hashes.length - 2 * SIZES[transport].batch
        expect(r.ok).toBe(false)
        expect(r.counts).toMatchObject({ answered: 2 * SIZES[transport].batch, unknown: 0, failed: lastBatch })
        expect(r.errors).toHaveLength(1)
        expect(r.errors[0]).toMatch(new RegExp(`^tracker bad: batch 3/3 \\(${lastBatch} hashes\\) failed: `))
        expect(t.received.scrape).toBe(2 + (NOT_RETRIED.has(behaviour) ? 1 : 2))
        expectFirstBatchesKept(ctx, f, transport)
      })

      if (NOT_RETRIED.has(behaviour)) continue
      if (behaviour === '429-long') continue
      it(`${behaviour} once: the retry gets every row`, async () => {
        const f = fixture(transport)
        let spoiled = 0
        const t = await misbehaving(transport, {
          data: f.data,
          behave: (r) => (r.action === 'scrape' && r.hashes.includes(f.last) && spoiled++ === 0 ? behaviour : 'ok'),
        })
        const ctx = context({ bad: entryOf(t.announce) }, transport)
        insertTorrents(
          ctx,
          f.hashes.map((infoHash) => ({ infoHash, trackers: ['bad'] })),
        )
        const r = await torrentsStats(ctx, { categories: [] })
        expect(r.errors).toEqual([])
        expect(r.counts).toMatchObject({ answered: f.hashes.length, unknown: 0, failed: 0 })
        expect(storedStats(ctx, 'bad').size).toBe(f.hashes.length)
        expect(t.received.scrape).toBe(4)
      })
    }

    it('a tracker that answers nothing is reported once and holds up no other tracker', async () => {
      const f = fixture(transport)
      const t = await misbehaving(transport, { data: f.data, behave: () => 'silent' })
      const good = await startTracker()
      open.push(good)
      for (const h of f.hashes) good.populate(h, { seeders: 1, leechers: 2, completed: 3 })
      const ctx = context(
        { bad: entryOf(t.announce), good: entryOf(transport === 'http' ? good.httpAnnounce : good.udpAnnounce) },
        transport,
      )
      insertTorrents(
        ctx,
        f.hashes.map((infoHash) => ({ infoHash, trackers: ['bad', 'good'] })),
      )
      const r = await torrentsStats(ctx, { categories: [] })
      expect(r.ok).toBe(false)
      expect(r.errors).toHaveLength(1)
      expect(r.errors[0]).toMatch(
        new RegExp(
          `^tracker bad \\(${t.announce.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\) answered nothing: .*; ${f.hashes.length} torrent\\(s\\) in 3 batch\\(es\\) not scraped`,
        ),
      )
      expect(r.counts).toMatchObject({ answered: f.hashes.length, failed: f.hashes.length })
      if (transport === 'udp') {
        // the connect is retried within the budget, once for every batch
        expect(t.received.connect).toBe(2)
        expect(t.received.scrape).toBe(0)
      } else {
        // two batches tried (2 attempts each), the third skipped
        expect(t.received.scrape).toBe(4)
      }
      expect(storedStats(ctx, 'bad').size).toBe(0)
      expect(storedStats(ctx, 'good').size).toBe(f.hashes.length)
    })

    it('connection refused: reported once, nothing stored for that tracker', async () => {
      const f = fixture(transport)
      const port = await closedPort(transport)
      const announce = transport === 'http' ? `http://127.0.0.1:${port}/announce` : `udp://127.0.0.1:${port}`
      const ctx = context({ bad: entryOf(announce) }, transport)
      insertTorrents(
        ctx,
        f.hashes.map((infoHash) => ({ infoHash, trackers: ['bad'] })),
      )
      const r = await torrentsStats(ctx, { categories: [] })
      expect(r.ok).toBe(false)
      expect(r.errors).toHaveLength(1)
      expect(r.errors[0]).toMatch(/^tracker bad .* answered nothing: .*(refused|ECONNREFUSED)/)
      expect(r.counts).toMatchObject({ answered: 0, failed: f.hashes.length })
    })
  })
}

describe('HTTP replies that are odd but usable', () => {
  it('a hash missing from the reply is unknown; an extra, unasked hash is ignored', async () => {
    const f = fixture('http')
    const t = await misbehaving('http', {
      data: f.data,
      behave: (r) => (r.hashes.includes(f.last) ? 'short' : 'long'),
    })
    const ctx = context({ bad: entryOf(t.announce) }, 'http')
    insertTorrents(
      ctx,
      f.hashes.map((infoHash) => ({ infoHash, trackers: ['bad'] })),
    )
    const r = await torrentsStats(ctx, { categories: [] })
    expect(r.ok).toBe(true)
    expect(r.counts).toMatchObject({ answered: 5, unknown: 1, failed: 0 })
    const stored = storedStats(ctx, 'bad')
    expect(stored.size).toBe(5)
    expect(stored.get(f.last)).toBeUndefined()
    expect(t.received.scrape).toBe(3)
  })

  it('a malformed entry loses that torrent only, not its batch (and is not retried)', async () => {
    const f = fixture('http')
    const t = await misbehaving('http', {
      data: f.data,
      behave: (r) => (r.hashes.includes(f.last) ? 'bad-entry' : 'ok'),
    })
    const ctx = context({ bad: entryOf(t.announce) }, 'http')
    insertTorrents(
      ctx,
      f.hashes.map((infoHash) => ({ infoHash, trackers: ['bad'] })),
    )
    const r = await torrentsStats(ctx, { categories: [] })
    expect(r.ok).toBe(false)
    expect(r.counts).toMatchObject({ answered: 5, unknown: 0, failed: 1 })
    expect(r.errors).toEqual([
      expect.stringMatching(/^tracker bad: batch 3\/3: 1 unreadable entry \(reply entry for [0-9a-f]{40} has no valid/),
    ])
    expect(storedStats(ctx, 'bad').size).toBe(5)
    expect(t.received.scrape).toBe(3)
  })

  it('429 with Retry-After: waits that long, then gets the batch', async () => {
    const f = fixture('http')
    const times: number[] = []
    const t = await misbehaving('http', {
      data: f.data,
      behave: (r) => {
        if (!r.hashes.includes(f.last)) return 'ok'
        times.push(Date.now())
        return times.length === 1 ? '429' : 'ok'
      },
    })
    const ctx = context({ bad: entryOf(t.announce) }, 'http')
    insertTorrents(
      ctx,
      f.hashes.map((infoHash) => ({ infoHash, trackers: ['bad'] })),
    )
    const r = await torrentsStats(ctx, { categories: [] })
    expect(r.errors).toEqual([])
    expect(r.counts).toMatchObject({ answered: 6, failed: 0 })
    expect((times[1] ?? 0) - (times[0] ?? 0)).toBeGreaterThanOrEqual(950) // Retry-After 1 s, not the 10 ms back-off
  })

  it('a reply over the size limit is cut, its batch failed, the others kept', async () => {
    const f = fixture('http')
    const t = await misbehaving('http', { data: f.data, behave: (r) => (r.hashes.includes(f.last) ? 'huge' : 'ok') })
    const ctx = context({ bad: entryOf(t.announce) }, 'http')
    insertTorrents(
      ctx,
      f.hashes.map((infoHash) => ({ infoHash, trackers: ['bad'] })),
    )
    const r = await torrentsStats(ctx, { categories: [] })
    expect(r.errors).toEqual([
      expect.stringMatching(/batch 3\/3 \(2 hashes\) failed: .*larger than the 1048576 bytes accepted/),
    ])
    expect(storedStats(ctx, 'bad').size).toBe(4)
  })
})

describe('UDP replies that are odd but usable', () => {
  for (const behaviour of ['short', 'truncated', 'long'] as const) {
    it(`${behaviour}: the entries it has are kept, the missing ones asked again`, async () => {
      const f = fixture('udp')
      const t = await misbehaving('udp', {
        data: f.data,
        // spoil full batches only: the follow-up of the missing hashes is answered right
        behave: (r) => (r.action === 'scrape' && r.hashes.length > 10 ? behaviour : 'ok'),
      })
      const ctx = context({ bad: entryOf(t.announce) }, 'udp')
      insertTorrents(
        ctx,
        f.hashes.map((infoHash) => ({ infoHash, trackers: ['bad'] })),
      )
      const r = await torrentsStats(ctx, { categories: [] })
      expect(r.errors).toEqual([])
      expect(r.counts).toMatchObject({ answered: f.hashes.length, unknown: 0, failed: 0 })
      const stored = storedStats(ctx, 'bad')
      for (const h of f.hashes) {
        const { seeders, leechers, completed } = stored.get(h)?.[0] ?? {}
        expect({ seeders, leechers, completed }).toEqual(f.numbers.get(h))
      }
      // 3 batches (74, 74, 2); the two full ones lack one entry each when short or cut, asked again alone
      expect(t.received.scrape).toBe(behaviour === 'long' ? 3 : 5)
    })
  }

  it('a follow-up that fails loses only the missing hashes', async () => {
    const f = fixture('udp')
    const t = await misbehaving('udp', {
      data: f.data,
      behave: (r) =>
        r.action !== 'scrape' ? 'ok' : r.hashes.length > 10 ? 'short' : r.hashes.length === 1 ? 'silent' : 'ok',
    })
    const ctx = context({ bad: entryOf(t.announce) }, 'udp')
    insertTorrents(
      ctx,
      f.hashes.map((infoHash) => ({ infoHash, trackers: ['bad'] })),
    )
    const r = await torrentsStats(ctx, { categories: [] })
    expect(r.counts).toMatchObject({ answered: f.hashes.length - 2, failed: 2 })
    expect(r.errors).toHaveLength(2)
    expect(r.errors[0]).toMatch(/unreadable entry \(not in the tracker's short reply, and the follow-up failed/)
  })
})

describe('UDP connection ids', () => {
  it('reconnects after an error reply and when the connection id is older than its lifetime', async () => {
    const f = fixture('udp')
    let errors = 0
    const t: MisbehavingTracker = await misbehaving('udp', {
      data: f.data,
      behave: (r) => (r.action === 'scrape' && r.n === 1 && errors++ === 0 ? 'failure' : 'ok'),
    })
    const ctx = context({ bad: entryOf(t.announce) }, 'udp')
    insertTorrents(
      ctx,
      f.hashes.map((infoHash) => ({ infoHash, trackers: ['bad'] })),
    )
    const r = await torrentsStats(ctx, { categories: [] })
    expect(r.ok).toBe(true)
    expect(t.received.connect).toBe(2) // the error reply dropped the connection id
    const r2 = await torrentsStats(ctx, { categories: [] }, { udpConnectionTtlMs: 0 })
    expect(r2.ok).toBe(true)
    expect(t.received.connect).toBe(2 + 3) // a new connection id for every batch
  })
})

describe('UDP: many batches in flight on one socket', () => {
  it('shares one connect and matches each reply to its batch by transaction id', async () => {
    const f = fixture('udp')
    const t = await misbehaving('udp', { data: f.data, behave: () => 'ok' })
    const scraper = new UdpScraper(t.announce, { firstWaitMs: 300, tries: 2 })
    try {
      const batches = [f.hashes.slice(0, 74), f.hashes.slice(74, 148), f.hashes.slice(148), f.hashes.slice(10, 20)]
      const replies = await Promise.all(batches.map((b) => scraper.scrape(b)))
      expect(t.received).toEqual({ connect: 1, scrape: 4 })
      batches.forEach((b, i) => {
        expect([...(replies[i]?.keys() ?? [])]).toEqual(b)
        for (const h of b) {
          const n = f.numbers.get(h)
          expect(replies[i]?.get(h)).toEqual(n)
        }
      })
    } finally {
      await scraper.close()
    }
  })
})
