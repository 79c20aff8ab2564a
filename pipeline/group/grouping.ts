/**
 * Torrents → movies and series. Pure functions: no I/O.
 *
 * - Movie vs series: `mediaKindOf` (Torznab category first, then explicit episode markers).
 * - Ids carried by the feed win: torrents sharing an imdb/tmdb/tvdb id are one media, whatever
 *   their names; torrents carrying different ids are never merged by name.
 * - Otherwise torrents group by normalised title with years within ±1; a name without a year joins
 *   the largest year cluster of its title ("Shogun.2024.S01E01" and "Shogun.S01E02" are one show,
 *   "Ghosts.2019" and "Ghosts.2021" two). Series keep season/episode per torrent.
 * - Names without a recognisable title (hashes, empty after cleaning) are each their own media,
 *   keyed by info hash (`torrent:<hash>`): never merged with anything, never crashing.
 *
 * Keys (`media.key`): `imdb:tt…`, else `tmdb:<id>`, else `tvdb:<id>`, else
 * `title:<normalised title>:<year>` (year empty when unknown); `torrent:<info hash>` for the
 * fallback.
 */
import type { MediaKind, torrents } from '../../schema/tables.ts'
import type { LookupQuery } from './metadata.ts'
import { mediaKindOf, normaliseTitle, type ParsedRelease, parseRelease } from './parse.ts'

type Torrent = typeof torrents.$inferSelect

/** A torrent to group: its row's name, category and feed ids (the ids may be absent). */
export type TorrentInput = Pick<Torrent, 'id' | 'infoHash' | 'name' | 'category'> &
  Partial<Pick<Torrent, 'imdbId' | 'tmdbId' | 'tvdbId'>> & {
    /** Trend score of the run being grouped (higher first). */
    score?: number
  }

export type ClassifiedTorrent = TorrentInput & {
  parsed: ParsedRelease
  kind: MediaKind
  /** normaliseTitle(parsed.title) ('' for fallback names). */
  norm: string
}

/** A group of torrents: what providers are asked about (its ids and parsed title), and more. */
export interface MediaGroup extends LookupQuery {
  key: string
  /** True when the group is a single unrecognisable name. */
  fallback: boolean
  torrents: ClassifiedTorrent[]
}

const IMDB_ID = /^tt\d{5,10}$/

/** Feed ids cleaned: a malformed IMDb id or a non-positive number counts as absent. */
export function cleanIds(t: Pick<TorrentInput, 'imdbId' | 'tmdbId' | 'tvdbId'>): {
  imdbId?: string
  tmdbId?: number
  tvdbId?: number
} {
  const out: { imdbId?: string; tmdbId?: number; tvdbId?: number } = {}
  const imdb = t.imdbId?.trim().toLowerCase()
  if (imdb) {
    const withTt = /^\d+$/.test(imdb) ? `tt${imdb.padStart(7, '0')}` : imdb
    if (IMDB_ID.test(withTt)) out.imdbId = withTt
  }
  if (t.tmdbId && Number.isInteger(t.tmdbId) && t.tmdbId > 0) out.tmdbId = t.tmdbId
  if (t.tvdbId && Number.isInteger(t.tvdbId) && t.tvdbId > 0) out.tvdbId = t.tvdbId
  return out
}

export function classify(t: TorrentInput): ClassifiedTorrent {
  const parsed = parseRelease(t.name)
  const ids = cleanIds(t)
  return {
    ...t,
    imdbId: ids.imdbId ?? null,
    tmdbId: ids.tmdbId ?? null,
    tvdbId: ids.tvdbId ?? null,
    parsed,
    kind: mediaKindOf(t.category, parsed),
    norm: parsed.fallback ? '' : normaliseTitle(parsed.title),
  }
}

class UnionFind {
  private parent: number[]
  constructor(n: number) {
    this.parent = Array.from({ length: n }, (_, i) => i)
  }
  find(i: number): number {
    let r = i
    while (this.parent[r] !== r) r = this.parent[r] ?? r
    let c = i
    while (this.parent[c] !== r) {
      const next = this.parent[c] ?? r
      this.parent[c] = r
      c = next
    }
    return r
  }
  union(a: number, b: number): void {
    const ra = this.find(a)
    const rb = this.find(b)
    // The smaller index stays root: results do not depend on the order of unions.
    if (ra !== rb) this.parent[Math.max(ra, rb)] = Math.min(ra, rb)
  }
}

