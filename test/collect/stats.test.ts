/**
 * `torrents stats` against a real tracker (bittorrent-tracker's Server on 127.0.0.1) whose swarms
 * were built by real announces: the stored stats must equal the swarms, over HTTP and over UDP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type LoopbackTracker, randomInfoHash, startTracker } from '../../devkit/servers/tracker.ts'
import { torrentsStats } from '../../pipeline/collect/command.ts'
import { fixedClock } from '../../pipeline/core/clock.ts'
import { UserError } from '../../pipeline/core/errors.ts'
import { collectContext, entryOf, fastIni, insertTorrents, shapeFor, storedStats } from './helpers.ts'

const MINUTE = Math.floor(Date.parse('2026-01-15T12:00:30Z') / 1000 / 60) * 60

let tracker: LoopbackTracker
/** 200 hashes with swarms built by real announces (HTTP for even, UDP for odd indexes). */
const known: string[] = []
beforeAll(async () => {
  tracker = await startTracker()
  for (let i = 0; i < 200; i++) known.push(randomInfoHash())
  await tracker.buildSwarms(
    known.filter((_, i) => i % 2 === 0).map((h) => [h, shapeFor(known.indexOf(h))]),
    { transport: 'http', concurrency: 32 },
  )
  await tracker.buildSwarms(
    known.filter((_, i) => i % 2 === 1).map((h) => [h, shapeFor(known.indexOf(h))]),
    { transport: 'udp', concurrency: 32 },
  )
})
afterAll(async () => {
  await tracker?.close()
})

describe('the loopback tracker', () => {
  it('holds the swarms the announces built', () => {
    known.slice(0, 12).forEach((h, i) => {
      expect(tracker.expected(h)).toEqual(shapeFor(i))
    })
    expect(tracker.counters.httpAnnounces).toBeGreaterThan(100)
    expect(tracker.counters.udpAnnounces).toBeGreaterThan(100)
  })
})

for (const transport of ['http', 'udp'] as const) {
  describe(`torrents stats over ${transport.toUpperCase()}`, () => {
    for (const count of [1, 74, 75, 200]) {
      it(`stores the swarms of ${count} torrent(s), unknown hashes included`, async () => {
        const announce = transport === 'http' ? tracker.httpAnnounce : tracker.udpAnnounce
        const ctx = collectContext({ loop: entryOf(announce) }, fastIni(4))
        try {
          // every 10th torrent is unknown to the tracker
          const hashes = known.slice(0, count).map((h, i) => (i % 10 === 9 ? randomInfoHash() : h))
          insertTorrents(
            ctx,
            hashes.map((infoHash) => ({ infoHash, trackers: ['loop'] })),
          )
          const before = { ...tracker.counters }
          const r = await torrentsStats(ctx, { categories: [] })
          const unknown = hashes.filter((h) => !known.includes(h))
          expect(r.errors).toEqual([])
          expect(r.ok).toBe(true)
          const stored = storedStats(ctx, 'loop')
          for (const h of hashes) {
            const rows = stored.get(h)
            if (unknown.includes(h) && transport === 'http') {
              expect(rows).toBeUndefined() // missing from the reply: unknown, not zero
              continue
            }
            const i = known.indexOf(h)
            expect(rows).toEqual([
              { ...(i < 0 ? { seeders: 0, leechers: 0, completed: 0 } : shapeFor(i)), time: MINUTE },
            ])
          }
          if (transport === 'http') {
            expect(r.counts).toMatchObject({ answered: count - unknown.length, unknown: unknown.length, failed: 0 })
            expect(tracker.counters.httpScrapes - before.httpScrapes).toBe(Math.ceil(count / 50))
            expect(tracker.counters.maxHttpAsked).toBeLessThanOrEqual(50)
          } else {
            // UDP cannot leave a hash out: unknown hashes come back as zeros
            expect(r.counts).toMatchObject({ answered: count, unknown: 0, failed: 0 })
            for (const h of unknown) expect(stored.get(h)?.[0]).toMatchObject({ seeders: 0, leechers: 0, completed: 0 })
            expect(tracker.counters.udpScrapes - before.udpScrapes).toBe(Math.ceil(count / 74))
            expect(tracker.counters.maxUdpAsked).toBeLessThanOrEqual(74)
          }
        } finally {
          ctx.close()
          ctx.dirs.cleanup()
        }
      })
    }
  })
}

