/**
 * The ONE module of the site that reads SQLite: the database the pipeline writes, read-only, at
 * build time, through drizzle and the shared tables (schema/tables.ts), with prepared queries
 * (fast enough for 10k pages). What the pipeline decides (engine shown, latest run, daily
 * activity) is read from its tables (site_settings, media_activity), never recomputed here. Pages
 * ask for plain objects; nothing here formats or escapes (Astro escapes on output).
 *
 * The database is MEDIASTRENDS_DB (default data/mediastrends.db). A missing file, an empty file,
 * a database the pipeline has not refreshed for the site (`mediastrends site data`) or one without
 * trend runs is "no data yet": every query then answers empty and the site says so.
 */
import { existsSync, statSync } from 'node:fs'
import { resolve } from 'node:path'
import Database from 'better-sqlite3'
import { and, asc, count, desc, eq, gte, inArray, lt, lte, max, sql } from 'drizzle-orm'
import { type BetterSQLite3Database, drizzle } from 'drizzle-orm/better-sqlite3'
import { alias } from 'drizzle-orm/sqlite-core'
import * as schema from '../../schema/tables.ts'
import {
  type ChartWindow,
  charts as chartsT,
  indexerStats as indexerStatsT,
  type MediaKind,
  media,
  mediaActivity,
  mediaTrends,
  mediaWeeks,
  siteSettings,
  stats,
  statusHistory as statusHistoryT,
  torrentMedia,
  torrents,
  torrentTrackers,
  trackers,
  trends,
  type WeekActivity,
  type WeekRank,
} from '../../schema/tables.ts'

export const DAY = 86_400

export type Kind = MediaKind
export type Media = typeof media.$inferSelect
export type SiteRow = typeof siteSettings.$inferSelect
export type DayActivity = typeof mediaActivity.$inferSelect

/** One row of a chart (`charts`, written by the pipeline) with its movie or series. */
export type ChartEntry = Media &
  Pick<
    typeof chartsT.$inferSelect,
    'window' | 'time' | 'rank' | 'value' | 'lastRank' | 'periods' | 'peakRank' | 'reentry'
  >

export interface RankedMedia extends Media {
  rank: number
  score: number
  torrents: number
  /** Rank in the previous run; null when the medium was not ranked then ("new"). */
  previousRank: number | null
}

/** A torrent row with its link to a movie or series, its tracker count and its latest rank and scrape. */
export type Torrent = TorrentRaw['torrent'] &
  Omit<TorrentRaw, 'torrent'> & {
    /** The latest scrape: the largest numbers over trackers at its time. */
    latest: { time: number; seeders: number; leechers: number; completed: number | null } | null
  }
/** What the torrent queries answer (prepare() below): the row, its link, its media's kind and title… */
type TorrentRaw = NonNullable<ReturnType<ReturnType<typeof prepare>['torrentById']['get']>>

export type Scrape = Pick<typeof stats.$inferSelect, 'time' | 'seeders' | 'leechers' | 'completed'>

export interface TrackerSeries {
  tracker: string
  points: Scrape[]
}

export interface Overview {
  /** The site's row, written by the pipeline; null before the first `site data`. */
  site: SiteRow | null
  hasData: boolean
  /** Why there is no data, for the page and the build log. */
  reason: string | null
  counts: { movies: number; series: number; torrents: number }
}

/** The database the site reads. */
export function databasePath(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.MEDIASTRENDS_DB?.trim() || 'data/mediastrends.db')
}

// ---- opening ----

type Db = BetterSQLite3Database<typeof schema>

const REQUIRED_TABLES = [
  'site_settings',
  'media',
  'media_activity',
  'media_trends',
  'torrents',
  'stats',
  'trends',
  'trackers',
  'torrent_media',
]

interface Handle {
  db: Db | null
  /** Databases older than the charts migration have none: no chart then. */
  hasCharts?: boolean
  /** Databases older than media_weeks have none: every day is then a row of its table. */
  hasWeeks?: boolean
  overview: Overview
  queries?: ReturnType<typeof prepare>
  weekQueries?: ReturnType<typeof prepareWeeks>
}
/** One handle per database path (the build reads one; tests open several). */
const handles = new Map<string, Handle>()

