/**
 * Chart geometry for build-time SVG: pure functions, no DOM. Hand-rolled rather than Observable
 * Plot + linkedom because a page of 10k torrents needs three charts each and the build must stay
 * well under the 90 s budget; the Chart/Sparkline components turn these models into SVG (Astro
 * escapes every label). Lines are styled by class (c0…c3) so dark/light themes apply.
 */

export interface Point {
  /** Unix seconds. */
  x: number
  y: number | null
}

export interface SeriesIn {
  label: string
  points: Point[]
}

export interface Tick {
  pos: number
  label: string
  /** SVG text-anchor: labels at the plot's edges stay inside the chart. */
  anchor?: 'start' | 'middle' | 'end'
}

export interface LineModel {
  label: string
  cls: string
  d: string
  /** Single points (a series with one value, or isolated values between gaps) drawn as dots. */
  dots: { x: number; y: number }[]
  min: number | null
  max: number | null
  last: number | null
}

export interface ChartModel {
  width: number
  height: number
  yLabel: string | null
  xLabel: string
  plot: { left: number; top: number; right: number; bottom: number }
  lines: LineModel[]
  xTicks: Tick[]
  yTicks: Tick[]
  empty: boolean
}

export interface ChartOptions {
  width?: number
  height?: number
  /** Rank charts: 1 at the top. */
  invertY?: boolean
  /** Start the y axis at zero (default true unless invertY). */
  zero?: boolean
  /** Integer y ticks only (counts, ranks). */
  integer?: boolean
  /** What the y axis measures, with its unit ("downloads per day"): written above the axis. */
  yLabel?: string
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/** 1, 2, 5 × 10^k steps giving about `count` ticks over [min, max]. */
export function niceTicks(min: number, max: number, count = 4, integer = false): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return []
  if (min === max) return [min]
  const raw = (max - min) / count
  const p = 10 ** Math.floor(Math.log10(raw))
  let step = [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? 10 * p
  if (integer) step = Math.max(1, Math.round(step))
  const out: number[] = []
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) out.push(Math.round(v * 1e6) / 1e6)
  return out
}

/** Compact number: 950, 1.2k, 34k, 1.5M. */
export function compact(n: number): string {
  const a = Math.abs(n)
  if (a >= 1e6) return `${trim(n / 1e6)}M`
  if (a >= 1e3) return `${trim(n / 1e3)}k`
  return trim(n)
}
function trim(n: number): string {
  return (Math.abs(n) >= 10 || Number.isInteger(n) ? Math.round(n) : Math.round(n * 10) / 10).toString()
}

/**
 * Time ticks (UTC) over [x0, x1], at most `count`: whole hours or whole days. Midnight ticks read
 * "23 Nov", others "12:00".
 */
export function timeTicks(x0: number, x1: number, count = 5): { x: number; label: string }[] {
  const H = 3600
  const steps = [1, 2, 3, 6, 12, 24, 48, 72, 168, 336, 720, 1440, 2160].map((h) => h * H)
  const span = Math.max(x1 - x0, H)
  const step = steps.find((s) => span / s <= count) ?? Math.ceil(span / count / 86_400) * 86_400
  const out: { x: number; label: string }[] = []
  for (let x = Math.ceil(x0 / step) * step; x <= x1; x += step) {
    out.push({ x, label: x % 86_400 === 0 ? dayLabel(x) : new Date(x * 1000).toISOString().slice(11, 16) })
  }
  return out
}

