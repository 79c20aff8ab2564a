/**
 * The ONE module of the site that reads SQLite: read-only, at build time, plain SQL through
 * prepared statements (fast enough for 10k pages). Pages ask for plain objects; nothing here
 * formats or escapes (Astro escapes on output).
 *
 * A missing file, an empty file or a database without trend runs is "no data yet": every query
 * then answers empty and `overview().hasData` is false, so the site builds and says so.
 */
import { existsSync, statSync } from 'node:fs'
import Database from 'better-sqlite3'
import { logger } from '../../pipeline/core/log.ts'
import { siteSettings } from './settings.ts'

const log = logger('site')

export const DAY = 86_400
/** How far back the charts of a page go (days before the latest run). */
export const CHART_DAYS = 90
/** Media per kind on the home page and on an archive page. */
export const HOME_LIMIT = 20
export const ARCHIVE_LIMIT = 50

export type Kind = 'movie' | 'series'

export interface Media {
  id: number
  kind: Kind
  title: string
  year: number | null
  originalTitle: string | null
  imdbId: string | null
  tmdbId: number | null
  tvdbId: number | null
  posterUrl: string | null
  genres: string[]
  rating: number | null
  votes: number | null
  overview: string | null
  metadataSource: string | null
}

export interface RankedMedia extends Media {
  rank: number
  score: number
  torrents: number
  /** Rank in the previous run; null when the medium was not ranked then ("new"). */
  previousRank: number | null
}

export interface DayActivity {
  /** Unix seconds of the UTC day's start. */
  day: number
  seeders: number
  leechers: number
  /** Downloads completed that day (increase of the trackers' completed counters). */
  downloads: number | null
}

export interface TorrentRow {
  id: number
  name: string
  pubDate: number
  size: number | null
  status: string
  category: string
  indexer: string | null
  mediaId: number | null
  mediaKind: Kind | null
  mediaTitle: string | null
  season: number | null
  episode: number | null
  release: Record<string, unknown> | null
  trackers: number
  /** The latest scrape: the largest numbers over trackers at its time. */
  latest: { time: number; seeders: number; leechers: number; completed: number | null } | null
  /** Rank in the latest run of the engine, when scored. */
  rank: number | null
}

export interface TrackerSeries {
  tracker: string
  points: { time: number; seeders: number; leechers: number; completed: number | null }[]
}

export interface Overview {
  hasData: boolean
  /** Why there is no data, for the page and the build log. */
  reason: string | null
  engine: string
  latest: number | null
  previous: number | null
  counts: { movies: number; series: number; torrents: number }
}

interface MediaRowRaw {
  id: number
  kind: Kind
  title: string
  year: number | null
  original_title: string | null
  imdb_id: string | null
  tmdb_id: number | null
  tvdb_id: number | null
  poster_url: string | null
  genres: string | null
  rating: number | null
  votes: number | null
  overview: string | null
  metadata_source: string | null
}

const MEDIA_COLS = `m.id, m.kind, m.title, m.year, m.original_title, m.imdb_id, m.tmdb_id, m.tvdb_id, m.poster_url,
  m.genres, m.rating, m.votes, m.overview, m.metadata_source`

function parseJson<T>(text: string | null, fallback: T): T {
  if (text == null) return fallback
  try {
    return JSON.parse(text) as T
  } catch {
    return fallback
  }
}

function toMedia(r: MediaRowRaw): Media {
  const genres = parseJson<unknown>(r.genres, [])
  return {
    id: r.id,
    kind: r.kind,
    title: r.title,
    year: r.year,
    originalTitle: r.original_title,
    imdbId: r.imdb_id,
    tmdbId: r.tmdb_id,
    tvdbId: r.tvdb_id,
    posterUrl: r.poster_url,
    genres: Array.isArray(genres) ? genres.filter((g): g is string => typeof g === 'string') : [],
    rating: r.rating,
    votes: r.votes,
    overview: r.overview,
    metadataSource: r.metadata_source,
  }
}

// ---- opening ----

interface Handle {
  db: Database.Database | null
  overview: Overview
}
let handle: Handle | undefined

const REQUIRED_TABLES = ['media', 'media_trends', 'torrents', 'stats', 'trends', 'trackers', 'torrent_media']

