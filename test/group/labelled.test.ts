/** The goals of `npm run eval:names` on the labelled lists, names only and with the IMDb datasets: a regression fails here. */
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadImdbFixture } from '../../devkit/names/imdb/index.ts'
import { groupLabelled, readLabelledNames, scoreNames, scorePairs } from '../../devkit/names/labelled.ts'
import { closeDb, openDb } from '../../pipeline/db/client.ts'
import { imdbResolver } from '../../pipeline/group/aliases.ts'
import { parseRelease } from '../../pipeline/group/parse.ts'

const ROOT = join(import.meta.dirname, '..', '..')
const FILES = [join(ROOT, 'data', 'samples', 'release-names.tsv'), join(ROOT, 'devkit', 'names', 'name-cases.tsv')]

describe.each(FILES)('labelled names %s', (file) => {
  const { rows, problems } = readLabelledNames(file)
  it('reads title+year and season/episode ≥ 99 %, groups with F1 ≥ 0.92 from the names alone', () => {
    expect(problems).toEqual([])
    const s = scoreNames(rows, parseRelease)
    expect(s.titleYearOk / s.rows, s.misses.join('\n')).toBeGreaterThanOrEqual(0.99)
    expect(s.seasonEpisodeOk / s.series, s.misses.join('\n')).toBeGreaterThanOrEqual(0.99)
    const p = scorePairs(rows, groupLabelled(rows))
    expect(p.f1, p.misses.join('\n')).toBeGreaterThanOrEqual(0.92)
  })

  it('groups with F1 ≥ 0.97 with IMDb basics + akas loaded (titles in other languages join)', async () => {
    const db = openDb(':memory:')
    await loadImdbFixture(db)
    const p = scorePairs(rows, groupLabelled(rows, imdbResolver(db)))
    closeDb(db)
    expect(p.f1, p.misses.join('\n')).toBeGreaterThanOrEqual(0.97)
    expect(p.fp, p.misses.join('\n')).toBe(0)
  })
})

describe('scorePairs', () => {
  it('counts pairs, and rows left ungrouped as groups of their own', () => {
    const rows = ['a', 'a', 'b', 'j1', 'j2'].map((label, i) => ({
      name: `n${i}`,
      kind: 'movie' as const,
      title: '',
      label,
      line: i,
    }))
    const p = scorePairs(rows, (i) => (i < 3 ? 'g' : undefined))
    expect(p).toMatchObject({ tp: 1, fp: 2, fn: 0, groups: 3, labels: 4 })
    expect(p.f1).toBeCloseTo((2 * (1 / 3) * 1) / (1 / 3 + 1))
  })
})
