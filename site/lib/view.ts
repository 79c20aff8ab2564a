/**
 * One view model per page kind: what a page shows, gathered from the database (data.ts) and
 * shaped, so the .astro files only lay it out. Nothing here formats text or escapes (Astro
 * escapes on output).
 */
import { thin } from './charts.ts'
import {
  archiveDays,
  DAY,
  type DayActivity,
  indexerStats,
  type Kind,
  type Media,
  mediaActivityFrom,
  mediaById,
  mediaPaths,
  overview,
  type RankedMedia,
  rankHistory,
  ranking,
  type Scrape,
  scoreHistory,
  sparklines,
  statusHistory,
  type Torrent,
  type TrackerSeries,
  torrentById,
  torrentIds,
  torrentsOfMedia,
  trackerSeries,
} from './data.ts'
import { imdbUrl, type RankChange, rankChange, tmdbUrl, tvdbUrl } from './format.ts'
import { siteSettings } from './settings.ts'

/** How far back the charts of a page go (days before the latest run). */
export const CHART_DAYS = 90
/** Media per kind on the home page, in the feeds, and on an archive page. */
export const HOME_LIMIT = 20
export const ARCHIVE_LIMIT = 50
/** Days in a home-page sparkline. */
export const SPARK_DAYS = 14

export interface SiteView {
  title: string
  siteUrl: string
  /** The trend engine shown (null before the pipeline wrote the site's data). */
  engine: string | null
  /** The latest run shown; null when there is no data yet. */
  latest: number | null
  previous: number | null
  hasData: boolean
  torrents: number
}

/** What every page shows around itself: the site's name, the data's time, the engine. */
export function siteView(): SiteView {
  const o = overview()
  const s = siteSettings()
  return {
    title: s.title,
    siteUrl: s.siteUrl,
    engine: o.site?.engine ?? null,
    latest: o.hasData ? (o.site?.latestRun ?? null) : null,
    previous: o.hasData ? (o.site?.previousRun ?? null) : null,
    hasData: o.hasData,
    torrents: o.counts.torrents,
  }
}

// ---- home ----

export interface HomeView {
  hasData: boolean
  latest: number | null
  movies: RankedMedia[]
  series: RankedMedia[]
  sparks: Map<number, number[]>
}

export function homePage(): HomeView {
  const { hasData, latest } = siteView()
  const movies = ranking('movie', latest, HOME_LIMIT)
  const series = ranking('series', latest, HOME_LIMIT)
  const sparks =
    latest === null
      ? new Map<number, number[]>()
      : sparklines(
          [...movies, ...series].map((m) => m.id),
          latest,
          SPARK_DAYS,
        )
  return { hasData, latest, movies, series, sparks }
}

// ---- movie and series pages ----

export function mediaPagePaths(): { params: { kind: Kind; id: string } }[] {
  return mediaPaths().map((m) => ({ params: { kind: m.kind, id: String(m.id) } }))
}

export interface MediaView {
  media: Media
  torrents: Torrent[]
  /** Daily activity over the chart window (computed by the pipeline). */
  activity: DayActivity[]
  /** Rank at each run (thinned for the chart). */
  ranks: ReturnType<typeof rankHistory>
  /** Its rank in the latest run, when ranked then. */
  current: ReturnType<typeof rankHistory>[number] | null
  change: RankChange | null
  links: { name: string; url: string }[]
}

export function mediaPage(kind: Kind, id: number): MediaView {
  const m = mediaById(id)
  if (!m || m.kind !== kind) throw new Error(`${kind} ${id}: not in the database`)
  const { latest, previous: previousRun } = siteView()
  const torrents = torrentsOfMedia(m.id)
  const activity = mediaActivityFrom(m.id, (latest ?? 0) - CHART_DAYS * DAY)
  const ranks = thin(rankHistory(m.id), 120)
  const last = ranks[ranks.length - 1]
  const current = last && last.time === latest ? last : null
  const previous = current && ranks.length > 1 ? ranks[ranks.length - 2] : undefined
  const change = current
    ? rankChange(current.rank, previous && previous.time === previousRun ? previous.rank : null)
    : null
  const links = [
    { name: 'IMDb', url: imdbUrl(m.imdbId) },
    { name: 'TMDB', url: tmdbUrl(m.kind, m.tmdbId) },
    ...(m.kind === 'series' ? [{ name: 'TheTVDB', url: tvdbUrl(m.tvdbId) }] : []),
  ].filter((l): l is { name: string; url: string } => l.url !== null)
  return { media: m, torrents, activity, ranks, current, change, links }
}

