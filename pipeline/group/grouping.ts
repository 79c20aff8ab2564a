/**
 * Torrents → movies and series. Pure functions: no I/O.
 *
 * - Movie vs series: `mediaKindOf` (Torznab category first, then explicit episode markers).
 * - Ids carried by the feed win: torrents sharing an imdb/tmdb/tvdb id are one media, whatever
 *   their names; torrents carrying different ids are never merged by name.
 * - Otherwise torrents group by name (`splitCluster`): normalised titles joined by the aliases names
 *   carry (AKA, "Local / Original", bracketed titles), years within ±1, a country code only when two
 *   countries are seen for one title, anime (absolute numbering, fansub names) apart from dated
 *   shows; a name without a year joins the one show or film of its title, and stays apart when
 *   there are several. Series keep season/episode per torrent.
 * - `resolveId` (optional): releases whose titles resolve to one IMDb/TMDB id are one media
 *   (never against feed ids).
 * - Junk names (phone files, samples, default folder names) are left out: no media.
 * - Names without a recognisable title (hashes, empty after cleaning) are each their own media,
 *   keyed by info hash (`torrent:<hash>`): never merged with anything, never crashing.
 *
 * Keys (`media.key`): `imdb:tt…`, else `tmdb:<id>`, else `tvdb:<id>`, else
 * `title:<normalised title>:<year>` (year empty when unknown), with `:<qualifier>` when the title and
 * year do not tell media apart (`:uk`, `:abs`); `torrent:<info hash>` for the fallback.
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
  /** normaliseTitle of each alias the name carries. */
  aliasNorms: string[]
}

/** A group of torrents: what providers are asked about (its ids and parsed title), and more. */
export interface MediaGroup extends LookupQuery {
  key: string
  /** True when the group is a single unrecognisable name. */
  fallback: boolean
  /** Key qualifier (country code, "abs" for absolute numbering), when the title and year are not enough. */
  qualifier?: string
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
  return classifyParsed(t, parseRelease(t.name))
}

/** `classify` from a parse already made (stored on the torrent's row). */
export function classifyParsed(t: TorrentInput, parsed: ParsedRelease): ClassifiedTorrent {
  const ids = cleanIds(t)
  return {
    ...t,
    imdbId: ids.imdbId ?? null,
    tmdbId: ids.tmdbId ?? null,
    tvdbId: ids.tvdbId ?? null,
    parsed,
    kind: mediaKindOf(t.category, parsed),
    norm: parsed.fallback ? '' : normaliseTitle(parsed.title),
    aliasNorms: parsed.fallback ? [] : (parsed.aliases ?? []).map(normaliseTitle).filter(Boolean),
  }
}

