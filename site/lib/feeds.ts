/**
 * The lists and feeds other tools read, built from the charts the pipeline stores (pure: rows
 * in, JSON-ready objects or XML text out; the routes in site/pages read the rows through data.ts).
 *
 * - Sticky lists: every title in the top N of the day chart at any run of the 7 days up to the
 *   latest chart, so a title does not drop out of Radarr every 4 h. Anchored on the latest chart,
 *   never the build's clock: a pipeline that stopped leaves the last lists as they were.
 * - Radarr (`radarrList`): the mdblist shape `{id, imdb_id, title, release_year, rank, mediatype,
 *   adult}` (+ `tmdb_id` for Kometa), read by Radarr's Custom Lists (`id` = TMDB), StevenLu
 *   Custom (`imdb_id`) and Kometa's text_file builder at once.
 * - Sonarr (`sonarrList`): Sonarr's custom list `{title, tvdbId, tmdbId, imdbId}` with snake_case
 *   twins `tvdb_id`, `tmdb_id`, `imdb_id` for Kometa.
 * - Plex Watchlist RSS (`plexRss`): items with `<guid>tmdb://N</guid>` (or `imdb://tt…`,
 *   `tvdb://N`) and `<category>movie|show</category>`, as Radarr's and Sonarr's PlexRssImport read.
 * - The chart RSS (`chartRss`): one item per (title, chart date), HTML escaped inside XML.
 *
 * Rules the consumers impose (shared/ecosystem.md): a JSON list is an array; a `null` in a typed
 * field fails Radarr's and Sonarr's whole list, so unknown ids are omitted, never null; an id is
 * kept only when it matches its pattern (IMDb `tt` + 7–8 digits, TMDB/TVDB positive integers); an
 * item with no usable id is left out (Sonarr rejects it, Kometa fails the list on it, Plex RSS
 * readers throw on it). An empty list is never built over a non-empty one: the routes write no
 * file at all when a list is empty (Radarr then fails the sync instead of cleaning the library).
 */
import type { FeedChartEntry, Kind, Media } from './data.ts'

export const STICKY_DAYS = 7
export const DAY = 86_400

export interface ListSpec {
  /** The file name under /lists/ (without extension). */
  slug: string
  kind: Kind
  size: number
}

/** The sticky lists published under /lists/ (JSON) — and the Plex RSS of both kinds per size. */
export const LISTS: readonly ListSpec[] = [
  { slug: 'movies-top10', kind: 'movie', size: 10 },
  { slug: 'movies-top50', kind: 'movie', size: 50 },
  { slug: 'series-top10', kind: 'series', size: 10 },
  { slug: 'series-top50', kind: 'series', size: 50 },
]
export const PLEX_SIZES = [10, 50] as const
/** radarr.json and sonarr.json: the sticky top 20. */
export const DEFAULT_SIZE = 20

export interface ListItem {
  media: Media
  /** Position in the list (1 = first). */
  rank: number
  /** Best rank on the day chart over the window. */
  best: number
  /** Rank on the latest chart, when on it. */
  current: number | null
}

/**
 * The sticky list of one kind: every title ranked ≤ size on the day chart at any run of the
 * STICKY_DAYS to `latest` (rows: that window's chart rows, any order). Ordered by the latest
 * chart's rank, then by best rank over the window, then most recently charted.
 */
export function stickyList(rows: readonly FeedChartEntry[], latest: number | null, size: number): ListItem[] {
  if (latest === null) return []
  const from = latest - STICKY_DAYS * DAY
  const by = new Map<number, { media: Media; best: number; current: number | null; seen: number }>()
  for (const r of rows) {
    if (r.rank > size || r.time <= from || r.time > latest) continue
    const e = by.get(r.media.id) ?? { media: r.media, best: r.rank, current: null, seen: r.time }
    e.best = Math.min(e.best, r.rank)
    e.seen = Math.max(e.seen, r.time)
    if (r.time === latest) e.current = r.rank
    by.set(r.media.id, e)
  }
  return [...by.values()]
    .sort(
      (a, b) =>
        (a.current ?? Number.POSITIVE_INFINITY) - (b.current ?? Number.POSITIVE_INFINITY) ||
        a.best - b.best ||
        b.seen - a.seen ||
        a.media.id - b.media.id,
    )
    .map((e, i) => ({ media: e.media, rank: i + 1, best: e.best, current: e.current }))
}

// ---- ids ----

/** An IMDb id as the *arr apps parse it (`tt` + 7–8 digits), else undefined. */
export function imdbId(v: unknown): string | undefined {
  return typeof v === 'string' && /^tt\d{7,8}$/.test(v) ? v : undefined
}