// ---- torrent pages ----

export function torrentPagePaths(): { params: { id: string } }[] {
  return torrentIds().map((id) => ({ params: { id: String(id) } }))
}

export interface TorrentView {
  torrent: Torrent
  /** The engine whose scores are shown. */
  engine: string | null
  /** Per-tracker scrapes over the chart window (thinned for the charts). */
  trackers: TrackerSeries[]
  /** Fallback table: the last scrape of each day, per tracker. */
  daily: { tracker: string; point: Scrape }[]
  /** The indexer's own numbers, one group per indexer. */
  indexers: { name: string; rows: ReturnType<typeof indexerStats> }[]
  scores: ReturnType<typeof scoreHistory>
  statuses: ReturnType<typeof statusHistory>
  /** Torrents of no movie or series are searchable on their own page. */
  searchable: boolean
}

export function torrentPage(id: number): TorrentView {
  const t = torrentById(id)
  if (!t) throw new Error(`torrent ${id}: not in the database`)
  const { latest, engine } = siteView()
  const trackers = trackerSeries(t.id, (latest ?? 0) - CHART_DAYS * DAY).map((s) => ({
    ...s,
    points: thin(s.points, 160),
  }))
  const daily: TorrentView['daily'] = []
  for (const s of trackers) {
    const lastOfDay = new Map<number, Scrape>()
    for (const p of s.points) lastOfDay.set(Math.floor(p.time / DAY), p)
    for (const point of lastOfDay.values()) daily.push({ tracker: s.tracker, point })
  }
  const idx = indexerStats(t.id)
  const indexers = [...new Set(idx.map((r) => r.indexer))].map((name) => ({
    name,
    rows: idx.filter((r) => r.indexer === name),
  }))
  return {
    torrent: t,
    engine,
    trackers,
    daily,
    indexers,
    scores: thin(scoreHistory(t.id), 160),
    statuses: statusHistory(t.id),
    searchable: t.link === null,
  }
}

// ---- archive ----

export interface ArchiveIndexView {
  hasData: boolean
  days: ReturnType<typeof archiveDays>
}

export function archiveIndex(): ArchiveIndexView {
  return { hasData: siteView().hasData, days: archiveDays() }
}

export interface ArchiveDayProps {
  time: number
  newer: string | null
  older: string | null
}

export function archiveDayPaths(): { params: { date: string }; props: ArchiveDayProps }[] {
  const days = archiveDays()
  return days.map((d, i) => ({
    params: { date: d.date },
    props: { time: d.time, newer: days[i - 1]?.date ?? null, older: days[i + 1]?.date ?? null },
  }))
}

export interface ArchiveDayView extends ArchiveDayProps {
  movies: RankedMedia[]
  series: RankedMedia[]
}

export function archiveDay(props: ArchiveDayProps): ArchiveDayView {
  return {
    ...props,
    movies: ranking('movie', props.time, ARCHIVE_LIMIT),
    series: ranking('series', props.time, ARCHIVE_LIMIT),
  }
}

// ---- feeds (RSS, Radarr, Sonarr) ----

export interface FeedView {
  title: string
  siteUrl: string
  latest: number | null
  items: RankedMedia[]
}

/** The latest ranking of one kind, with the ids the *arr tools need. */
export function feed(kind: Kind): FeedView {
  const { title, siteUrl, latest } = siteView()
  return { title, siteUrl, latest, items: ranking(kind, latest, HOME_LIMIT) }
}
