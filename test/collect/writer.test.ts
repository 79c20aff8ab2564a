import { afterEach, describe, expect, it } from 'vitest'
import { StatsWriter } from '../../pipeline/collect/store.ts'
import type { Context } from '../../pipeline/context.ts'
import { testContext } from '../helpers/config.ts'
import { insertSample } from '../helpers/sample-data.ts'

let ctxs: (Context & { dirs: { cleanup(): void } })[] = []
afterEach(() => {
  for (const c of ctxs) {
    c.close()
    c.dirs.cleanup()
  }
  ctxs = []
})

describe('StatsWriter: rows handed over are never dropped by a failed write', () => {
  it('keeps the buffer when a transaction fails, and saves the good rows one by one', () => {
    const ctx = testContext()
    ctxs.push(ctx)
    const db = ctx.db()
    insertSample(db)
    const count = () =>
      (db.$client.prepare('SELECT count(*) n FROM stats WHERE time = 1800000000').get() as { n: number }).n
    const w = new StatsWriter(db, 1_800_000_000, 1000, 60_000)
    w.add([
      { torrentId: 1, trackerId: 1, seeders: 5, leechers: 1, completed: 9 },
      { torrentId: 999, trackerId: 1, seeders: 1, leechers: 1, completed: 1 }, // no such torrent
      { torrentId: 2, trackerId: 1, seeders: 7, leechers: 2, completed: null },
    ])
    expect(() => w.flush()).toThrow(/FOREIGN KEY/)
    expect(w.pending).toBe(3) // nothing lost
    expect(count()).toBe(0) // nothing half-written
    expect(w.flushRowByRow()).toEqual({ failed: 1, error: expect.stringMatching(/FOREIGN KEY/) })
    expect(count()).toBe(2)
    expect(w.written).toBe(2)
  })
})