/** A TMDB/TVDB id: a positive safe integer, else undefined. */
export function numericId(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isSafeInteger(v) && v > 0 ? v : undefined
}

/** A plausible release year, else undefined. */
export function year(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) && v >= 1870 && v <= 2200 ? v : undefined
}

/** Keys with an undefined value dropped (JSON.stringify drops them too; this keeps objects exact for tests). */
function compact<T extends Record<string, unknown>>(o: T): T {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k]
  return o
}

// ---- JSON lists ----

export interface RadarrItem {
  id?: number
  tmdb_id?: number
  imdb_id?: string
  title: string
  release_year?: number
  rank: number
  mediatype: 'movie'
  adult: false
}

/** Movies in the mdblist shape; a movie with neither a TMDB nor an IMDb id is left out. */
export function radarrList(items: readonly ListItem[]): RadarrItem[] {
  const out: RadarrItem[] = []
  for (const it of items) {
    const tmdb = numericId(it.media.tmdbId)
    const imdb = imdbId(it.media.imdbId)
    if (tmdb === undefined && imdb === undefined) continue
    out.push(
      compact({
        id: tmdb,
        tmdb_id: tmdb,
        imdb_id: imdb,
        title: it.media.title,
        release_year: year(it.media.year),
        rank: out.length + 1,
        mediatype: 'movie' as const,
        adult: false as const,
      }),
    )
  }
  return out
}

export interface SonarrItem {
  title: string
  tvdbId?: number
  tmdbId?: number
  imdbId?: string
  tvdb_id?: number
  tmdb_id?: number
  imdb_id?: string
  release_year?: number
  rank: number
  mediatype: 'show'
}

/** Series for Sonarr's custom list (+ Kometa's snake_case keys); a series with no id is left out. */
export function sonarrList(items: readonly ListItem[]): SonarrItem[] {
  const out: SonarrItem[] = []
  for (const it of items) {
    const tvdb = numericId(it.media.tvdbId)
    const tmdb = numericId(it.media.tmdbId)
    const imdb = imdbId(it.media.imdbId)
    if (tvdb === undefined && tmdb === undefined && imdb === undefined) continue
    out.push(
      compact({
        title: it.media.title,
        tvdbId: tvdb,
        tmdbId: tmdb,
        imdbId: imdb,
        tvdb_id: tvdb,
        tmdb_id: tmdb,
        imdb_id: imdb,
        release_year: year(it.media.year),
        rank: out.length + 1,
        mediatype: 'show' as const,
      }),
    )
  }
  return out
}

/** A JSON list file's body, or null for an empty list (the route then writes no file). */
export function jsonBody(list: readonly unknown[]): string | null {
  return list.length ? JSON.stringify(list, null, 1) : null
}

// ---- XML ----

/** Characters XML 1.0 forbids (C0 controls but tab/LF/CR, lone surrogates, U+FFFE/U+FFFF) removed. */
export function xmlSafe(s: string): string {
  return s.replace(
    /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g,
    '',
  )
}

/** Text escaped for XML (element content and attribute values). */
export function escapeXml(s: string): string {
  return xmlSafe(s)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
}

/** Text escaped for HTML (what a feed reader renders a description as). */
export const escapeHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;')

const BIDI = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/
/** Plain text a stranger wrote, isolated (U+2068 … U+2069) when it holds bidi controls. */
export const isolate = (s: string): string => (BIDI.test(s) ? `\u2068${s}\u2069` : s)

const rfc822 = (t: number): string => new Date(t * 1000).toUTCString()

export interface ChannelInfo {
  title: string
  /** Absolute URL of the site (the channel's link). */
  link: string
  description: string
  /** Absolute URL of the feed itself (atom:link rel=self). */
  self?: string
  /** Latest chart time (lastBuildDate). */
  time?: number | null
}

function channel(info: ChannelInfo, items: string[]): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">',
    '<channel>',
    `<title>${escapeXml(info.title)}</title>`,
    `<link>${escapeXml(info.link)}</link>`,
    `<description>${escapeXml(info.description)}</description>`,
    '<language>en</language>',
    ...(info.self ? [`<atom:link href="${escapeXml(info.self)}" rel="self" type="application/rss+xml"/>`] : []),
    ...(info.time != null ? [`<lastBuildDate>${rfc822(info.time)}</lastBuildDate>`] : []),
    ...items,
    '</channel>',
    '</rss>',
    '',
  ].join('\n')
}