function open(path = databasePath()): Handle {
  const known = handles.get(path)
  if (known) return known
  const empty = (reason: string): Handle => ({
    db: null,
    overview: { site: null, hasData: false, reason, counts: { movies: 0, series: 0, torrents: 0 } },
  })
  let handle: Handle
  if (!existsSync(path)) handle = empty(`${path}: no database yet`)
  else if (statSync(path).size === 0) handle = empty(`${path}: empty file`)
  else {
    let sqlite: Database.Database
    try {
      sqlite = new Database(path, { readonly: true, fileMustExist: true })
    } catch (err) {
      throw new Error(`${path}: cannot open the database read-only: ${(err as Error).message}`)
    }
    const tables = new Set(
      (sqlite.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as { name: string }[]).map(
        (r) => r.name,
      ),
    )
    const missing = REQUIRED_TABLES.filter((t) => !tables.has(t))
    if (missing.length) {
      sqlite.close()
      handle = empty(
        `${path}: the pipeline has not written the site's data yet (no ${missing.join(', ')} table; run mediastrends site data)`,
      )
    } else {
      const db = drizzle(sqlite, { schema })
      const site = db.select().from(siteSettings).where(eq(siteSettings.id, 1)).get() ?? null
      const n = (kind: Kind) => db.select({ n: count() }).from(media).where(eq(media.kind, kind)).get()?.n ?? 0
      const counts = {
        movies: n('movie'),
        series: n('series'),
        torrents: db.select({ n: count() }).from(torrents).get()?.n ?? 0,
      }
      const reason = !site
        ? `${path}: the pipeline has not written the site's data yet (run mediastrends site data)`
        : site.latestRun === null
          ? `${path}: no trend run of engine "${site.engine}" yet`
          : null
      handle = {
        db,
        overview: { site, hasData: reason === null, reason, counts },
        hasCharts: tables.has('charts'),
        hasWeeks: tables.has('media_weeks'),
      }
    }
  }
  handles.set(path, handle)
  return handle
}

/** The pipeline's row for the site (title, base URL, engine, runs), without logging: for settings. */
export function siteRow(path = databasePath()): SiteRow | null {
  return open(path).overview.site
}

const logged = new Set<string>()

/** The site's row and counts (opened on first call; says once in the build log what it found). */
export function overview(path = databasePath()): Overview {
  const o = open(path).overview
  if (!logged.has(path)) {
    logged.add(path)
    if (o.hasData) {
      console.info(
        `[site] ${path}: ${o.counts.movies} movies, ${o.counts.series} series, ${o.counts.torrents} torrents; latest run of "${o.site?.engine}" at ${new Date((o.site?.latestRun ?? 0) * 1000).toISOString()}`,
      )
    } else console.warn(`[site] ${o.reason}: building a site that says there is no data yet`)
  }
  return o
}

const engine = (): string => overview().site?.engine ?? ''
const latestRun = (): number | null => (overview().hasData ? (overview().site?.latestRun ?? null) : null)

/** Prepared queries, built once on first use (none when there is no database). */
function queries(): ReturnType<typeof prepare> | null {
  const h = open()
  if (!h.db) return null
  h.queries ??= prepare(h.db)
  return h.queries
}

/**
 * The packed weeks (media_weeks, pipeline/publish/weeks.ts): a restore reads a week past the
 * recent days from there instead of media_activity's and media_trends' rows, so the readers of a
 * title's 90 days take the tables' rows and these for the days the rows lack.
 */
function prepareWeeks(db: Db) {
  return {
    weeksOf: db
      .select({ activity: mediaWeeks.activity, ranks: mediaWeeks.ranks })
      .from(mediaWeeks)
      .where(and(eq(mediaWeeks.mediaId, p('id')), gte(mediaWeeks.week, p('from'))))
      .orderBy(asc(mediaWeeks.week))
      .prepare(),
    // Each packed day's run of the engine (a day's last: the one the branch keeps).
    days: db
      .select({
        day: sql<number>`(j.value ->> 0) / ${DAY}`.as('day'),
        time: sql<number>`MAX(j.value ->> 0)`,
        runs: sql<number>`COUNT(DISTINCT j.value ->> 0)`,
      })
      .from(sql`${mediaWeeks}, json_each(${mediaWeeks.ranks}) j`)
      .where(sql`j.value ->> 1 = ${p('engine')}`)
      .groupBy(sql`day`)
      .prepare(),
  }
}

function weekQueries(): ReturnType<typeof prepareWeeks> | null {
  const h = open()
  if (!h.db || !h.hasWeeks) return null
  h.weekQueries ??= prepareWeeks(h.db)
  return h.weekQueries
}