function open(): Handle {
  if (handle) return handle
  const { dbPath, engine: wanted } = siteSettings()
  const empty = (reason: string): Handle => ({
    db: null,
    overview: {
      hasData: false,
      reason,
      engine: wanted ?? 'velocity',
      latest: null,
      previous: null,
      counts: { movies: 0, series: 0, torrents: 0 },
    },
  })
  if (!existsSync(dbPath)) handle = empty(`${dbPath}: no database yet`)
  else if (statSync(dbPath).size === 0) handle = empty(`${dbPath}: empty file`)
  else {
    let db: Database.Database
    try {
      db = new Database(dbPath, { readonly: true, fileMustExist: true })
    } catch (err) {
      throw new Error(`${dbPath}: cannot open the database read-only: ${(err as Error).message}`)
    }
    const tables = new Set(
      (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as { name: string }[]).map(
        (r) => r.name,
      ),
    )
    const missing = REQUIRED_TABLES.filter((t) => !tables.has(t))
    if (missing.length) {
      db.close()
      handle = empty(`${dbPath}: not a mediastrends database yet (no ${missing.join(', ')} table)`)
    } else {
      const engine =
        wanted ??
        (
          db.prepare('SELECT engine FROM media_trends GROUP BY engine ORDER BY COUNT(*) DESC, engine LIMIT 1').get() as
            | { engine: string }
            | undefined
        )?.engine ??
        'velocity'
      const times = db
        .prepare('SELECT DISTINCT time FROM media_trends WHERE engine = ? ORDER BY time DESC LIMIT 2')
        .all(engine) as { time: number }[]
      const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n
      const counts = {
        movies: count(`SELECT COUNT(*) AS n FROM media WHERE kind = 'movie'`),
        series: count(`SELECT COUNT(*) AS n FROM media WHERE kind = 'series'`),
        torrents: count('SELECT COUNT(*) AS n FROM torrents'),
      }
      const latest = times[0]?.time ?? null
      handle = {
        db,
        overview: {
          hasData: latest !== null,
          reason: latest === null ? `${dbPath}: no trend run of engine "${engine}" yet` : null,
          engine,
          latest,
          previous: times[1]?.time ?? null,
          counts,
        },
      }
    }
  }
  const o = handle.overview
  if (o.hasData) {
    log.info(
      `${dbPath}: ${o.counts.movies} movies, ${o.counts.series} series, ${o.counts.torrents} torrents; latest run of "${o.engine}" at ${new Date((o.latest ?? 0) * 1000).toISOString()}`,
    )
  } else log.warn(`${o.reason}: building a site that says there is no data yet`)
  return handle
}

const stmts = new Map<string, Database.Statement>()
function q(sql: string): Database.Statement | null {
  const { db } = open()
  if (!db) return null
  let s = stmts.get(sql)
  if (!s) {
    s = db.prepare(sql)
    stmts.set(sql, s)
  }
  return s
}
function all<T>(sql: string, ...params: unknown[]): T[] {
  return (q(sql)?.all(...params) as T[] | undefined) ?? []
}
function get<T>(sql: string, ...params: unknown[]): T | undefined {
  return q(sql)?.get(...params) as T | undefined
}

// ---- overview, rankings ----

export function overview(): Overview {
  return open().overview
}

/** The previous run of the engine before `time`, or null. */
function previousRun(time: number): number | null {
  return (
    get<{ t: number | null }>('SELECT MAX(time) AS t FROM media_trends WHERE engine = ? AND time < ?', engine(), time)
      ?.t ?? null
  )
}

function engine(): string {
  return open().overview.engine
}

/** The ranking of one kind at one run (default: the latest), with each medium's previous rank. */
export function ranking(kind: Kind, time: number | null = overview().latest, limit = HOME_LIMIT): RankedMedia[] {
  if (time === null) return []
  const prev = previousRun(time)
  const rows = all<MediaRowRaw & { rank: number; score: number; torrents: number; prev_rank: number | null }>(
    `SELECT ${MEDIA_COLS}, mt.rank, mt.score, mt.torrents, p.rank AS prev_rank
     FROM media_trends mt JOIN media m ON m.id = mt.media_id
     LEFT JOIN media_trends p ON p.media_id = mt.media_id AND p.engine = mt.engine AND p.time = ?
     WHERE mt.engine = ? AND mt.time = ? AND m.kind = ?
     ORDER BY mt.rank LIMIT ?`,
    prev ?? -1,
    engine(),
    time,
    kind,
    limit,
  )
  return rows.map((r) => ({
    ...toMedia(r),
    rank: r.rank,
    score: r.score,
    torrents: r.torrents,
    previousRank: r.prev_rank,
  }))
}

/** Days that have at least one run, newest first, with the last run of each day. */
export function archiveDays(): { date: string; time: number; runs: number }[] {
  return all<{ day: number; time: number; runs: number }>(
    `SELECT time / 86400 AS day, MAX(time) AS time, COUNT(DISTINCT time) AS runs FROM media_trends
     WHERE engine = ? GROUP BY day ORDER BY day DESC`,
    engine(),
  ).map((r) => ({ date: new Date(r.day * DAY * 1000).toISOString().slice(0, 10), time: r.time, runs: r.runs }))
}