/** Disjoint sets over 0..n-1 (path compression; the smaller index is the root). Also used by incremental.ts. */
export class UnionFind {
  private parent: Int32Array
  constructor(n: number) {
    this.parent = new Int32Array(n)
    for (let i = 0; i < n; i++) this.parent[i] = i
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

/** `title:<norm>:<year>`, with `:<qualifier>` (a country code, "abs") when the names need it to tell media apart. */
export function titleKey(norm: string, year: number | undefined, qualifier = ''): string {
  return `title:${norm}:${year ?? ''}${qualifier ? `:${qualifier}` : ''}`
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

function makeGroup(kind: MediaKind, ts: ClassifiedTorrent[], qual = ''): MediaGroup {
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
    key: idKey({ imdbId, tmdbId, tvdbId }) ?? titleKey(norm, year, qual),
    title,
    norm,
    fallback: false,
    torrents: ts,
  }
  const aka = mode(ts.map((t) => t.parsed.aka).filter((x): x is string => !!x))
  if (aka) g.aka = aka
  if (qual) g.qualifier = qual
  if (year !== undefined) g.year = year
  if (imdbId) g.imdbId = imdbId
  if (tmdbId) g.tmdbId = tmdbId
  if (tvdbId) g.tvdbId = tvdbId
  return g
}

/**
 * A metadata look-up the grouping may join on: the IMDb (tt…) or TMDB id a normalised title (and
 * year, null when the name carries none) resolves to, or null. Releases whose resolved ids agree are
 * one media; an id carried by the feed still wins over it.
 */
export type ResolveId = (normTitle: string, year: number | null, kind: MediaKind) => string | null

/** A resolved id as a media key: "tt123" → "imdb:tt123", "603" → "tmdb:603". */
function resolvedKey(id: string | null): string | null {
  if (!id) return null
  const v = id.trim().toLowerCase()
  if (/^tt\d{5,10}$/.test(v)) return `imdb:${v}`
  if (/^\d+$/.test(v)) return `tmdb:${v}`
  return v.includes(':') ? v : null
}

export interface GroupOptions {
  resolveId?: ResolveId
}

/** Keys a torrent may join others on: its normalised title and aliases ("n:…"), its feed ids. Junk has none. */
export function groupKeysOf(t: ClassifiedTorrent): string[] {
  if (t.parsed.junk) return []
  const keys: string[] = []
  if (!t.parsed.fallback && t.norm) {
    keys.push(`n:${t.norm}`)
    for (const a of t.aliasNorms) if (a !== t.norm) keys.push(`n:${a}`)
  }
  if (t.imdbId) keys.push(`imdb:${t.imdbId}`)
  if (t.tmdbId) keys.push(`tmdb:${t.tmdbId}`)
  if (t.tvdbId) keys.push(`tvdb:${t.tvdbId}`)
  return keys
}

/** A fansub-style name: "[Group] Title …" (a site in brackets is no group). */
const FANSUB = /^\s*\[(?![^\]]*(?:www\.|\.(?:com|org|net|to|me|tv|cc|ru|info)\b))[^\]]{1,40}\]/i

/** A unit of a name cluster: torrents read as one show or film from their names. */
interface Unit {
  members: number[]
  year?: number
  /** Key qualifier: a country code when it tells two shows apart, "abs" for absolute numbering. */
  qual: string
}

/**
 * Split one name cluster (torrents whose titles or aliases meet) into units:
 * - anime releases (absolute numbering "[Group] Title - 0987", or fansub-style "[Group] Title S2 - 05")
 *   join the other releases of the title only when those are one show without a year and the
 *   absolute numbers fit a season (< 100): never a dated (live-action remake) show;
 * - years within ±1 are one unit (for series the year in a name is the show's: "Doctor Who 2005"
 *   and "Doctor Who 2023" are two shows);
 * - a country code ("Being.Human.UK") is dropped unless two countries are seen: then it tells the
 *   shows apart (a year cluster holding two countries is split by country);
 * - a name without a year joins the one unit there is (of its country, when countries count);
 *   with several, it stays apart (metadata may join it later: `resolveId`).
 */