/** A title's packed weeks that reach `from` (Unix s) or later. */
const weeksOf = (mediaId: number, from: number) =>
  weekQueries()?.weeksOf.all({ id: mediaId, from: from - 7 * DAY }) ?? []

const p = sql.placeholder

/**
 * Whether a torrent keeps its own page: followed, or scraped (else added) within
 * `site_settings.torrent_page_days` of the latest run. Others are rows of their movie's page.
 */
const hasPage = sql<number>`(${torrents.status} = 'follow' OR COALESCE((SELECT MAX(s.time) FROM ${stats} s WHERE s.torrent_id = ${torrents.id}), ${torrents.addedAt}) >= ${p('pagesFrom')})`

function prepare(db: Db) {
  const prev = alias(mediaTrends, 'p')
  const torrentSelect = {
    torrent: torrents,
    /** Its movie or series, with what the release name says (season, episode, quality). */
    link: torrentMedia,
    mediaKind: media.kind,
    mediaTitle: media.title,
    trackers: sql<number>`(SELECT COUNT(*) FROM ${torrentTrackers} tt WHERE tt.torrent_id = ${torrents.id})`,
    /** 1 when the torrent has a page of its own (see hasPage). */
    hasPage,
    /** Rank in the latest run of the engine shown, when scored. */
    rank: sql<
      number | null
    >`(SELECT tr.rank FROM ${trends} tr WHERE tr.torrent_id = ${torrents.id} AND tr.engine = ${p('engine')} AND tr.time = ${p('time')})`,
  }
  const torrentFrom = () =>
    db
      .select(torrentSelect)
      .from(torrents)
      .leftJoin(torrentMedia, eq(torrentMedia.torrentId, torrents.id))
      .leftJoin(media, eq(media.id, torrentMedia.mediaId))
  return {
    ranking: db
      .select({
        media,
        rank: mediaTrends.rank,
        score: mediaTrends.score,
        torrents: mediaTrends.torrents,
        previousRank: prev.rank,
      })
      .from(mediaTrends)
      .innerJoin(media, eq(media.id, mediaTrends.mediaId))
      .leftJoin(
        prev,
        and(eq(prev.mediaId, mediaTrends.mediaId), eq(prev.engine, mediaTrends.engine), eq(prev.time, p('previous'))),
      )
      .where(and(eq(mediaTrends.engine, p('engine')), eq(mediaTrends.time, p('time')), eq(media.kind, p('kind'))))
      .orderBy(asc(mediaTrends.rank))
      .limit(p('limit'))
      .prepare(),
    previousRun: db
      .select({ t: max(mediaTrends.time) })
      .from(mediaTrends)
      .where(and(eq(mediaTrends.engine, p('engine')), lt(mediaTrends.time, p('time'))))
      .prepare(),
    chartLatest: db
      .select({ t: max(chartsT.time) })
      .from(chartsT)
      .where(and(eq(chartsT.window, p('window')), eq(chartsT.kind, p('kind'))))
      .prepare(),
    chartsBetween: db
      .select({ chart: chartsT, media })
      .from(chartsT)
      .innerJoin(media, eq(media.id, chartsT.mediaId))
      .where(
        and(
          eq(chartsT.window, p('window')),
          eq(chartsT.kind, p('kind')),
          gte(chartsT.time, p('from')),
          lte(chartsT.time, p('to')),
          lte(chartsT.rank, p('maxRank')),
        ),
      )
      .orderBy(desc(chartsT.time), asc(chartsT.rank))
      .prepare(),
    chartAt: db
      .select({ media, c: chartsT })
      .from(chartsT)
      .innerJoin(media, eq(media.id, chartsT.mediaId))
      .where(and(eq(chartsT.window, p('window')), eq(chartsT.kind, p('kind')), eq(chartsT.time, p('time'))))
      .orderBy(asc(chartsT.rank))
      .limit(p('limit'))
      .prepare(),
    chartTimes: db
      .selectDistinct({ time: chartsT.time })
      .from(chartsT)
      .where(eq(chartsT.window, p('window')))
      .orderBy(desc(chartsT.time))
      .prepare(),
    chartsOfMedia: db
      .select()
      .from(chartsT)
      .where(and(eq(chartsT.mediaId, p('id')), eq(chartsT.window, p('window'))))
      .orderBy(asc(chartsT.time))
      .prepare(),
    archiveDays: db
      .select({
        day: sql<number>`${mediaTrends.time} / 86400`.as('day'),
        time: sql<number>`MAX(${mediaTrends.time})`,
        runs: sql<number>`COUNT(DISTINCT ${mediaTrends.time})`,
      })
      .from(mediaTrends)
      .where(eq(mediaTrends.engine, p('engine')))
      .groupBy(sql`day`)
      .orderBy(desc(sql`day`))
      .prepare(),
    mediaPaths: db
      .select({ id: media.id, kind: media.kind })
      .from(media)
      .orderBy(asc(media.kind), asc(media.id))
      .prepare(),
    posterUrls: db.select({ url: media.posterUrl }).from(media).prepare(),
    mediaById: db
      .select()
      .from(media)
      .where(eq(media.id, p('id')))
      .prepare(),
    activity: db
      .select()
      .from(mediaActivity)
      .where(and(eq(mediaActivity.mediaId, p('id')), gte(mediaActivity.day, p('from'))))
      .orderBy(asc(mediaActivity.day))
      .prepare(),
    // `+engine` keeps SQLite on the (torrent/media, time, engine) key: without it the planner picks
    // the (engine, time) index and scans every row of the engine for each page (76 s for 10k torrents).
    rankHistory: db
      .select({
        time: mediaTrends.time,
        rank: mediaTrends.rank,
        score: mediaTrends.score,
        torrents: mediaTrends.torrents,
      })
      .from(mediaTrends)
      .where(and(eq(mediaTrends.mediaId, p('id')), sql`+${mediaTrends.engine} = ${p('engine')}`))
      .orderBy(asc(mediaTrends.time))
      .prepare(),
    torrentsOfMedia: torrentFrom()
      .where(eq(torrentMedia.mediaId, p('id')))
      .orderBy(asc(torrentMedia.season), asc(torrentMedia.episode), desc(torrents.pubDate), asc(torrents.id))
      .prepare(),
    torrentById: torrentFrom()
      .where(eq(torrents.id, p('id')))
      .prepare(),
    torrentIds: db
      .select({ id: torrents.id })
      .from(torrents)
      .where(sql`${hasPage}`)
      .orderBy(asc(torrents.id))
      .prepare(),
    latestScrape: db
      .select({
        time: stats.time,
        seeders: max(stats.seeders),
        leechers: max(stats.leechers),
        completed: max(stats.completed),
      })
      .from(stats)
      .where(
        and(
          eq(stats.torrentId, p('id')),
          eq(stats.time, sql`(SELECT MAX(s2.time) FROM ${stats} s2 WHERE s2.torrent_id = ${p('id')})`),
        ),
      )
      .prepare(),
    trackerSeries: db
      .select({
        tracker: trackers.name,
        time: stats.time,
        seeders: stats.seeders,
        leechers: stats.leechers,
        completed: stats.completed,
      })
      .from(stats)
      .innerJoin(trackers, eq(trackers.id, stats.trackerId))
      .where(and(eq(stats.torrentId, p('id')), gte(stats.time, p('from'))))
      .orderBy(asc(trackers.name), asc(stats.time))
      .prepare(),
    indexerStats: db
      .select()
      .from(indexerStatsT)
      .where(eq(indexerStatsT.torrentId, p('id')))
      .orderBy(asc(indexerStatsT.indexer), asc(indexerStatsT.time))
      .prepare(),
    scoreHistory: db
      .select({ time: trends.time, score: trends.score, rank: trends.rank, trending: trends.trending })
      .from(trends)
      .where(and(eq(trends.torrentId, p('id')), sql`+${trends.engine} = ${p('engine')}`))
      .orderBy(asc(trends.time))
      .prepare(),
    statusHistory: db
      .select({ time: statusHistoryT.time, status: statusHistoryT.status })
      .from(statusHistoryT)
      .where(eq(statusHistoryT.torrentId, p('id')))
      .orderBy(
        asc(statusHistoryT.time),
        sql`CASE ${statusHistoryT.status} WHEN 'new' THEN 0 WHEN 'follow' THEN 1 ELSE 2 END`,
      )
      .prepare(),
    sparkRows: (ids: number[], from: number, to: number) =>
      db
        .select({ mediaId: mediaActivity.mediaId, day: mediaActivity.day, downloads: mediaActivity.downloads })
        .from(mediaActivity)
        .where(and(inArray(mediaActivity.mediaId, ids), gte(mediaActivity.day, from), lte(mediaActivity.day, to)))
        .all(),
  }
}

