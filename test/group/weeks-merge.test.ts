/** A movie merged into another takes its packed weeks (media_weeks) as it takes its rank rows. */
import { afterEach, describe, expect, it } from 'vitest'
import { mediaCompute } from '../../pipeline/group/command.ts'
import { testContext } from '../helpers/config.ts'
import { capture, parasiteLearnsItsId, seedTrendRun } from './helpers.ts'

const T1 = 1_768_478_400 // 2026-01-15T12:00:00Z
const T2 = T1 + 6 * 3600
const DAY = 86_400
const W1 = Date.UTC(2025, 11, 1) / 1000 // Mondays
const W2 = W1 + 7 * DAY

let ctxs: ReturnType<typeof testContext>[] = []
afterEach(() => {
  for (const c of ctxs) {
    c.close()
    c.dirs.cleanup()
  }
  ctxs = []
})

describe('merging movies', () => {
  it("moves the packed weeks of the row that goes: ranks merged (the kept row's of the same run win), its activity dropped as its rows are", async () => {
    const ctx = testContext({ ini: '' })
    ctxs.push(ctx)
    seedTrendRun(ctx, [{ name: 'Parasite.2019.1080p.BluRay.x264-FGT', category: 'movies', score: 5 }], T1)
    await capture(() => mediaCompute(ctx, 'movie'))
    const c = ctx.db().$client
    const gone = c.prepare('SELECT id FROM media').pluck().get() as number
    // The row its id will find, made earlier by another group.
    const kept = Number(
      c
        .prepare(
          "INSERT INTO media (kind, key, title, year, imdb_id, updated_at) VALUES ('movie', 'imdb:tt6751668', 'Parasite', 2019, 'tt6751668', 0)",
        )
        .run().lastInsertRowid,
    )
    const put = c.prepare('INSERT INTO media_weeks (media_id, week, activity, ranks) VALUES (?, ?, ?, ?)')
    put.run(gone, W1, JSON.stringify([[W1, 1, 1, 2, 3]]), JSON.stringify([[W1 + 100, 'nowcast', 1, 7, 1]]))
    put.run(
      gone,
      W2,
      JSON.stringify([[W2, 1, 1, 2, 3]]),
      JSON.stringify([
        [W2 + 100, 'nowcast', 1, 7, 1],
        [W2 + DAY, 'nowcast', 1, 8, 1],
      ]),
    )
    put.run(kept, W2, JSON.stringify([[W2, 5, 5, 10, 9]]), JSON.stringify([[W2 + 100, 'nowcast', 2, 3, 2]]))
    await parasiteLearnsItsId(ctx, T2)
    const { result } = await capture(() => mediaCompute(ctx, 'movie'))
    expect(result.counts).toMatchObject({ merged: 1 })
    expect(c.prepare('SELECT id FROM media').pluck().all()).toEqual([kept])
    const weeks = c.prepare('SELECT media_id, week, activity, ranks FROM media_weeks ORDER BY week').all()
    expect(weeks).toEqual([
      { media_id: kept, week: W1, activity: '[]', ranks: JSON.stringify([[W1 + 100, 'nowcast', 1, 7, 1]]) },
      {
        media_id: kept,
        week: W2,
        activity: JSON.stringify([[W2, 5, 5, 10, 9]]),
        ranks: JSON.stringify([
          [W2 + 100, 'nowcast', 2, 3, 2],
          [W2 + DAY, 'nowcast', 1, 8, 1],
        ]),
      },
    ])
  })
})