function splitCluster(items: ClassifiedTorrent[], members: number[]): Unit[] {
  const out: Unit[] = []
  const anime = (i: number) => {
    const t = items[i]
    return !!t && (t.parsed.absolute === true || FANSUB.test(t.name))
  }
  const sides = [members.filter((i) => !anime(i)), members.filter(anime)]
  sides.forEach((side, s) => {
    if (side.length === 0) return
    const abs = s === 1 ? 'abs' : ''
    const countries = new Set(side.map((i) => items[i]?.parsed.country).filter((c): c is string => !!c))
    const byCountry = countries.size >= 2
    const yc = yearClusters(side.map((i) => items[i]?.parsed.year).filter((y): y is number => y !== undefined))
    const clusterOf = new Map<number, number>()
    yc.forEach((ys, c) => {
      for (const y of ys) clusterOf.set(y, c)
    })
    const units: Unit[] = []
    const yearless: number[] = []
    const dated: number[][] = yc.map(() => [])
    for (const i of side) {
      const y = items[i]?.parsed.year
      const c = y === undefined ? undefined : clusterOf.get(y)
      if (c === undefined) yearless.push(i)
      else dated[c]?.push(i)
    }
    dated.forEach((ms, c) => {
      const year = groupYear(ms.map((i) => items[i] as ClassifiedTorrent)) ?? yc[c]?.[0]
      const here = new Set(ms.map((i) => items[i]?.parsed.country).filter((x): x is string => !!x))
      if (!byCountry || here.size < 2) {
        units.push({ members: ms, year, qual: abs })
        return
      }
      const split = new Map<string, number[]>()
      for (const i of ms) {
        const k = items[i]?.parsed.country ?? ''
        const list = split.get(k)
        if (list) list.push(i)
        else split.set(k, [i])
      }
      for (const [k, list] of [...split.entries()].sort((a, b) => (a[1][0] ?? 0) - (b[1][0] ?? 0)))
        units.push({ members: list, year, qual: [k.toLowerCase(), abs].filter(Boolean).join('-') })
    })
    // Yearless names: by country when countries count.
    const rest = new Map<string, number[]>()
    for (const i of yearless) {
      const k = byCountry ? (items[i]?.parsed.country ?? '') : ''
      const list = rest.get(k)
      if (list) list.push(i)
      else rest.set(k, [i])
    }
    for (const [country, list] of rest) {
      const hasCountry = (u: Unit) => u.members.some((i) => items[i]?.parsed.country === country)
      const fits = country ? units.filter(hasCountry) : units
      const target = fits.length === 1 ? fits[0] : undefined
      if (target) target.members.push(...list)
      else units.push({ members: list, qual: [country.toLowerCase(), abs].filter(Boolean).join('-') })
    }
    // A dated unit keeps its country as key qualifier only when another country is seen.
    if (byCountry) {
      for (const u of units) {
        if (u.qual !== abs) continue
        const cs = new Set(u.members.map((i) => items[i]?.parsed.country).filter(Boolean))
        const only = [...cs][0]
        // Several units of one year (and title) need the country to tell them apart.
        const sameYear = units.filter((v) => v.year === u.year).length > 1
        if (cs.size === 1 && only && sameYear) u.qual = [only.toLowerCase(), abs].filter(Boolean).join('-')
      }
    }
    if (s === 0) {
      out.push(...units)
      return
    }
    // The anime side joins the other names only when they are one show without a year and its
    // absolute numbers fit a season (< 100): a live-action remake carries a year, and
    // "Title - 0987" is no season's episode.
    const seasonal = out.filter((u) => u.qual === '')
    const only = seasonal.length === 1 ? seasonal[0] : undefined
    for (const u of units) {
      const small = u.members.every(
        (i) => (items[i]?.parsed.episode ?? 0) < 100 && !/\s0\d{3}\b/.test(items[i]?.name ?? ''),
      )
      if (only && only.year === undefined && u.year === undefined && small) only.members.push(...u.members)
      else out.push(u)
    }
  })
  return out
}

/**
 * Group classified torrents of one kind (others, and junk names, are ignored). Pure and
 * order-stable: pass torrents in a fixed order (the command uses torrent id order); display titles
 * tie-break on the first seen, and groups come back in input order of their first torrent. The
 * result for a set of torrents depends only on the torrents that share a key with it
 * (`groupKeysOf`, transitively), so regrouping such a closed set alone gives the same groups as
 * regrouping everything.
 */