function dayLabel(x: number): string {
  const d = new Date(x * 1000)
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]}`
}

/** Keep at most `max` points: every k-th, always the last. */
export function thin<T>(points: T[], max: number): T[] {
  if (points.length <= max) return points
  const k = Math.ceil(points.length / max)
  const out = points.filter((_, i) => i % k === 0)
  const last = points[points.length - 1] as T
  if (out[out.length - 1] !== last) out.push(last)
  return out
}

const r1 = (n: number) => Math.round(n * 10) / 10

/** A number in path data: one decimal at most, no leading zero (`.5`, `-.5`). */
const num = (n: number) => String(r1(n) || 0).replace(/^(-?)0\./, '$1.')

/**
 * SVG path data through points already rounded to 0.1: an absolute move, then relative line-tos
 * (`M40,162l10.1-2 10.1-2.1…`), about half the bytes of absolute `L` commands; each step is taken
 * from the rounded points, so the line lands exactly where absolute commands would put it.
 */
export function pathData(points: [number, number][]): string {
  const [first, ...rest] = points
  if (!first) return ''
  let d = `M${num(first[0])},${num(first[1])}`
  let [px, py] = first
  rest.forEach(([x, y], i) => {
    const dx = num(x - px)
    const dy = num(y - py)
    d += `${i === 0 ? 'l' : dx.startsWith('-') ? '' : ' '}${dx}${dy.startsWith('-') ? '' : ','}${dy}`
    px = x
    py = y
  })
  return d
}

export function lineChart(series: SeriesIn[], opts: ChartOptions = {}): ChartModel {
  // A narrow drawing (360 units) so its 13-unit text stays ≥ 11 px on a 390 px phone; on wider
  // screens the stylesheet shrinks the text in proportion (site/styles/global.css).
  const width = opts.width ?? 360
  const height = opts.height ?? 200
  const plot = { left: 40, top: opts.yLabel ? 26 : 12, right: width - 14, bottom: height - 38 }
  const pts = series.flatMap((s) => s.points.filter((p) => p.y != null && Number.isFinite(p.y)))
  const empty = pts.length === 0
  const xs = pts.map((p) => p.x)
  const ys = pts.map((p) => p.y as number)
  let x0 = empty ? 0 : Math.min(...xs)
  let x1 = empty ? 1 : Math.max(...xs)
  if (x0 === x1) {
    x0 -= 43_200
    x1 += 43_200
  }
  const zero = opts.zero ?? !opts.invertY
  let y0 = empty ? 0 : Math.min(...ys)
  let y1 = empty ? 1 : Math.max(...ys)
  if (zero) y0 = Math.min(0, y0)
  if (opts.invertY) y0 = Math.min(1, y0)
  if (y0 === y1) y1 = y0 + 1
  let yt = niceTicks(y0, y1, 4, opts.integer)
  // A rank axis always shows its "1" (the top), and no 0.
  if (opts.invertY && !empty) {
    const st = yt.length > 1 ? (yt[1] as number) - (yt[0] as number) : 1
    yt = [1, ...yt.filter((v) => v > 1 + st * 0.6)]
  }
  // Close the axis on a tick above the data (not for ranks, whose axis ends at the lowest rank).
  const last = yt[yt.length - 1]
  const step = yt.length > 1 ? (yt[1] as number) - (yt[0] as number) : 0
  if (!opts.invertY && last !== undefined && step > 0 && last < y1) yt.push(Math.round((last + step) * 1e6) / 1e6)
  y0 = Math.min(y0, yt[0] ?? y0)
  y1 = Math.max(y1, yt[yt.length - 1] ?? y1)
  const sx = (x: number) => plot.left + ((x - x0) / (x1 - x0)) * (plot.right - plot.left)
  const sy = (y: number) =>
    opts.invertY
      ? plot.top + ((y - y0) / (y1 - y0)) * (plot.bottom - plot.top)
      : plot.bottom - ((y - y0) / (y1 - y0)) * (plot.bottom - plot.top)

  const lines: LineModel[] = series.map((s, i) => {
    let d = ''
    const dots: { x: number; y: number }[] = []
    let run: [number, number][] = []
    const flush = () => {
      const [one] = run
      if (run.length === 1 && one) dots.push({ x: one[0], y: one[1] })
      else if (run.length > 1) d += pathData(run)
      run = []
    }
    const vals: number[] = []
    for (const p of s.points) {
      if (p.y == null || !Number.isFinite(p.y)) {
        flush()
        continue
      }
      vals.push(p.y)
      run.push([r1(sx(p.x)), r1(sy(p.y))])
    }
    flush()
    return {
      label: s.label,
      cls: `c${i % 4}`,
      d,
      dots,
      min: vals.length ? Math.min(...vals) : null,
      max: vals.length ? Math.max(...vals) : null,
      last: vals.length ? (vals[vals.length - 1] as number) : null,
    }
  })
  return {
    width,
    height,
    plot,
    yLabel: opts.yLabel ?? null,
    xLabel: 'day (UTC)',
    lines,
    xTicks: empty
      ? []
      : timeTicks(x0, x1, width < 500 ? 4 : 6).map((t) => {
          const pos = r1(sx(t.x))
          const anchor = pos > plot.right - 24 ? 'end' : pos < plot.left + 12 ? 'start' : 'middle'
          return { pos, label: t.label, anchor }
        }),
    yTicks: empty ? [] : yt.map((v) => ({ pos: r1(sy(v)), label: compact(v) })),
    empty,
  }
}

/** Plain-words summary of a chart for <desc> (screen readers). */
export function describeChart(model: ChartModel, what: string): string {
  if (model.empty) return `${what}: no data.`
  const parts = model.lines
    .filter((l) => l.last != null)
    .map(
      (l) =>
        `${l.label}: latest ${compact(l.last as number)}, lowest ${compact(l.min as number)}, highest ${compact(l.max as number)}`,
    )
  return `${what}. ${parts.join('; ')}.`
}

/** A sparkline path over equally spaced values (zero at the bottom). */
export function sparkPath(values: number[], width = 96, height = 24): { d: string; area: string } {
  if (values.length === 0) return { d: '', area: '' }
  const max = Math.max(1, ...values)
  const step = values.length > 1 ? width / (values.length - 1) : 0
  const pts = values.map((v, i) => `${r1(i * step)},${r1(height - 1 - (v / max) * (height - 2))}`)
  const d = `M${pts.join('L')}`
  return { d, area: `${d}L${r1((values.length - 1) * step)},${height}L0,${height}Z` }
}
