/**
 * One view model per page kind: what a page shows, gathered from the database (data.ts) and
 * shaped, so the .astro files only lay it out. Nothing here formats text or escapes (Astro
 * escapes on output).
 */

import type { ChartWindow } from '../../schema/tables.ts'
import { thin } from './charts.ts'
import {
  archiveDays,
  type ChartEntry,
  chartAt,
  chartsOfMedia,
  chartTimes,
  DAY,
  type DayActivity,
  indexerStats,
  type Kind,
  latestChart,
  type Media,
  mediaActivityFrom,
  mediaById,
  mediaPaths,
  overview,
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
import {
  imdbUrl,
  justWatchUrl,
  letterboxdUrl,
  type RankChange,
  rankChange,
  tmdbUrl,
  tvdbUrl,
  weekStart,
} from './format.ts'
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

// ---- charts: home, full charts, rising ----

/** Movies or series per kind on the home page, and on the rising list there. */
export const HOME_TOP = 10
export const HOME_RISING = 5
/** A full chart. */
export const CHART_LIMIT = 100

export const WINDOWS = ['day', 'week', 'rising'] as const satisfies readonly ChartWindow[]
export const WINDOW_NAMES: Record<ChartWindow, string> = { day: 'Today', week: 'This week', rising: 'Rising' }
export const windowSlug = (w: ChartWindow): string => (w === 'day' ? 'today' : w)

export interface ChartRow extends ChartEntry {
  change: RankChange
  /** Weeks on the weekly chart (its latest), when it is there. */
  weeks: number | null
  /** Downloads per day over the last SPARK_DAYS full days (what the charts rank by). */
  spark: number[]
  /** Downloads of the last full day (the sparkline's last value). */
  perDay: number | null
}

/** The start of the latest run's day: that day is not over, so it is left out of daily figures. */
export function partialDay(latest: number | null): number | null {
  return latest === null ? null : latest - (latest % DAY)
}

function rows(entries: ChartEntry[], latest: number | null, weeks: Map<number, number>): ChartRow[] {
  const today = partialDay(latest)
  const sparks =
    today === null
      ? new Map<number, number[]>()
      : sparklines(
          entries.map((e) => e.id),
          today - 1,
          SPARK_DAYS,
        )
  return entries.map((e) => {
    const spark = sparks.get(e.id) ?? []
    return {
      ...e,
      change: rankChange(e.rank, e.lastRank, e.reentry, e.window),
      weeks: weeks.get(e.id) ?? null,
      spark,
      perDay: spark.length ? (spark[spark.length - 1] as number) : null,
    }
  })
}

/** Weeks on the latest weekly chart, per medium. */
function weeksOnChart(kind: Kind): Map<number, number> {
  return new Map(latestChart('week', kind, CHART_LIMIT).map((e) => [e.id, e.periods]))
}

/**
 * Before the pipeline writes charts (older databases), the day chart is the latest run's ranking;
 * its value is the last full day's downloads.
 */
function rankingAsChart(kind: Kind, latest: number | null, limit: number): ChartEntry[] {
  if (latest === null) return []
  const today = partialDay(latest)
  const ranked = ranking(kind, latest, limit)
  const sparks =
    today === null
      ? new Map<number, number[]>()
      : sparklines(
          ranked.map((m) => m.id),
          today - 1,
          1,
        )
  return ranked.map((m) => ({
    ...m,
    window: 'day',
    time: latest ?? 0,
    value: sparks.get(m.id)?.[0] ?? 0,
    lastRank: m.previousRank,
    periods: 1,
    peakRank: m.rank,
    reentry: false,
  }))
}

function chartEntries(window: ChartWindow, kind: Kind, limit: number, latest: number | null): ChartEntry[] {
  const c = latestChart(window, kind, limit)
  return c.length === 0 && window === 'day' ? rankingAsChart(kind, latest, limit) : c
}

export interface HomeView {
  hasData: boolean
  latest: number | null
  movies: ChartRow[]
  series: ChartRow[]
  rising: { movies: ChartRow[]; series: ChartRow[] }
}

export function homePage(): HomeView {
  const { hasData, latest } = siteView()
  const kindRows = (kind: Kind, window: ChartWindow, n: number) =>
    rows(chartEntries(window, kind, n, latest), latest, weeksOnChart(kind))
  return {
    hasData,
    latest,
    movies: kindRows('movie', 'day', HOME_TOP),
    series: kindRows('series', 'day', HOME_TOP),
    rising: { movies: kindRows('movie', 'rising', HOME_RISING), series: kindRows('series', 'rising', HOME_RISING) },
  }
}

export interface ChartPageView {
  kind: Kind
  window: ChartWindow
  grid: boolean
  time: number | null
  rows: ChartRow[]
  /** Filter choices found in the chart (genre, year, language). */
  genres: string[]
  years: number[]
  languages: string[]
}

export function chartPagePaths() {
  const out: { params: { kind: string; window: string; view: string | undefined } }[] = []
  for (const kind of ['movies', 'series'] as const)
    for (const w of WINDOWS)
      for (const view of [undefined, 'grid']) out.push({ params: { kind, window: windowSlug(w), view } })
  return out
}

export function chartPage(kind: Kind, slug: string, grid: boolean): ChartPageView {
  const window = (WINDOWS.find((w) => windowSlug(w) === slug) ?? 'day') as ChartWindow
  const { latest } = siteView()
  const r = rows(chartEntries(window, kind, CHART_LIMIT, latest), latest, weeksOnChart(kind))
  const uniq = <T>(xs: T[]) => [...new Set(xs)]
  return {
    kind,
    window,
    grid,
    time: r[0]?.time ?? null,
    rows: r,
    genres: uniq(r.flatMap((m) => m.genres ?? [])).sort(),
    years: uniq(r.map((m) => m.year).filter((y): y is number => y != null)).sort((a, b) => b - a),
    languages: uniq(r.map((m) => m.language).filter((l): l is string => !!l)).sort(),
  }
}

// ---- weekly archive ----

/** The last weekly chart of each week (Monday to Sunday, UTC), newest first. */
export function weeklyCharts(): { date: string; time: number }[] {
  const seen = new Set<number>()
  const out: { date: string; time: number }[] = []
  for (const t of chartTimes('week')) {
    const w = weekStart(t)
    if (seen.has(w)) continue
    seen.add(w)
    out.push({ date: new Date(t * 1000).toISOString().slice(0, 10), time: t })
  }
  return out
}

export interface WeekView {
  date: string
  time: number
  newer: string | null
  older: string | null
  movies: ChartRow[]
  series: ChartRow[]
}

export function weekPaths(): {
  params: { date: string }
  props: { time: number; newer: string | null; older: string | null }
}[] {
  const weeks = weeklyCharts()
  return weeks.map((w, i) => ({
    params: { date: w.date },
    props: { time: w.time, newer: weeks[i - 1]?.date ?? null, older: weeks[i + 1]?.date ?? null },
  }))
}

export function weekPage(date: string, props: { time: number; newer: string | null; older: string | null }): WeekView {
  const r = (kind: Kind) => rows(chartAt('week', kind, props.time, CHART_LIMIT), null, new Map())
  return { date, ...props, movies: r('movie'), series: r('series') }
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
  /** Its latest place on today's chart, when on it. */
  today: ChartEntry | null
  /** One row per week it was on the weekly chart (that week's last chart), newest first. */
  weeks: {
    date: string
    time: number
    rank: number
    lastRank: number | null
    periods: number
    value: number
    reentry: boolean
  }[]
  /** The last full day is the latest run's day minus one: the run's own day is partial. */
  partialDay: number | null
}

export function mediaPage(kind: Kind, id: number): MediaView {
  const m = mediaById(id)
  if (!m || m.kind !== kind) throw new Error(`${kind} ${id}: not in the database`)
  const { latest, previous: previousRun } = siteView()
  const torrents = torrentsOfMedia(m.id)
  const today = partialDay(latest)
  // The latest run's day is not over: its downloads would look like a fall, so it is left out.
  const activity = mediaActivityFrom(m.id, (latest ?? 0) - CHART_DAYS * DAY).filter((a) => a.day !== today)
  const ranks = thin(rankHistory(m.id), 120)
  const last = ranks[ranks.length - 1]
  const current = last && last.time === latest ? last : null
  const previous = current && ranks.length > 1 ? ranks[ranks.length - 2] : undefined
  const change = current
    ? rankChange(current.rank, previous && previous.time === previousRun ? previous.rank : null, false, 'day')
    : null
  const links = [
    { name: 'IMDb', url: imdbUrl(m.imdbId) },
    { name: 'TMDB', url: tmdbUrl(m.kind, m.tmdbId) },
    ...(m.kind === 'series' ? [{ name: 'TheTVDB', url: tvdbUrl(m.tvdbId) }] : []),
    ...(m.kind === 'movie' ? [{ name: 'Letterboxd', url: letterboxdUrl(m.tmdbId, m.imdbId) }] : []),
    { name: 'JustWatch', url: justWatchUrl(m.title) },
  ].filter((l): l is { name: string; url: string } => l.url !== null)
  const dayRows = chartsOfMedia(m.id, 'day')
  const lastDay = dayRows[dayRows.length - 1]
  const todayEntry =
    lastDay && lastDay.time === latestChart('day', m.kind, 1)[0]?.time
      ? { ...m, ...lastDay, reentry: lastDay.reentry }
      : null
  const byWeek = new Map<number, (typeof dayRows)[number]>()
  for (const w of chartsOfMedia(m.id, 'week')) byWeek.set(weekStart(w.time), w)
  const weeks = [...byWeek.values()].reverse().map((w) => ({
    date: new Date(w.time * 1000).toISOString().slice(0, 10),
    time: w.time,
    rank: w.rank,
    lastRank: w.lastRank,
    periods: w.periods,
    value: w.value,
    reentry: w.reentry,
  }))
  return { media: m, torrents, activity, ranks, current, change, links, today: todayEntry, weeks, partialDay: today }
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
  weeks: ReturnType<typeof weeklyCharts>
}

export function archiveIndex(): ArchiveIndexView {
  return { hasData: siteView().hasData, days: archiveDays(), weeks: weeklyCharts() }
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
  movies: ChartRow[]
  series: ChartRow[]
}

export function archiveDay(props: ArchiveDayProps): ArchiveDayView {
  const r = (kind: Kind) => {
    const c = chartAt('day', kind, props.time, ARCHIVE_LIMIT)
    return rows(c.length ? c : rankingAsChart(kind, props.time, ARCHIVE_LIMIT), props.time, new Map())
  }
  return { ...props, movies: r('movie'), series: r('series') }
}

// Feeds (RSS, Radarr, Sonarr, lists) are built from the stored charts: lib/feed-view.ts, lib/feeds.ts.
