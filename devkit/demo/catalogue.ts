/**
 * The demo's sample catalogue (data/samples/demo-catalogue.json) turned into simulated swarms:
 * each release gets a demand curve of its kind, a publication time inside the simulated period,
 * and a deterministic info hash. Pure: same catalogue, start and days → same swarms.
 *
 * Publication times are chosen so the story is visible in a few days: decaying titles were
 * published before the demo starts, steady and slow-burn titles on day 0, and flash-crowd titles
 * a day and a half before the end, so they should top the final ranking.
 */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { z } from 'zod'
import { UserError } from '../../pipeline/core/errors.ts'
import type { CurveKind, DemandCurve } from '../sim/demand.ts'
import { Swarm } from '../sim/swarm.ts'

export const CATALOGUE_FILE = join(dirname(fileURLToPath(import.meta.url)), '../../data/samples/demo-catalogue.json')

const itemSchema = z.object({
  name: z.string().min(1),
  category: z.number().int(),
  size: z.number().int().positive(),
  curve: z.enum(['flash', 'slow', 'decay', 'steady']),
  scale: z.number().positive(),
  flashTop: z.boolean().default(false),
})
const catalogueSchema = z.object({ items: z.array(itemSchema).min(1) })
export type CatalogueItem = z.infer<typeof itemSchema>

export interface DemoRelease extends CatalogueItem {
  infoHash: string
  pubDate: number
  swarm: Swarm
}

const HOUR = 3600
const DAY = 86_400
/** Downloads per hour at scale 1: keeps the busiest swarm to a few hundred peers. */
const PEAK_PER_HOUR = 40

export function loadCatalogue(file = CATALOGUE_FILE): CatalogueItem[] {
  let raw: unknown
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'))
  } catch (err) {
    throw new UserError(`${file}: cannot read the demo catalogue: ${(err as Error).message}`)
  }
  const parsed = catalogueSchema.safeParse(raw)
  if (!parsed.success) {
    const first = parsed.error.issues[0]
    throw new UserError(`${file}: ${first?.path.join('.') ?? ''}: ${first?.message ?? 'invalid catalogue'}`)
  }
  return parsed.data.items
}

/** A stable 40-hex info hash for a release name (the demo's .torrent files use the same). */
export const demoHash = (name: string): string => createHash('sha1').update(`mediastrends-demo:${name}`).digest('hex')

function curveFor(item: CatalogueItem, start: number, days: number, index: number): DemandCurve {
  const end = start + days * DAY
  const jitter = (index % 7) * 1.3 * HOUR
  const kinds: Record<CatalogueItem['curve'], CurveKind> = {
    flash: 'flash',
    slow: 'slowBurn',
    decay: 'decay',
    steady: 'steady',
  }
  const kind = kinds[item.curve]
  const peak = PEAK_PER_HOUR * item.scale
  const base = { kind, peak, dayNight: 0.35, peakHour: 21 }
  switch (item.curve) {
    case 'flash':
      // A flash crowd is several times bigger than anything else, and fades within a day or two.
      return { ...base, peak: peak * 3, start: Math.max(start, end - 30 * HOUR) + jitter, riseHours: 3, decayHours: 30 }
    case 'slow':
      return { ...base, start: start + jitter, riseHours: 48, decayHours: 12 }
    case 'decay':
      return { ...base, start: start - 2 * DAY + jitter, riseHours: 1, decayHours: 40 }
    case 'steady':
      return { ...base, peak: peak * 0.4, start: start + jitter, riseHours: 1, decayHours: 1 }
  }
}

/** Swarms for the demo period [start, start + days·DAY]. */
export function demoReleases(items: CatalogueItem[], start: number, days: number): DemoRelease[] {
  return items.map((item, i) => {
    const infoHash = demoHash(item.name)
    const curve = curveFor(item, start, days, i)
    const swarm = new Swarm({
      id: i + 1,
      infoHash,
      name: item.name,
      category: item.category >= 5000 && item.category < 6000 ? 'series' : 'movies',
      curve,
      downloadHours: 1.5,
      seedHours: 10,
      initialSeeders: 1,
    })
    return { ...item, infoHash, pubDate: Math.floor(curve.start), swarm }
  })
}