export function groupTorrents(all: ClassifiedTorrent[], kind: MediaKind, options: GroupOptions = {}): MediaGroup[] {
  const items = all.filter((t) => t.kind === kind && !t.parsed.junk)
  const uf = new UnionFind(items.length)
  const hasId = (t: ClassifiedTorrent) => !!(t.imdbId || t.tmdbId || t.tvdbId)
  // 1. Feed ids: the same id is the same media.
  const byId = new Map<string, number>()
  items.forEach((t, i) => {
    if (t.parsed.fallback && !hasId(t)) return
    for (const k of [t.imdbId && `imdb:${t.imdbId}`, t.tmdbId && `tmdb:${t.tmdbId}`, t.tvdbId && `tvdb:${t.tvdbId}`]) {
      if (!k) continue
      const j = byId.get(k)
      if (j === undefined) byId.set(k, i)
      else uf.union(i, j)
    }
  })
  // 2. Name clusters: titles, joined by the aliases names carry ("Ringu AKA The Ring" meets "The Ring").
  const normIndex = new Map<string, number>()
  items.forEach((t) => {
    if (!t.parsed.fallback && !normIndex.has(t.norm)) normIndex.set(t.norm, normIndex.size)
  })
  const normUf = new UnionFind(normIndex.size)
  for (const t of items) {
    if (t.parsed.fallback) continue
    const a = normIndex.get(t.norm) ?? 0
    for (const alias of t.aliasNorms) {
      const b = normIndex.get(alias)
      if (b !== undefined) normUf.union(a, b)
    }
  }
  const byCluster = new Map<number, number[]>()
  items.forEach((t, i) => {
    if (t.parsed.fallback) return
    const c = normUf.find(normIndex.get(t.norm) ?? 0)
    const list = byCluster.get(c)
    if (list) list.push(i)
    else byCluster.set(c, [i])
  })
  const qualOf = new Map<number, string>()
  const units: Unit[] = []
  for (const members of byCluster.values()) units.push(...splitCluster(items, members))
  for (const unit of units) {
    for (const i of unit.members) qualOf.set(i, unit.qual)
    // Id groups present in this unit, with how many of the unit's torrents each holds.
    const rootCount = new Map<number, number>()
    for (const i of unit.members) {
      const t = items[i]
      if (t && hasId(t)) rootCount.set(uf.find(i), (rootCount.get(uf.find(i)) ?? 0) + 1)
    }
    const roots = [...rootCount.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])
    const target = roots[0]?.[0] ?? unit.members[0]
    if (target === undefined) continue
    for (const i of unit.members) {
      const t = items[i]
      // Torrents whose ids differ from the chosen id group keep to their own id group.
      if (t && (!hasId(t) || roots.length <= 1)) uf.union(i, target)
    }
  }
  // 3. Metadata: units whose titles resolve to one id are one media (never against feed ids).
  if (options.resolveId) {
    // Feed ids held by each group (by root), to keep groups with different feed ids apart.
    const feedKeys = new Map<number, Set<string>>()
    items.forEach((t, i) => {
      const k = idKey(t)
      if (!k) return
      const r = uf.find(i)
      const set = feedKeys.get(r) ?? new Set<string>()
      set.add(k)
      feedKeys.set(r, set)
    })
    const byResolved = new Map<string, number>()
    for (const unit of units) {
      const first = unit.members[0]
      if (first === undefined || unit.qual.includes('abs')) continue
      // A group carrying feed ids is known by them (the feed wins); others by what metadata says.
      const own = feedKeys.get(uf.find(first))
      let ids: string[]
      if (own?.size) ids = [...own]
      else {
        const norm = mode(unit.members.map((i) => items[i]?.norm ?? '')) ?? ''
        const id = resolvedKey(options.resolveId(norm, unit.year ?? null, kind))
        ids = id ? [id] : []
      }
      for (const id of ids) {
        const j = byResolved.get(id)
        if (j === undefined) {
          byResolved.set(id, first)
          continue
        }
        const ra = uf.find(first)
        const rb = uf.find(j)
        if (ra === rb) continue
        const a = feedKeys.get(ra)
        const b = feedKeys.get(rb)
        // Two groups that carry different feed ids stay apart.
        if (a?.size && b?.size && ![...a].some((k) => b.has(k))) continue
        uf.union(ra, rb)
        const merged = new Set([...(a ?? []), ...(b ?? [])])
        if (merged.size) feedKeys.set(uf.find(ra), merged)
      }
    }
  }
  // 4. Collect.
  const groups = new Map<number, number[]>()
  items.forEach((t, i) => {
    const r = t.parsed.fallback && !hasId(t) ? -1 - i : uf.find(i)
    const list = groups.get(r)
    if (list) list.push(i)
    else groups.set(r, [i])
  })
  return [...groups.values()].map((is) =>
    makeGroup(
      kind,
      is.map((i) => items[i] as ClassifiedTorrent),
      mode(is.map((i) => qualOf.get(i) ?? '')) ?? '',
    ),
  )
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
