/**
 * The site's pure helpers, in Node (no browser): chart geometry and display helpers.
 */
import { expect, test } from 'vitest'
import { compact, lineChart, niceTicks, pathData, sparkPath, thin, timeTicks } from '../../site/lib/charts.ts'
import { episodeLabel, fmtBytes, imdbUrl, initials, posterUrl, quality, rankChange } from '../../site/lib/format.ts'

const DAY = 86_400
const T0 = Date.UTC(2026, 10, 1) / 1000

test('niceTicks and compact numbers', () => {
  expect(niceTicks(0, 1480, 4)).toEqual([0, 500, 1000])
  expect(niceTicks(1, 4, 4, true)).toEqual([1, 2, 3, 4])
  expect(compact(950)).toBe('950')
  expect(compact(1500)).toBe('1.5k')
  expect(compact(34_000)).toBe('34k')
  expect(compact(2_500_000)).toBe('2.5M')
})

test('time ticks fall on whole UTC days over days, on whole hours within a day or two', () => {
  const ticks = timeTicks(T0 + 3600, T0 + 10 * DAY)
  expect(ticks.length).toBeLessThanOrEqual(5)
  expect(ticks.length).toBeGreaterThanOrEqual(3)
  for (const t of ticks) expect(t.x % DAY).toBe(0)
  expect(ticks[0]?.label).toMatch(/^\d+ Nov$/)
  const hours = timeTicks(T0 + 3600, T0 + 1.5 * DAY)
  expect(hours.map((t) => t.label)).toEqual(['12:00', '2 Nov', '12:00'])
})

test('lineChart: paths in the plot area, gaps split lines, single points become dots', () => {
  const m = lineChart([
    {
      label: 'a',
      points: [
        { x: T0, y: 0 },
        { x: T0 + DAY, y: 10 },
        { x: T0 + 2 * DAY, y: null },
        { x: T0 + 3 * DAY, y: 5 },
      ],
    },
    { label: 'b', points: [] },
  ])
  expect(m.empty).toBe(false)
  const line = m.lines[0]
  expect(line?.d.startsWith('M40,162l')).toBe(true) // (x0, 0) at the bottom-left of the plot (360 × 200)
  expect(line?.d.match(/M/g)?.length).toBe(1)
  expect(line?.dots).toEqual([{ x: 346, y: expect.any(Number) }])
  expect(line?.max).toBe(10)
  expect(line?.last).toBe(5)
  expect(m.lines[1]?.d).toBe('')
  expect(lineChart([]).empty).toBe(true)
  // Rank charts: rank 1 at the top.
  const r = lineChart(
    [
      {
        label: 'rank',
        points: [
          { x: T0, y: 1 },
          { x: T0 + DAY, y: 5 },
        ],
      },
    ],
    { invertY: true },
  )
  expect(r.lines[0]?.d).toMatch(/^M40,12l/)
  // The rank axis shows its 1, never a 0; axes say what they measure.
  const ranks = lineChart(
    [
      {
        label: 'rank',
        points: [
          { x: T0, y: 7 },
          { x: T0 + DAY, y: 40 },
        ],
      },
    ],
    { invertY: true, integer: true, yLabel: 'place' },
  )
  expect(ranks.yTicks[0]?.label).toBe('1')
  expect(ranks.yTicks.some((t) => t.label === '0')).toBe(false)
  expect(ranks.yLabel).toBe('place')
  expect(ranks.xLabel).toBe('day (UTC)')
  // A single point is a dot.
  expect(lineChart([{ label: 'a', points: [{ x: T0, y: 3 }] }]).lines[0]?.dots).toHaveLength(1)
})

/** The absolute points of path data made of M, L and l commands. */
function pointsOf(d: string): [number, number][] {
  const out: [number, number][] = []
  for (const [, cmd, args] of d.matchAll(/([MLl])([^MLl]*)/g)) {
    const n = (args ?? '').match(/-?(\d+\.?\d*|\.\d+)/g)?.map(Number) ?? []
    for (let i = 0; i + 1 < n.length; i += 2) {
      const [x, y] = [n[i] as number, n[i + 1] as number]
      const prev = out[out.length - 1]
      out.push(cmd === 'l' && prev ? [r1(prev[0] + x), r1(prev[1] + y)] : [x, y])
    }
  }
  return out
}
const r1 = (n: number) => Math.round(n * 10) / 10

test('pathData: relative steps land on the rounded points; shorter than absolute commands', () => {
  const pts: [number, number][] = [
    [40, 162],
    [50.1, 107.3],
    [60.3, 109.9],
    [60.3, 0.5],
    [346, 0],
    [345.9, 12],
  ]
  const d = pathData(pts)
  expect(d).toBe('M40,162l10.1-54.7 10.2,2.6 0-109.4 285.7-.5-.1,12')
  expect(pointsOf(d)).toEqual(pts)
  expect(d.length).toBeLessThan(`M${pts.map((p) => p.join(',')).join('L')}`.length)
  expect(pathData([])).toBe('')
  // Many steps: no drift.
  const wave = Array.from({ length: 160 }, (_, i): [number, number] => [
    r1(40 + i * 1.93),
    r1(100 + 60 * Math.sin(i / 7)),
  ])
  expect(pointsOf(pathData(wave))).toEqual(wave)
})

test('thin keeps the last point; sparkPath scales to the box', () => {
  const pts = Array.from({ length: 1000 }, (_, i) => i)
  const t = thin(pts, 100)
  expect(t.length).toBeLessThanOrEqual(101)
  expect(t[t.length - 1]).toBe(999)
  expect(sparkPath([0, 10]).d).toBe('M0,23L96,1')
  expect(sparkPath([]).d).toBe('')
})

test('display helpers', () => {
  expect(quality({ resolution: '1080p', source: 'BluRay', codec: 'x265', group: 'FLUX', languages: ['fr'] })).toBe(
    '1080p · BluRay · x265 · FLUX · fr',
  )
  expect(quality(null)).toBe('')
  expect(fmtBytes(2_200_000_000)).toBe('2.2 GB')
  expect(episodeLabel(1, 2)).toBe('S01E02')
  expect(episodeLabel(3, null)).toBe('S03 pack')
  expect(rankChange(2, 5)).toMatchObject({ kind: 'up', text: '▲3' })
  expect(rankChange(5, 2)).toMatchObject({ kind: 'down', text: '▼3' })
  expect(rankChange(5, null)).toMatchObject({ kind: 'new', text: 'new' })
  expect(rankChange(5, null, true)).toMatchObject({ kind: 'back', text: 'back' })
  expect(rankChange(4, 4)).toMatchObject({ kind: 'same', text: 'same' })
  expect(rankChange(1, 2, false, 'week').label).toBe('up 1 place since last week')
  expect(posterUrl({ posterUrl: 'javascript:alert(1)' })).toBeNull()
  expect(posterUrl({ posterUrl: 'https://image.tmdb.org/t/p/w342/a.jpg' })).toBe(
    'https://image.tmdb.org/t/p/w342/a.jpg',
  )
  expect(imdbUrl('tt0111161')).toBe('https://www.imdb.com/title/tt0111161/')
  expect(imdbUrl('"><x')).toBeNull()
  expect(initials('<script>alert(1)</script>')).toBe('SA')
})