describe('torrents stats: which torrents, which trackers, which rows', () => {
  it('scrapes only candidate statuses and the asked categories, every active tracker, upserting tracker rows', async () => {
    const ctx = collectContext({
      web: entryOf(tracker.httpAnnounce),
      dgram: entryOf(tracker.udpAnnounce),
      off: { ...entryOf(tracker.httpAnnounce), active: false },
    })
    try {
      const [a, b, c, d, e] = known as [string, string, string, string, string]
      insertTorrents(ctx, [
        { infoHash: a, status: 'new', category: 'movies', trackers: ['web', 'dgram', 'off'] },
        { infoHash: b, status: 'follow', category: 'series', trackers: ['web'] },
        { infoHash: c, status: 'unfollow', category: 'movies', trackers: ['web', 'dgram'] },
        { infoHash: d, status: 'follow', category: 'movies', trackers: ['dgram'] },
        { infoHash: e, status: 'new', category: 'series', trackers: [] },
      ])
      const r = await torrentsStats(ctx, { categories: ['movies'] })
      expect(r.ok).toBe(true)
      expect(r.counts).toMatchObject({ trackers: 2, torrents: 3, answered: 3, failed: 0 })
      expect([...storedStats(ctx, 'web').keys()]).toEqual([a])
      expect([...storedStats(ctx, 'dgram').keys()].sort()).toEqual([a, d].sort())
      expect(storedStats(ctx, 'off').size).toBe(0)

      // -t names one tracker (inactive ones too); no -c = every category
      const r2 = await torrentsStats(ctx, { categories: [], tracker: 'off' })
      expect(r2.counts).toMatchObject({ trackers: 1, torrents: 1, answered: 1 })
      expect([...storedStats(ctx, 'off').keys()]).toEqual([a])
    } finally {
      ctx.close()
      ctx.dirs.cleanup()
    }
  })

  it('replaces rows on a re-run in the same minute, adds rows in the next', async () => {
    const entries = { loop: entryOf(tracker.udpAnnounce) }
    const ctx = collectContext(entries)
    try {
      const h = randomInfoHash()
      tracker.populate(h, { seeders: 2, leechers: 1, completed: 2 })
      insertTorrents(ctx, [{ infoHash: h, trackers: ['loop'] }])
      await torrentsStats(ctx, { categories: [] })
      tracker.populate(h, { seeders: 1, leechers: 0, completed: 0 }) // one more seeder
      await torrentsStats(ctx, { categories: [] })
      expect(storedStats(ctx, 'loop').get(h)).toEqual([{ seeders: 3, leechers: 1, completed: 2, time: MINUTE }])

      // the same config and database, one minute later
      const next = { ...ctx, clock: fixedClock(new Date('2026-01-15T12:01:05Z')) }
      await torrentsStats(next, { categories: [] })
      expect(
        storedStats(ctx, 'loop')
          .get(h)
          ?.map((s) => s.time),
      ).toEqual([MINUTE, MINUTE + 60])
    } finally {
      ctx.close()
      ctx.dirs.cleanup()
    }
  })

  it('keeps HTTP connections alive and sends the configured user agent', async () => {
    const agents: string[] = []
    tracker.server.http?.on('request', (req) => {
      if (req.url?.startsWith('/scrape')) agents.push(String(req.headers['user-agent']))
    })
    const ctx = collectContext({ loop: entryOf(tracker.httpAnnounce) })
    try {
      insertTorrents(
        ctx,
        known.slice(0, 200).map((infoHash) => ({ infoHash, trackers: ['loop'] })),
      )
      const conns = tracker.counters.httpConnections
      const r = await torrentsStats(ctx, { categories: [] })
      expect(r.counts.answered).toBe(200)
      expect(agents).toHaveLength(4)
      expect(new Set(agents)).toEqual(new Set(['mediastrends-test']))
      // concurrency 1: four requests over at most one new connection (one may be left from earlier tests)
      expect(tracker.counters.httpConnections - conns).toBeLessThanOrEqual(1)
    } finally {
      ctx.close()
      ctx.dirs.cleanup()
    }
  })

  it('keeps HTTP requests under 8 KiB when the announce URL carries a long passkey', async () => {
    const passkey = 'k'.repeat(5000)
    const ctx = collectContext(
      { loop: { scheme: 'http', netloc: `127.0.0.1:${tracker.httpPort}`, path: `/announce?passkey=${passkey}` } },
      `batch_size = 64\n${fastIni(2)}`,
    )
    try {
      insertTorrents(
        ctx,
        known.map((infoHash) => ({ infoHash, trackers: ['loop'] })),
      )
      const before = { ...tracker.counters }
      const r = await torrentsStats(ctx, { categories: [] })
      expect(r.errors).toEqual([])
      expect(r.counts.answered).toBe(200)
      expect(tracker.counters.refusedLongUrls).toBe(before.refusedLongUrls)
      const requests = tracker.counters.httpScrapes - before.httpScrapes
      expect(requests).toBeGreaterThan(Math.ceil(200 / 64)) // smaller batches than 64
    } finally {
      ctx.close()
      ctx.dirs.cleanup()
    }
  })

  it('counts a torrent with a malformed info hash as failed and scrapes the rest', async () => {
    const ctx = collectContext({ loop: entryOf(tracker.udpAnnounce) })
    try {
      const [a] = known as [string]
      insertTorrents(ctx, [
        { infoHash: a, trackers: ['loop'] },
        { infoHash: 'not-a-hash', trackers: ['loop'] },
      ])
      const r = await torrentsStats(ctx, { categories: [] })
      expect(r.ok).toBe(false)
      expect(r.counts).toMatchObject({ torrents: 2, answered: 1, failed: 1 })
      expect(r.errors).toEqual([
        expect.stringMatching(/tracker loop: 1 torrent\(s\) with an invalid info hash .*"not-a-hash"/),
      ])
      expect([...storedStats(ctx, 'loop').keys()]).toEqual([a])
    } finally {
      ctx.close()
      ctx.dirs.cleanup()
    }
  })

  it('refuses unknown trackers and categories with a clear error', async () => {
    const ctx = collectContext({ loop: entryOf(tracker.httpAnnounce) })
    try {
      await expect(torrentsStats(ctx, { categories: [], tracker: 'nope' })).rejects.toThrow(
        /-t nope: no such tracker in .*trackers\.yaml \(known: loop\)/,
      )
      await expect(torrentsStats(ctx, { categories: ['films'] })).rejects.toBeInstanceOf(UserError)
    } finally {
      ctx.close()
      ctx.dirs.cleanup()
    }
  })

  it('reports an HTTP tracker without a scrape convention and scrapes the others', async () => {
    const ctx = collectContext({
      odd: { scheme: 'http', netloc: `127.0.0.1:${tracker.httpPort}`, path: '/tracker.php' },
      good: entryOf(tracker.httpAnnounce),
    })
    try {
      const [a] = known as [string]
      insertTorrents(ctx, [{ infoHash: a, trackers: ['odd', 'good'] }])
      const r = await torrentsStats(ctx, { categories: [] })
      expect(r.ok).toBe(false)
      expect(r.counts).toMatchObject({ answered: 1, failed: 1 })
      expect(r.errors.join('\n')).toMatch(/tracker odd: .*no scrape URL/)
      expect(storedStats(ctx, 'good').size).toBe(1)
    } finally {
      ctx.close()
      ctx.dirs.cleanup()
    }
  })
})