/** Split sorted distinct years into runs where neighbours differ by at most 1. */
export function yearClusters(years: number[]): number[][] {
  const sorted = [...new Set(years)].sort((a, b) => a - b)
  const out: number[][] = []
  for (const y of sorted) {
    const last = out[out.length - 1]
    const prev = last?.[last.length - 1]
    if (last && prev !== undefined && y - prev <= 1) last.push(y)
    else out.push([y])
  }
  return out
}

/** The most frequent value (ties: the first seen). */
export function mode<T>(values: T[]): T | undefined {
  const counts = new Map<T, number>()
  let best: T | undefined
  let bestN = 0
  for (const v of values) {
    const n = (counts.get(v) ?? 0) + 1
    counts.set(v, n)
    if (n > bestN) {
      best = v
      bestN = n
    }
  }
  return best
}

/** Year of a group: the most frequent, ties → the earliest. */
function groupYear(ts: ClassifiedTorrent[]): number | undefined {
  const years = ts.map((t) => t.parsed.year).filter((y): y is number => y !== undefined)
  if (years.length === 0) return undefined
  const counts = new Map<number, number>()
  for (const y of years) counts.set(y, (counts.get(y) ?? 0) + 1)
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]?.[0]
}

export function titleKey(norm: string, year: number | undefined): string {
  return `title:${norm}:${year ?? ''}`
}

export function idKey(ids: {
  imdbId?: string | null
  tmdbId?: number | null
  tvdbId?: number | null
}): string | undefined {
  if (ids.imdbId) return `imdb:${ids.imdbId}`
  if (ids.tmdbId) return `tmdb:${ids.tmdbId}`
  if (ids.tvdbId) return `tvdb:${ids.tvdbId}`
  return undefined
}

function makeGroup(kind: MediaKind, ts: ClassifiedTorrent[]): MediaGroup {
  const first = ts[0]
  if (!first) throw new Error('makeGroup: empty group')
  if (first.parsed.fallback) {
    return {
      kind,
      key: `torrent:${first.infoHash}`,
      title: first.parsed.title || first.infoHash,
      norm: '',
      fallback: true,
      torrents: ts,
    }
  }
  const imdbId = mode(ts.map((t) => t.imdbId).filter((x): x is string => !!x))
  const tmdbId = mode(ts.map((t) => t.tmdbId).filter((x): x is number => !!x))
  const tvdbId = mode(ts.map((t) => t.tvdbId).filter((x): x is number => !!x))
  const title = mode(ts.map((t) => t.parsed.title)) ?? first.parsed.title
  const norm = mode(ts.map((t) => t.norm)) ?? first.norm
  const year = groupYear(ts)
  const g: MediaGroup = {
    kind,
    key: idKey({ imdbId, tmdbId, tvdbId }) ?? titleKey(norm, year),
    title,
    norm,
    fallback: false,
    torrents: ts,
  }
  const aka = mode(ts.map((t) => t.parsed.aka).filter((x): x is string => !!x))
  if (aka) g.aka = aka
  if (year !== undefined) g.year = year
  if (imdbId) g.imdbId = imdbId
  if (tmdbId) g.tmdbId = tmdbId
  if (tvdbId) g.tvdbId = tvdbId
  return g
}

/**
 * Group classified torrents of one kind (others are ignored). Torrents should come best score
 * first: display titles tie-break on the first seen. Groups come back in input order of their
 * first torrent.
 */