// ---- rankings ----

/** The ranking of one kind at one run (default: the latest), with each medium's previous rank. */
export function ranking(kind: Kind, time: number | null, limit: number): RankedMedia[] {
  const q = queries()
  if (!q || time === null) return []
  const previous =
    time === latestRun()
      ? (overview().site?.previousRun ?? null)
      : (q.previousRun.get({ engine: engine(), time })?.t ?? null)
  return q.ranking
    .all({ engine: engine(), time, kind, limit, previous: previous ?? -1 })
    .map((r) => ({ ...r.media, rank: r.rank, score: r.score, torrents: r.torrents, previousRank: r.previousRank }))
}

/** Days that have at least one run, newest first, with the last run of each day. */
export function archiveDays() {
  const rows = queries()?.archiveDays.all({ engine: engine() }) ?? []
  const have = new Set(rows.map((r) => r.day))
  const packed = (weekQueries()?.days.all({ engine: engine() }) ?? []).filter((r) => !have.has(r.day))
  if (packed.length) rows.push(...packed)
  rows.sort((a, b) => b.day - a.day)
  return rows.map((r) => ({
    date: new Date(r.day * DAY * 1000).toISOString().slice(0, 10),
    time: r.time,
    runs: r.runs,
  }))
}

// ---- charts (computed by the pipeline: charts) ----