// ---- activity ----

/**
 * Daily activity summed over a set of torrents, from `from` (Unix s) on: for each torrent and day
 * the largest numbers any tracker reported (trackers overlap, so they are not added), then summed
 * over torrents. Downloads are the day-to-day increase of each torrent's largest completed counter.
 */
export function activityOfTorrents(torrentIds: number[], from: number): DayActivity[] {
  if (torrentIds.length === 0) return []
  const rows: { torrent_id: number; day: number; s: number; l: number; c: number | null }[] = []
  for (let i = 0; i < torrentIds.length; i += 500) {
    const chunk = torrentIds.slice(i, i + 500)
    rows.push(
      ...all<{ torrent_id: number; day: number; s: number; l: number; c: number | null }>(
        `SELECT torrent_id, time / 86400 AS day, MAX(seeders) AS s, MAX(leechers) AS l, MAX(completed) AS c
         FROM stats WHERE torrent_id IN (${chunk.map(() => '?').join(',')}) AND time >= ?
         GROUP BY torrent_id, day ORDER BY torrent_id, day`,
        ...chunk,
        from,
      ),
    )
  }
  return sumDaily(rows)
}

/** Pure: per-torrent daily maxima → daily sums (exported for tests). */
export function sumDaily(
  rows: { torrent_id: number; day: number; s: number; l: number; c: number | null }[],
): DayActivity[] {
  const byDay = new Map<number, DayActivity>()
  let lastTorrent = -1
  let lastCompleted: number | null = null
  for (const r of rows) {
    if (r.torrent_id !== lastTorrent) {
      lastTorrent = r.torrent_id
      lastCompleted = null
    }
    const d = byDay.get(r.day) ?? { day: r.day * DAY, seeders: 0, leechers: 0, downloads: null }
    d.seeders += r.s
    d.leechers += r.l
    if (r.c != null) {
      if (lastCompleted != null) d.downloads = (d.downloads ?? 0) + Math.max(0, r.c - lastCompleted)
      lastCompleted = r.c
    }
    byDay.set(r.day, d)
  }
  return [...byDay.values()].sort((a, b) => a.day - b.day)
}

/** Sparkline values (seeders + leechers per day over the last `days` days) for several media. */
export function sparklines(mediaIds: number[], days = 14): Map<number, number[]> {
  const out = new Map<number, number[]>()
  const latest = overview().latest
  if (latest === null || mediaIds.length === 0) return out
  const from = Math.floor(latest / DAY) * DAY - (days - 1) * DAY
  const rows = all<{ media_id: number; torrent_id: number; day: number; a: number }>(
    `SELECT tm.media_id, s.torrent_id, s.time / 86400 AS day, MAX(s.seeders + s.leechers) AS a
     FROM torrent_media tm JOIN stats s ON s.torrent_id = tm.torrent_id
     WHERE tm.media_id IN (${mediaIds.map(() => '?').join(',')}) AND s.time >= ? AND s.time <= ?
     GROUP BY tm.media_id, s.torrent_id, day`,
    ...mediaIds,
    from,
    latest,
  )
  for (const id of mediaIds) out.set(id, new Array(days).fill(0))
  for (const r of rows) {
    const i = r.day - from / DAY
    const arr = out.get(r.media_id)
    if (arr && i >= 0 && i < days) arr[i] = (arr[i] ?? 0) + r.a
  }
  return out
}

// ---- media pages ----

export function mediaIds(kind: Kind): number[] {
  return all<{ id: number }>('SELECT id FROM media WHERE kind = ? ORDER BY id', kind).map((r) => r.id)
}

export function mediaById(id: number): Media | null {
  const r = get<MediaRowRaw>(`SELECT ${MEDIA_COLS} FROM media m WHERE m.id = ?`, id)
  return r ? toMedia(r) : null
}

export function rankHistory(mediaId: number): { time: number; rank: number; score: number; torrents: number }[] {
  return all(
    'SELECT time, rank, score, torrents FROM media_trends WHERE media_id = ? AND +engine = ? ORDER BY time',
    mediaId,
    engine(),
  )
}

const TORRENT_SELECT = `SELECT t.id, t.name, t.pub_date, t.size, t.status, t.category, t.indexer,
    tm.media_id, m.kind AS media_kind, m.title AS media_title, tm.season, tm.episode, tm.release,
    (SELECT COUNT(*) FROM torrent_trackers tt WHERE tt.torrent_id = t.id) AS trackers,
    (SELECT rank FROM trends tr WHERE tr.torrent_id = t.id AND tr.engine = ? AND tr.time = ?) AS rank
  FROM torrents t LEFT JOIN torrent_media tm ON tm.torrent_id = t.id LEFT JOIN media m ON m.id = tm.media_id`