/** The one guid a Plex Watchlist RSS reader maps an item by, or null (left out). */
export function plexGuid(kind: Kind, m: Pick<Media, 'imdbId' | 'tmdbId' | 'tvdbId'>): string | null {
  const imdb = imdbId(m.imdbId)
  const tmdb = numericId(m.tmdbId)
  const tvdb = numericId(m.tvdbId)
  // Radarr maps TMDB first; Sonarr TVDB, then IMDb, then TMDB (ImportListSyncService).
  if (kind === 'movie') return tmdb ? `tmdb://${tmdb}` : imdb ? `imdb://${imdb}` : null
  return tvdb ? `tvdb://${tvdb}` : imdb ? `imdb://${imdb}` : tmdb ? `tmdb://${tmdb}` : null
}

export interface PlexEntry {
  kind: Kind
  item: ListItem
  /** Absolute URL of the title's page. */
  link: string
}

/**
 * A Plex-Watchlist-shaped RSS of movies and series: Radarr reads the `movie` items, Sonarr the
 * `show` ones (each skips the other category), so one URL serves both. `<category>` is the
 * item's only category (both read the first), `<guid>` its one id.
 */
export function plexRss(info: ChannelInfo, entries: readonly PlexEntry[]): string | null {
  const items: string[] = []
  for (const e of entries) {
    const guid = plexGuid(e.kind, e.item.media)
    if (!guid) continue
    const y = year(e.item.media.year)
    items.push(
      [
        '<item>',
        `<title>${escapeXml(isolate(e.item.media.title))}${y ? ` (${y})` : ''}</title>`,
        `<link>${escapeXml(e.link)}</link>`,
        `<guid isPermaLink="false">${guid}</guid>`,
        `<category>${e.kind === 'movie' ? 'movie' : 'show'}</category>`,
        '</item>',
      ].join(''),
    )
  }
  return items.length ? channel(info, items) : null
}

export interface RssEntry {
  kind: Kind
  entry: FeedChartEntry
  /** Absolute URL of the title's page. */
  link: string
}

/** What an RSS item says of a chart entry: plain text pieces (escaped by the caller). */
export function rssSummary(e: FeedChartEntry): string[] {
  const change =
    e.lastRank === null ? (e.reentry ? 'back on the chart' : 'new on the chart') : movement(e.rank, e.lastRank)
  const m = e.media
  return [
    `#${e.rank}`,
    change,
    e.peakRank < e.rank ? `peak #${e.peakRank}` : null,
    m.genres?.length ? m.genres.join(', ') : null,
    m.rating != null && Number.isFinite(m.rating) ? `rated ${m.rating.toFixed(1)}/10` : null,
  ].filter((x): x is string => x !== null)
}

function movement(rank: number, last: number): string {
  if (rank === last) return 'same rank as the run before'
  return rank < last ? `up ${last - rank} (was #${last})` : `down ${rank - last} (was #${last})`
}

/** The UTC date (YYYY-MM-DD) of a chart time. */
export const chartDate = (t: number): string => new Date(t * 1000).toISOString().slice(0, 10)

/**
 * The chart RSS: one item per (title, chart date), so a reader shows a title again on a new day
 * of the chart, not at every run. The description is HTML (escaped for HTML, then for XML):
 * a genre `<img src=x onerror=alert(2)>` stays text in a reader.
 */
export function chartRss(info: ChannelInfo, entries: readonly RssEntry[]): string {
  const items = entries.map(({ kind, entry: e, link }) => {
    const m = e.media
    const y = year(m.year)
    const date = chartDate(e.time)
    const html = [
      `<p><bdi>${escapeHtml(m.title)}</bdi>${y ? ` (${y})` : ''} · ${rssSummary(e).map(escapeHtml).join(' · ')}</p>`,
      ...(m.overview ? [`<p dir="auto">${escapeHtml(m.overview)}</p>`] : []),
    ].join('')
    return [
      '<item>',
      `<title>${escapeXml(`#${e.rank} ${isolate(m.title)}${y ? ` (${y})` : ''}`)}</title>`,
      `<link>${escapeXml(link)}</link>`,
      `<guid isPermaLink="false">${escapeXml(`${link}#chart-${date}`)}</guid>`,
      `<pubDate>${rfc822(e.time)}</pubDate>`,
      // movie/show as in the Plex feed: an *arr app given this feed by mistake then fails on its
      // first item's guid (no id) instead of syncing an empty list.
      `<category>${kind === 'movie' ? 'movie' : 'show'}</category>`,
      `<description>${escapeXml(html)}</description>`,
      '</item>',
    ].join('')
  })
  return channel(info, items)
}