function chartQueries(): ReturnType<typeof prepare> | null {
  return open().hasCharts ? queries() : null
}

/** The latest chart of a window and kind that has rows (empty when none yet). */
export function latestChart(window: ChartWindow, kind: Kind, limit = 100): ChartEntry[] {
  const time = latestChartTime(window, kind)
  return time === null ? [] : chartAt(window, kind, time, limit)
}

export function chartAt(window: ChartWindow, kind: Kind, time: number, limit = 100): ChartEntry[] {
  const q = chartQueries()
  return (q?.chartAt.all({ window, kind, time, limit }) ?? []).map(({ media: m, c }) => ({
    ...m,
    window,
    time,
    rank: c.rank,
    value: c.value,
    lastRank: c.lastRank,
    periods: c.periods,
    peakRank: c.peakRank,
    reentry: c.reentry,
  }))
}

/** Times of a window's charts, newest first. */
export function chartTimes(window: ChartWindow): number[] {
  return (chartQueries()?.chartTimes.all({ window }) ?? []).map((r) => r.time)
}

/** A medium's rows on one window's charts, oldest first. */
export function chartsOfMedia(mediaId: number, window: ChartWindow) {
  return chartQueries()?.chartsOfMedia.all({ id: mediaId, window }) ?? []
}

// ---- activity (computed by the pipeline: media_activity) ----

/** A movie's or series' daily activity from `from` (Unix s) on. */
export function mediaActivityFrom(mediaId: number, from: number): DayActivity[] {
  const start = from - (from % DAY)
  const rows = queries()?.activity.all({ id: mediaId, from: start }) ?? []
  const have = new Set(rows.map((r) => r.day))
  const packed: DayActivity[] = []
  for (const w of weeksOf(mediaId, start))
    for (const [day, seeders, leechers, peers, downloads] of w.activity as WeekActivity[])
      if (day >= start && !have.has(day)) packed.push({ mediaId, day, seeders, leechers, peers, downloads })
  return packed.length ? [...packed, ...rows].sort((a, b) => a.day - b.day) : rows
}

/** Sparkline values (the day's downloads, summed over torrents: what the charts rank by) over the `days` days up to `to` (the day holding `to` included). */
export function sparklines(mediaIds: number[], to: number, days: number): Map<number, number[]> {
  const out = new Map<number, number[]>()
  const q = queries()
  if (!q || mediaIds.length === 0) return out
  const from = to - (to % DAY) - (days - 1) * DAY
  for (const id of mediaIds) out.set(id, new Array(days).fill(0))
  for (const r of q.sparkRows(mediaIds, from, to)) {
    const arr = out.get(r.mediaId)
    const i = (r.day - from) / DAY
    if (arr && i >= 0 && i < days) arr[i] = r.downloads ?? 0
  }
  return out
}

// ---- media ----

/** Every poster URL of the database (for the build's poster prefetch). */
export function posterUrls(): (string | null)[] {
  return (queries()?.posterUrls.all() ?? []).map((r) => r.url)
}