interface TorrentRaw {
  id: number
  name: string
  pub_date: number
  size: number | null
  status: string
  category: string
  indexer: string | null
  media_id: number | null
  media_kind: Kind | null
  media_title: string | null
  season: number | null
  episode: number | null
  release: string | null
  trackers: number
  rank: number | null
}

function latestOf(torrentId: number): TorrentRow['latest'] {
  const r = get<{ time: number | null; s: number; l: number; c: number | null }>(
    `SELECT time, MAX(seeders) AS s, MAX(leechers) AS l, MAX(completed) AS c FROM stats
     WHERE torrent_id = ? AND time = (SELECT MAX(time) FROM stats WHERE torrent_id = ?)`,
    torrentId,
    torrentId,
  )
  return r && r.time != null ? { time: r.time, seeders: r.s, leechers: r.l, completed: r.c } : null
}

function toTorrent(r: TorrentRaw): TorrentRow {
  const release = parseJson<unknown>(r.release, null)
  return {
    id: r.id,
    name: r.name,
    pubDate: r.pub_date,
    size: r.size,
    status: r.status,
    category: r.category,
    indexer: r.indexer,
    mediaId: r.media_id,
    mediaKind: r.media_kind,
    mediaTitle: r.media_title,
    season: r.season,
    episode: r.episode,
    release: release && typeof release === 'object' ? (release as Record<string, unknown>) : null,
    trackers: r.trackers,
    latest: latestOf(r.id),
    rank: r.rank,
  }
}

export function torrentsOfMedia(mediaId: number): TorrentRow[] {
  return all<TorrentRaw>(
    `${TORRENT_SELECT} WHERE tm.media_id = ? ORDER BY tm.season, tm.episode, t.pub_date DESC, t.id`,
    engine(),
    overview().latest ?? -1,
    mediaId,
  ).map(toTorrent)
}

// ---- torrent pages ----

export function torrentIds(): number[] {
  return all<{ id: number }>('SELECT id FROM torrents ORDER BY id').map((r) => r.id)
}

export function torrentById(id: number): TorrentRow | null {
  const r = get<TorrentRaw>(`${TORRENT_SELECT} WHERE t.id = ?`, engine(), overview().latest ?? -1, id)
  return r ? toTorrent(r) : null
}

/** Every scrape of a torrent since `from`, one series per tracker (tracker name order). */
export function trackerSeries(torrentId: number, from: number): TrackerSeries[] {
  const rows = all<{ tracker: string; time: number; seeders: number; leechers: number; completed: number | null }>(
    `SELECT tr.name AS tracker, s.time, s.seeders, s.leechers, s.completed
     FROM stats s JOIN trackers tr ON tr.id = s.tracker_id
     WHERE s.torrent_id = ? AND s.time >= ? ORDER BY tr.name, s.time`,
    torrentId,
    from,
  )
  const out: TrackerSeries[] = []
  for (const r of rows) {
    let last = out[out.length - 1]
    if (!last || last.tracker !== r.tracker) {
      last = { tracker: r.tracker, points: [] }
      out.push(last)
    }
    last.points.push({ time: r.time, seeders: r.seeders, leechers: r.leechers, completed: r.completed })
  }
  return out
}

export function indexerStats(
  torrentId: number,
): { time: number; indexer: string; seeders: number | null; leechers: number | null; grabs: number | null }[] {
  return all(
    'SELECT time, indexer, seeders, leechers, grabs FROM indexer_stats WHERE torrent_id = ? ORDER BY indexer, time',
    torrentId,
  )
}

// `+engine` keeps SQLite on the (torrent/media, time, engine) key: without it the planner picks the
// (engine, time) index and scans every row of the engine for each page (76 s for 10k torrents).
export function scoreHistory(torrentId: number): { time: number; score: number; rank: number; trending: number }[] {
  return all(
    'SELECT time, score, rank, trending FROM trends WHERE torrent_id = ? AND +engine = ? ORDER BY time',
    torrentId,
    engine(),
  )
}

export function statusHistory(torrentId: number): { time: number; status: string }[] {
  return all(
    `SELECT time, status FROM status_history WHERE torrent_id = ?
     ORDER BY time, CASE status WHEN 'new' THEN 0 WHEN 'follow' THEN 1 ELSE 2 END`,
    torrentId,
  )
}

// ---- feeds ----

/** Media of the latest ranking of one kind with the ids the *arr tools need. */
export function feedMedia(kind: Kind, limit = HOME_LIMIT): RankedMedia[] {
  return ranking(kind, overview().latest, limit)
}