export function groupTorrents(all: ClassifiedTorrent[], kind: MediaKind): MediaGroup[] {
  const items = all.filter((t) => t.kind === kind)
  const uf = new UnionFind(items.length)
  // 1. Feed ids: the same id is the same media.
  const byId = new Map<string, number>()
  items.forEach((t, i) => {
    if (t.parsed.fallback && !t.imdbId && !t.tmdbId && !t.tvdbId) return
    for (const k of [t.imdbId && `imdb:${t.imdbId}`, t.tmdbId && `tmdb:${t.tmdbId}`, t.tvdbId && `tvdb:${t.tvdbId}`]) {
      if (!k) continue
      const j = byId.get(k)
      if (j === undefined) byId.set(k, i)
      else uf.union(i, j)
    }
  })
  // 2. Name clusters: normalised title (+ year ±1 for movies).
  const byNorm = new Map<string, number[]>()
  items.forEach((t, i) => {
    if (t.parsed.fallback) return
    const list = byNorm.get(t.norm)
    if (list) list.push(i)
    else byNorm.set(t.norm, [i])
  })
  const hasId = (t: ClassifiedTorrent) => !!(t.imdbId || t.tmdbId || t.tvdbId)
  for (const members of byNorm.values()) {
    // Years within ±1 are one media (for series the year in a name is the show's: "Doctor Who 2005"
    // and "Doctor Who 2023" are two shows); a name without a year joins the largest cluster.
    const yc = yearClusters(members.map((i) => items[i]?.parsed.year).filter((y): y is number => y !== undefined))
    const clusterOf = new Map<number, number>()
    yc.forEach((ys, c) => {
      for (const y of ys) clusterOf.set(y, c)
    })
    let clusters: number[][] = yc.map(() => [])
    const yearless: number[] = []
    for (const i of members) {
      const y = items[i]?.parsed.year
      const c = y === undefined ? undefined : clusterOf.get(y)
      if (c === undefined) yearless.push(i)
      else clusters[c]?.push(i)
    }
    if (clusters.length === 0) clusters = [yearless]
    else clusters.reduce((b, c) => (c.length > b.length ? c : b)).push(...yearless)
    for (const cluster of clusters) {
      // Id groups present in this cluster, with how many of the cluster's torrents each holds.
      const rootCount = new Map<number, number>()
      for (const i of cluster) {
        const t = items[i]
        if (t && hasId(t)) rootCount.set(uf.find(i), (rootCount.get(uf.find(i)) ?? 0) + 1)
      }
      const roots = [...rootCount.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])
      const target = roots[0]?.[0] ?? cluster[0]
      if (target === undefined) continue
      for (const i of cluster) {
        const t = items[i]
        // Torrents whose ids differ from the chosen id group keep to their own id group.
        if (t && (!hasId(t) || roots.length <= 1)) uf.union(i, target)
      }
    }
  }
  // 3. Collect.
  const groups = new Map<number, ClassifiedTorrent[]>()
  items.forEach((t, i) => {
    const r = t.parsed.fallback && !hasId(t) ? -1 - i : uf.find(i)
    const list = groups.get(r)
    if (list) list.push(t)
    else groups.set(r, [t])
  })
  return [...groups.values()].map((ts) => makeGroup(kind, ts))
}

/**
 * A media's score from its torrents' scores: the best torrent's score plus a tenth of the other
 * positive scores. The best release dominates; more releases in demand break ties and lift a
 * title a little, without letting a title with many weak releases outrank one strong release.
 */
export function aggregateScore(scores: number[]): number {
  if (scores.length === 0) return 0
  const sorted = [...scores].sort((a, b) => b - a)
  const best = sorted[0] ?? 0
  const rest = sorted.slice(1).reduce((s, x) => s + Math.max(0, x), 0)
  return best + 0.1 * rest
}

/** Merge groups that share a key (e.g. two name groups the providers resolved to one IMDb id). */
export function mergeByKey<T extends MediaGroup>(groups: T[]): T[] {
  const byKey = new Map<string, T>()
  for (const g of groups) {
    const prev = byKey.get(g.key)
    if (!prev) {
      byKey.set(g.key, { ...g, torrents: [...g.torrents] })
      continue
    }
    prev.torrents.push(...g.torrents)
    prev.imdbId ??= g.imdbId
    prev.tmdbId ??= g.tmdbId
    prev.tvdbId ??= g.tvdbId
    if (prev.year === undefined && g.year !== undefined) prev.year = g.year
  }
  return [...byKey.values()]
}