export function mediaPaths() {
  return queries()?.mediaPaths.all() ?? []
}

export function mediaById(id: number): Media | null {
  return queries()?.mediaById.get({ id }) ?? null
}

/** A title's ranks by the engine shown, oldest first: its rows, and the packed days' the rows lack. */
export function rankHistory(mediaId: number) {
  const e = engine()
  const rows = queries()?.rankHistory.all({ id: mediaId, engine: e }) ?? []
  const days = new Set(rows.map((r) => Math.floor(r.time / DAY)))
  const packed: typeof rows = []
  for (const w of weeksOf(mediaId, 0))
    for (const [time, eng, score, rank, torrents] of w.ranks as WeekRank[])
      if (eng === e && !days.has(Math.floor(time / DAY))) packed.push({ time, rank, score, torrents })
  return packed.length ? [...packed, ...rows].sort((a, b) => a.time - b.time) : rows
}

function toTorrent(r: TorrentRaw): Torrent {
  const q = queries()
  const l = q?.latestScrape.get({ id: r.torrent.id })
  const latest =
    l && l.time != null
      ? { time: l.time, seeders: l.seeders ?? 0, leechers: l.leechers ?? 0, completed: l.completed ?? null }
      : null
  const { torrent, ...rest } = r
  return { ...torrent, ...rest, latest }
}

export function torrentsOfMedia(mediaId: number): Torrent[] {
  return (
    queries()?.torrentsOfMedia.all({
      id: mediaId,
      engine: engine(),
      time: latestRun() ?? -1,
      pagesFrom: pagesFrom(),
    }) ?? []
  ).map(toTorrent)
}

// ---- torrents ----

/** The oldest last scrape that still keeps a torrent's page. */
function pagesFrom(): number {
  const site = overview().site
  const now = site?.latestRun ?? site?.updatedAt ?? 0
  return now - (site?.torrentPageDays ?? 30) * DAY
}

/** Torrents with a page of their own (followed, or scraped lately). */
export function torrentIds(): number[] {
  return (queries()?.torrentIds.all({ pagesFrom: pagesFrom() }) ?? []).map((r) => r.id)
}

export function torrentById(id: number): Torrent | null {
  const r = queries()?.torrentById.get({ id, engine: engine(), time: latestRun() ?? -1, pagesFrom: pagesFrom() })
  return r ? toTorrent(r) : null
}

/** Every scrape of a torrent since `from`, one series per tracker (tracker name order). */
export function trackerSeries(torrentId: number, from: number): TrackerSeries[] {
  const out: TrackerSeries[] = []
  for (const { tracker, ...point } of queries()?.trackerSeries.all({ id: torrentId, from }) ?? []) {
    let last = out[out.length - 1]
    if (!last || last.tracker !== tracker) {
      last = { tracker, points: [] }
      out.push(last)
    }
    last.points.push(point)
  }
  return out
}

export function indexerStats(torrentId: number) {
  return queries()?.indexerStats.all({ id: torrentId }) ?? []
}

export function scoreHistory(torrentId: number) {
  return queries()?.scoreHistory.all({ id: torrentId, engine: engine() }) ?? []
}

export function statusHistory(torrentId: number) {
  return queries()?.statusHistory.all({ id: torrentId }) ?? []
}

// ---- charts as the feeds read them (rows of several runs, for the sticky lists) ----

type FeedChartRow = typeof schema.charts.$inferSelect

/** A chart row with its media, as the feeds read it. */
export interface FeedChartEntry extends Omit<FeedChartRow, 'mediaId' | 'kind'> {
  media: Media
}

/**
 * The time of the latest chart of a window and kind; null when there is none yet. The pipeline
 * never writes an empty chart, so the latest chart is the latest non-empty one.
 */
export function latestChartTime(window: ChartWindow, kind: Kind): number | null {
  return chartQueries()?.chartLatest.get({ window, kind })?.t ?? null
}

/** The rows ranked ≤ maxRank of every chart of a window and kind from `from` to `to` (newest first, by rank). */
export function chartRows(
  window: ChartWindow,
  kind: Kind,
  from: number,
  to: number,
  maxRank: number,
): FeedChartEntry[] {
  return (chartQueries()?.chartsBetween.all({ window, kind, from, to, maxRank }) ?? []).map(
    ({ chart: { mediaId: _id, kind: _kind, ...row }, media: m }) => ({ ...row, media: m }),
  )
}
