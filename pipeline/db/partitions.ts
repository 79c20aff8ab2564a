/**
 * The `data` branch layout: the database as add-only NDJSON files (format: ndjson.ts), so that a
 * scheduled run restores and saves in a time that does not grow with the history's age.
 *
 *   snapshot/YYYY-MM/base-<stamp>.ndjson.gz      every row of the slow-changing tables (torrents,
 *   snapshot/YYYY-MM/changes-<stamp>.ndjson.gz   trackers, links, media…): a base at the first save
 *                                                of a month, then one file of changed rows per save
 *   archive/YYYY-MM/<stamp>.ndjson.gz            the rows of torrents let go long ago (ARCHIVED):
 *                                                moved out of the bases, each file read by every run
 *   <table>/<Monday YYYY-MM-DD>/<stamp>.ndjson.gz  the growing tables (stats, trends, runs…), by
 *                                                the ISO week of each row's time: one file of new
 *                                                rows per save; a closed week never changes
 *
 * A file is written once and never rewritten; each holds one save's rows (far under GitHub's
 * 50 MB warning). A restore imports the latest month's snapshot, every archive file, plus, per
 * growing table, the weeks its readers need (GROWING: the trend window for the scrapes, the
 * site's chart range for the charts and activity), and the table's newest week (the save compares against it); a week
 * of the PACKED tables that media_weeks holds comes from its media_weeks file only. A save
 * writes only rows not on the branch yet: the snapshot rows the database noted as changed since
 * the last save that reached the branch (dirty.ts; a month's base: every row), less the
 * ARCHIVABLE rows of torrents let go long ago, and growing rows from the table's newest week on
 * that are not in that week's files ("known" files: what the restore extracted, plus what another
 * run pushed meanwhile), told by the files' header counts of rows per time.
 *
 * Older months' snapshots and older weeks stay on the branch (nothing is ever lost, and any full
 * history can be rebuilt by importing everything in path order); they are only not read by runs.
 */
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs'
import { dirname, join, relative, sep } from 'node:path'
import type { Config } from '../config/schema.ts'
import { readLines } from '../core/lines.ts'
import type { Db } from './client.ts'
import { dropTriggers, installTriggers, markPending, notedRows, noteRows } from './dirty.ts'
import {
  EXPORT_TABLES,
  header,
  type ImportCounts,
  importFiles,
  inReadTransaction,
  LineWriter,
  SPECS,
  tableLines,
  timeCounts,
} from './ndjson.ts'

const DAY = 86_400

/**
 * How far back a run reads, from the config: what the restore picks and a save's daily files
 * cover. `scoringDays`: the scrapes the trend engine reads at full resolution (its lookback, or
 * delta_days); `pageDays`: how long a torrent keeps its page after its last scrape ([site]).
 */
export interface Needs {
  scoringDays: number
  pageDays: number
}

interface Growing {
  /** The column that places a row in its week. */
  time: string
  /** How many days before the run anything reads the table (scoring, status, the site's charts). */
  days: (n: Needs) => number
  /**
   * Rows of a day are rewritten by every run of that day (the daily activity): only days before
   * the run's are saved, each once, when closed. The open day is recomputed from the scrapes
   * (always in the restored window) by the next `site data`.
   */
  closedDays?: true
  /**
   * Downsampled after `dense` days: each closed day is also saved once as a daily file holding
   * each group's last rows of that day (the columns listed: a run's rows share the run clock, a
   * scrape's are per torrent and tracker). A restore reads the last `dense` days whole and only
   * the daily files before, so what the site's long-range charts show (one point a day, the
   * archive's last run of each day) comes back at a fraction of the rows.
   */
  dense?: (n: Needs) => number
  daily?: string[]
}

/** The growing tables and how many days a run needs back. */
export const GROWING: Record<string, Growing> = {
  // Full resolution for the trend engine; one scrape a day per tracker for the torrent pages.
  stats: {
    time: 'time',
    days: (n) => Math.max(n.scoringDays, n.pageDays) + 1,
    dense: (n) => n.scoringDays + 1,
    daily: ['torrent_id', 'tracker_id'],
  },
  indexer_stats: { time: 'time', days: (n) => Math.max(n.scoringDays, n.pageDays) + 1 },
  // The last runs whole (rank changes against the previous run); a torrent's score history daily.
  trends: { time: 'time', days: () => 8, dense: () => 2, daily: ['engine'] },
  runs: { time: 'clock', days: () => 8 },
  // What the site's charts show (site/lib/view.ts CHART_DAYS = 90), and a margin; the archive
  // shows each day's last run, the rank history one point a day beyond the last week.
  media_trends: { time: 'time', days: () => 92, dense: () => 8, daily: ['engine'] },
  charts: { time: 'time', days: () => 92, dense: () => 8, daily: ['window', 'kind'] },
  // A torrent's days are summed into its movie's (media_activity, the site's 90-day charts) by
  // `site data` as they close: the torrents' own are read back as far as their scrapes.
  torrent_activity: { time: 'day', days: (n) => Math.max(n.scoringDays, n.pageDays) + 1, closedDays: true },
  media_activity: { time: 'day', days: () => 92, closedDays: true },
  // Both tables' closed weeks past PACK_DAYS, one row per title and week (publish/weeks.ts): a
  // restore reads a packed week from here, not from PACKED's files.
  media_weeks: { time: 'week', days: () => 92 },
}

/**
 * The tables whose closed weeks media_weeks packs: a restore skips their files of a week the
 * branch has a media_weeks file of (the daily files of media_trends, media_activity's files).
 */
export const PACKED = ['media_trends', 'media_activity']
/**
 * The days before the run that stay rows, never packed: those `site data` sums again from the
 * torrents' (the scrapes' window), and the 16 days the week and rising charts read
 * (publish/charts.ts), which hold the site's 14-day sparklines.
 */
export const PACK_DAYS = (n: Needs): number => Math.max(Math.max(n.scoringDays, n.pageDays) + 1, 17)
/**
 * The weeks a run packs (their Mondays, unix s): closed before the last PACK_DAYS days and wholly
 * inside media_weeks' window, so the database holds every day of them (what the restore read).
 */
export function packableWeeks(now: number, needs: Needs): number[] {
  const until = dayStart(now) - PACK_DAYS(needs) * DAY
  const from = dayStart(now) - Math.ceil(GROWING.media_weeks?.days(needs) ?? 0) * DAY
  const out: number[] = []
  for (let w = weekStart(weekOf(from)); w + 7 * DAY <= until; w += 7 * DAY) if (w >= from) out.push(w)
  return out
}
for (const name of Object.keys(GROWING)) if (!SPECS.has(name)) throw new Error(`partitions: ${name} is not exported`)

/**
 * Snapshot tables whose rows only a live torrent needs (column: the torrent): its tracker links
 * (what the scraper asks) and status history (its page). A torrent let go long ago (archived:
 * `unfollow`, no status change for archiveDays, no scrape in the stats window) has no page and
 * is never scraped again, and unfollow is final: once the branch holds a snapshot, these rows of
 * an archived torrent are not written again (they stay in the month files written while it was
 * live), so a month's base, and what a run restores, holds the live torrents' only. The torrent
 * itself and its movie link stay in every base: its movie's page lists it.
 */
export const ARCHIVABLE: Record<string, string> = { torrent_trackers: 'torrent_id', status_history: 'torrent_id' }
export const archiveDays = (n: Needs): number => Math.max(GROWING.stats?.days(n) ?? 0, 30)

/**
 * Snapshot tables whose rows of archived torrents leave the monthly base for the archive files
 * (column: the torrent), so that a month's base holds the live torrents' rows only, whatever the
 * number of torrents ever seen. A month's first save (once the branch has a snapshot) sets
 * `torrents.archived_at` on the torrents archived then (archiveTorrents): from then on every
 * save writes their changed rows to an archive file, never to the snapshot. A restore reads every
 * archive file after the month's snapshot: together they hold every torrent's latest rows.
 */
export const ARCHIVED: Record<string, string> = { torrents: 'id', torrent_media: 'torrent_id' }
/** SQL (alias `t`): the row's torrent is archived (a correlated look-up: for the noted rows). */
const inArchive = (col: string) =>
  `EXISTS (SELECT 1 FROM torrents a WHERE a.id = t.${q(col)} AND a.archived_at IS NOT NULL)`
/** SQL (alias `t`): the row's torrent is not archived (the live torrents, by torrents_live_idx: for a base). */
const notInArchive = (col: string) => `t.${q(col)} IN (SELECT id FROM torrents WHERE archived_at IS NULL)`

/**
 * Mark the torrents archived at `now` that are not yet (archived_at), and note their ARCHIVED
 * rows for the save (the torrents' by the update trigger, their links by hand). One write
 * transaction; returns how many torrents. Reads the live torrents only (torrents_live_idx).
 */
export function archiveTorrents(sqlite: Db['$client'], now: number, needs: Needs): number {
  return sqlite
    .transaction(() => {
      const ids = sqlite
        .prepare(`SELECT a.id FROM torrents a WHERE a.archived_at IS NULL AND ${archivedWhere(now, needs)}`)
        .pluck()
        .all() as number[]
      if (!ids.length) return 0
      const list = JSON.stringify(ids)
      sqlite.prepare(`UPDATE torrents SET archived_at = ? WHERE id IN (SELECT value FROM json_each(?))`).run(now, list)
      for (const [table, col] of Object.entries(ARCHIVED))
        if (table !== 'torrents') noteRows(sqlite, table, `t.${q(col)} IN (SELECT value FROM json_each(?))`, list)
      return ids.length
    })
    .immediate()
}

/** SQL: the ids of the torrents archived at `now` (see ARCHIVABLE). */
export function archivedTorrents(now: number, needs: Needs): string {
  return `SELECT a.id FROM torrents a WHERE ${archivedWhere(now, needs)}`
}

/** SQL: whether the torrent whose id is `idSql` is archived at `now`: one torrent's look-ups only. */
export function isArchived(idSql: string, now: number, needs: Needs): string {
  return `EXISTS (SELECT 1 FROM torrents a WHERE a.id = ${idSql} AND ${archivedWhere(now, needs)})`
}

/** The condition on torrent `a` of archivedTorrents and isArchived. */
function archivedWhere(now: number, needs: Needs): string {
  const from = dayStart(now) - archiveDays(needs) * DAY
  const scrapedFrom = dayStart(now) - Math.ceil(GROWING.stats?.days(needs) ?? 0) * DAY
  return (
    `a.status = 'unfollow'` +
    ` AND NOT EXISTS (SELECT 1 FROM status_history h WHERE h.torrent_id = a.id AND h.time >= ${from})` +
    ` AND NOT EXISTS (SELECT 1 FROM stats s WHERE s.torrent_id = a.id AND s.time >= ${scrapedFrom})`
  )
}

/** The needs of a config; `lookbackSeconds`: the trend engine's (nowcast reads only its last days). */
export function needsOf(cfg: Pick<Config, 'trends_manager' | 'site'>, lookbackSeconds?: number): Needs {
  const scoring = lookbackSeconds === undefined ? cfg.trends_manager.delta_days : lookbackSeconds / DAY
  return {
    scoringDays: Math.ceil(Math.min(scoring, cfg.trends_manager.delta_days)),
    pageDays: Math.ceil(cfg.site.torrent_page_days),
  }
}
/** Every other exported table is in the snapshot. */
export const SNAPSHOT: string[] = EXPORT_TABLES.map((t) => t.name).filter((n) => !(n in GROWING))

/** Files of a data branch written by version 1 (one append-only export): migrated by the next save. */
export const LEGACY = /^data\/export\.ndjson(\.gz)?$/

const q = (name: string) => `"${name}"`
const iso = (s: number) => new Date(s * 1000).toISOString()
/** The Monday (UTC) of the ISO week holding `time`. */
export const weekOf = (time: number): string => {
  const day = Math.floor(time / DAY)
  const weekday = (day + 3) % 7 // 1970-01-01 was a Thursday; Monday = 0
  return iso((day - ((weekday + 7) % 7)) * DAY).slice(0, 10)
}
export const monthOf = (time: number): string => iso(time).slice(0, 7)
const weekStart = (week: string) => Date.parse(`${week}T00:00:00Z`) / 1000

/** A file name stamp: the run clock, and random bytes so two racing saves never pick the same name. */
export const stamp = (now: number): string =>
  `${iso(now)
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}-${randomBytes(3).toString('hex')}`

interface Parsed {
  path: string
  kind: 'legacy' | 'snapshot' | 'archive' | 'growing'
  table?: string
  /** YYYY-MM (snapshot, archive) or the week's Monday (growing). */
  period?: string
  base?: boolean
  stamp?: string
  /** A daily file (growing tables with `daily`): the day it holds (unix s of its 00:00 UTC). */
  daily?: number
}

/** What a branch path is (undefined: not ours). */
export function parsePath(path: string): Parsed | undefined {
  if (LEGACY.test(path)) return { path, kind: 'legacy' }
  const snap = /^snapshot\/(\d{4}-\d{2})\/(base|changes)-([^/]+)\.ndjson\.gz$/.exec(path)
  if (snap) return { path, kind: 'snapshot', period: snap[1], base: snap[2] === 'base', stamp: snap[3] }
  const arch = /^archive\/(\d{4}-\d{2})\/([^/]+)\.ndjson\.gz$/.exec(path)
  if (arch) return { path, kind: 'archive', period: arch[1], stamp: arch[2] }
  const grow = /^([a-z_]+)\/(\d{4}-\d{2}-\d{2})\/([^/]+)\.ndjson\.gz$/.exec(path)
  if (grow?.[1] && grow[1] in GROWING) {
    const daily = /^daily-(\d{4})(\d{2})(\d{2})-/.exec(grow[3] as string)
    const p: Parsed = { path, kind: 'growing', table: grow[1], period: grow[2], stamp: grow[3] }
    if (daily) p.daily = Date.UTC(Number(daily[1]), Number(daily[2]) - 1, Number(daily[3])) / 1000
    return p
  }
  return undefined
}

/**
 * Import order: legacy file, snapshot (by month, base first, then stamp), archive (by month and
 * stamp: an archived torrent's latest rows last, and after the bases, which hold the media its
 * links name), then growing tables in export order, by week and stamp.
 */
function sortParsed(files: Parsed[]): Parsed[] {
  const tableRank = new Map(EXPORT_TABLES.map((t, i) => [t.name, i]))
  const rank = (p: Parsed) => ({ legacy: 0, snapshot: 1, archive: 2, growing: 3 })[p.kind]
  return [...files].sort(
    (a, b) =>
      rank(a) - rank(b) ||
      (tableRank.get(a.table ?? '') ?? 0) - (tableRank.get(b.table ?? '') ?? 0) ||
      (a.period ?? '').localeCompare(b.period ?? '') ||
      // A month's base before its changes (written after it, whatever the stamps say).
      Number(Boolean(b.base)) - Number(Boolean(a.base)) ||
      (a.stamp ?? '').localeCompare(b.stamp ?? '') ||
      a.path.localeCompare(b.path),
  )
}

/** The latest month holding a base, per the snapshot files given. */
function snapshotMonth(files: Parsed[]): string | undefined {
  return files
    .filter((p) => p.kind === 'snapshot' && p.base)
    .map((p) => p.period as string)
    .sort()
    .at(-1)
}

/**
 * What a run restores, given the branch's file list: folders and files to extract. The latest
 * month's snapshot, every archive folder; per growing table, the weeks that reach into its window
 * before `now`, and its newest week. A week that starts before the table's dense days gives its daily files for the
 * days before them and its saves from their first day on (sparseFiles), or the whole week when a
 * day lacks its daily file (a branch saved before daily files existed).
 */
export function pick(paths: string[], now: number, needs: Needs): string[] {
  const parsed = paths.map(parsePath).filter((p): p is Parsed => p !== undefined)
  const out = new Set<string>()
  for (const p of parsed) if (p.kind === 'legacy') out.add(p.path)
  const month = snapshotMonth(parsed)
  // Snapshot folders from the latest base on (a later month without a base would be a racing save's).
  for (const p of parsed) if (p.kind === 'snapshot' && month && (p.period as string) >= month) out.add(dirname(p.path))
  for (const p of parsed) if (p.kind === 'archive') out.add(dirname(p.path))
  const packed = new Set(parsed.filter((p) => p.table === 'media_weeks').map((p) => p.period as string))
  for (const [table, g] of Object.entries(GROWING)) {
    const files = parsed.filter((p) => p.table === table)
    const weeks = [...new Set(files.map((p) => p.period as string))].sort()
    const skip = PACKED.includes(table) ? packed : undefined
    const from = now - g.days(needs) * DAY
    const denseFrom = g.dense ? now - g.dense(needs) * DAY : Number.NEGATIVE_INFINITY
    for (const w of weeks) {
      const start = weekStart(w)
      if (start + 7 * DAY <= from) continue
      if (skip?.has(w) && w !== weeks.at(-1)) continue // read from its media_weeks file
      const sparse = start < denseFrom ? sparseFiles(files, w, from, denseFrom) : undefined
      if (sparse) for (const f of sparse) out.add(f)
      else out.add(`${table}/${w}`)
    }
    // The save writes the rows from the newest week it knows on that are not in its files: the
    // whole newest week, unless the files picked from it are those the database holds.
    if (weeks.length && !g.dense) out.add(`${table}/${weeks.at(-1)}`)
  }
  return [...out].sort()
}

/**
 * The files of week `w` that hold its rows from `from` on at one point a day before `denseFrom`
 * and whole after: the daily files of the days before `denseFrom`'s (each must have one: a save
 * writes one for every closed day, empty when the day has no rows), and the saves stamped on or
 * after that day (a save holds rows up to its stamp). Undefined when a day lacks its daily file,
 * or a save is stamped before its week (a clock set back): then the whole week.
 */
function sparseFiles(files: Parsed[], w: string, from: number, denseFrom: number): string[] | undefined {
  const start = weekStart(w)
  const inWeek = files.filter((p) => p.period === w)
  const daily = new Map<number, string[]>()
  for (const p of inWeek) if (p.daily !== undefined) daily.set(p.daily, [...(daily.get(p.daily) ?? []), p.path])
  const denseDay = dayStart(denseFrom)
  const out: string[] = []
  for (let d = Math.max(start, dayStart(from)); d < Math.min(start + 7 * DAY, denseDay); d += DAY) {
    const paths = daily.get(d)
    if (!paths) return undefined
    out.push(...paths)
  }
  // The dense days' daily files too: not imported (restorePartitions), but the save must know them.
  for (const [d, paths] of daily) if (d >= denseDay && d >= dayStart(from)) out.push(...paths)
  for (const p of inWeek) {
    if (p.daily !== undefined) continue
    const day = stampDay(p.stamp as string)
    if (day === undefined || day < start) return undefined
    if (day >= denseDay) out.push(p.path)
  }
  return out
}

const dayStart = (t: number) => t - (((t % DAY) + DAY) % DAY)

/** The 00:00 UTC of a file stamp's day (`20260105T042300Z-…`). */
function stampDay(st: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T/.exec(st)
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / 1000 : undefined
}

/** Every branch file under `dir` (an extracted tree), as branch paths. */
export function listTree(dir: string): string[] {
  if (!existsSync(dir)) return []
  const out: string[] = []
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const full = join(d, name)
      if (statSync(full).isDirectory()) walk(full)
      else out.push(relative(dir, full).split(sep).join('/'))
    }
  }
  walk(dir)
  return out.sort()
}

/** Import the extracted files under `dir` in order; a damaged file is reported and the others go on. */
export async function restorePartitions(
  db: Db,
  dir: string,
  /** When given: daily files of the dense days are not imported (they repeat rows of the saves picked with them). */
  run?: { now: number; needs: Needs },
): Promise<ImportCounts & { files: number }> {
  const files = sortParsed(
    listTree(dir)
      .map(parsePath)
      .filter((p): p is Parsed => p !== undefined)
      .filter((p) => {
        const g = p.daily !== undefined && run && p.table ? GROWING[p.table] : undefined
        return !g?.dense || !run || (p.daily as number) < dayStart(run.now - g.dense(run.needs) * DAY)
      }),
  ).map((p) => join(dir, p.path))
  // Rows that come from the branch are not noted for the next save (dirty.ts).
  const sqlite = db.$client
  const around = { begin: () => dropTriggers(sqlite, SNAPSHOT), end: () => installTriggers(sqlite, SNAPSHOT) }
  const counts = await importFiles(db, files, { around })
  return { ...counts, files: files.length }
}

/**
 * Delete the growing tables' rows older than what a run reads, and the archived torrents' rows
 * of ARCHIVABLE tables (all stay on the branch), so a database restored again and again (a
 * cached one) stays the size of a fresh restore. One transaction; returns the rows deleted per
 * table.
 */
export function pruneGrowing(db: Db, now: number, needs: Needs): Record<string, number> {
  const out: Record<string, number> = {}
  db.$client.transaction(() => {
    for (const [table, col] of Object.entries(ARCHIVABLE)) {
      const sql = `DELETE FROM ${q(table)} WHERE ${q(col)} IN (${archivedTorrents(now, needs)})`
      const n = db.$client.prepare(sql).run().changes
      if (n) out[table] = n
    }
    for (const [table, g] of Object.entries(GROWING)) {
      const from = dayStart(now) - Math.ceil(g.days(needs)) * DAY
      const n = db.$client.prepare(`DELETE FROM ${q(table)} WHERE ${q(g.time)} < ?`).run(from).changes
      if (n) out[table] = n
    }
  })()
  return out
}

/**
 * What the branch already holds, from the known files: the save writes only what differs.
 * Snapshot: natural key → its latest line. Growing tables: for each, the rows per time of its
 * newest week, from the files' headers (`counts`, written by every save since they exist), and
 * the lines of the files that lack them (or of the whole week, for tables with `closedDays`:
 * their rows are compared line by line); `linesOf` reads the lines of the files holding a time.
 */
async function knownState(knownDir: string) {
  const parsed = listTree(knownDir)
    .map(parsePath)
    .filter((p): p is Parsed => p !== undefined)
  const newestWeek = new Map<string, string>()
  for (const p of parsed) {
    if (p.kind !== 'growing' || !p.table) continue
    if ((p.period as string) > (newestWeek.get(p.table) ?? '')) newestWeek.set(p.table, p.period as string)
  }
  /** Growing tables with daily files: the days that have one; every growing table's first week. */
  const daily = new Map<string, Set<number>>()
  const firstWeek = new Map<string, string>()
  for (const p of parsed) {
    if (p.kind === 'growing' && p.table && (p.period as string) < (firstWeek.get(p.table) ?? '9999'))
      firstWeek.set(p.table, p.period as string)
    if (p.daily === undefined || !p.table) continue
    const days = daily.get(p.table) ?? new Set<number>()
    days.add(p.daily)
    daily.set(p.table, days)
  }
  /** The weeks media_weeks holds: PACKED tables have no daily files of theirs to write. */
  const packed = new Set(parsed.filter((p) => p.table === 'media_weeks').map((p) => p.period as string))
  const month = snapshotMonth(parsed)
  /** The stamps of the snapshot and archive files: the saves whose rows reached the branch (dirty.ts). */
  const savedStamps = new Set(
    parsed.filter((p) => p.kind === 'snapshot' || p.kind === 'archive').map((p) => p.stamp as string),
  )
  // A daily file repeats rows of the saves beside it: not counted, not compared.
  const weekFiles = parsed.filter(
    (p) => p.kind === 'growing' && p.table && p.daily === undefined && newestWeek.get(p.table) === p.period,
  )
  /** Growing tables compared line by line (closed days; files without counts): their newest week's lines. */
  const lines = new Set<string>()
  const byLine = new Set<string>()
  /** Growing tables: time → rows in the known files, and time → the files holding it. */
  const counts = new Map<string, Map<number, number>>()
  const filesAt = new Map<string, Map<number, string[]>>()
  const read = async (p: Parsed, onLine: (line: string, columns: Record<string, string[]>) => void) => {
    let columns: Record<string, string[]> = {}
    try {
      for await (const line of readLines(join(knownDir, p.path))) {
        if (line.startsWith('{')) columns = headerOf(line)?.columns ?? {}
        else onLine(line, columns)
      }
    } catch {
      // A damaged file: its rows count as not saved, and are written again.
    }
  }
  for (const p of weekFiles) {
    const table = p.table as string
    const h = GROWING[table]?.closedDays ? undefined : await firstHeader(join(knownDir, p.path))
    const c = h?.counts?.[table]
    if (!c) {
      byLine.add(table)
      continue
    }
    const tc = counts.get(table) ?? new Map<number, number>()
    const fa = filesAt.get(table) ?? new Map<number, string[]>()
    for (const [time, n] of Object.entries(c)) {
      const t = Number(time)
      tc.set(t, (tc.get(t) ?? 0) + n)
      fa.set(t, [...(fa.get(t) ?? []), p.path])
    }
    counts.set(table, tc)
    filesAt.set(table, fa)
  }
  for (const p of weekFiles) if (byLine.has(p.table as string)) await read(p, (line) => lines.add(line))
  /** The lines of the known files of `table` that hold rows of any of `times`. */
  const linesOf = async (table: string, times: number[]): Promise<Set<string>> => {
    const paths = new Set(times.flatMap((t) => filesAt.get(table)?.get(t) ?? []))
    const out = new Set<string>()
    for (const p of weekFiles) if (paths.has(p.path)) await read(p, (line) => out.add(line))
    return out
  }
  return { month, savedStamps, newestWeek, lines, byLine, counts, linesOf, daily, firstWeek, packed }
}

type Header = { version?: number; columns?: Record<string, string[]>; counts?: Record<string, Record<string, number>> }

/** A header line, parsed (undefined when it is not a version 2 header). */
function headerOf(line: string): Header | undefined {
  try {
    const h = JSON.parse(line) as Header
    return h.version === 2 && h.columns ? h : undefined
  } catch {
    return undefined
  }
}

/** The header of a file (its first line), without reading the rest. */
async function firstHeader(file: string): Promise<Header | undefined> {
  try {
    for await (const line of readLines(file)) return headerOf(line)
  } catch {
    // unreadable: no header
  }
  return undefined
}

export interface SaveResult {
  /** Branch paths written under outDir. */
  files: string[]
  rows: number
  /** Rows per table. */
  tables: Record<string, number>
}

/**
 * Write the rows the branch does not hold yet into new files under `outDir` (branch paths),
 * comparing with the files under `knownDir`. All tables are read in one read transaction.
 */
export async function savePartitions(
  db: Db,
  knownDir: string,
  outDir: string,
  now: number,
  needs: Needs,
): Promise<SaveResult> {
  const known = await knownState(knownDir)
  const st = stamp(now)
  const writers = new Map<string, LineWriter>()
  /** A growing table's file (not a daily one): its rows per time, for its header. */
  const fileCounts = new Map<string, Map<number, number>>()
  const tables: Record<string, number> = {}
  let rows = 0
  /** The growing tables' first week written by this save. */
  const firstWritten = new Map<string, string>()
  const open = (path: string, counted?: Map<number, number>): LineWriter => {
    let w = writers.get(path)
    if (!w) {
      const full = join(outDir, path)
      mkdirSync(dirname(full), { recursive: true })
      const p = parsePath(path)
      const table = p?.table as string
      if (p?.kind === 'growing' && (p.period as string) < (firstWritten.get(table) ?? '9999'))
        firstWritten.set(table, p.period as string)
      w = counted
        ? new LineWriter(full, {
            lastHeader: () => header({ counts: { [table]: Object.fromEntries(counted) } }),
          })
        : new LineWriter(full)
      if (!counted) w.write(header())
      writers.set(path, w)
    }
    return w
  }
  /** Buffer a line into its file (`time`: a growing row's, counted in its header); a promise (to await) only when a batch went out. */
  const write = (path: string, table: string, line: string, time?: number): Promise<void> | undefined => {
    let counted: Map<number, number> | undefined
    if (time !== undefined) {
      counted = fileCounts.get(path) ?? new Map<number, number>()
      fileCounts.set(path, counted)
      counted.set(time, (counted.get(time) ?? 0) + 1)
    }
    const w = open(path, counted)
    tables[table] = (tables[table] ?? 0) + 1
    rows++
    return w.write(line)
  }
  const month = monthOf(now)
  const base = known.month !== month
  const snapPath = `snapshot/${month}/${base ? 'base' : 'changes'}-${st}.ndjson.gz`
  const archivePath = `archive/${month}/${st}.ndjson.gz`
  // A month's base, once the branch has a snapshot: the torrents let go since the last one move
  // to the archive (ARCHIVED), so the base holds the live torrents' rows only.
  if (base && known.month) archiveTorrents(db.$client, now, needs)
  // Once the branch has a snapshot, the rows of torrents let go long ago are not written again
  // (they are in the earlier months' files): a month's base holds the live torrents' only.
  const archived = known.month ? archivedTorrents(now, needs) : undefined
  const leftOut = (table: string) =>
    archived && table in ARCHIVABLE ? `t.${q(ARCHIVABLE[table] as string)} NOT IN (${archived})` : undefined
  // The snapshot rows noted since the last save that reached the branch (dirty.ts): a month's
  // base writes every row (less those left out), the other saves those only, once the notes of
  // rows left out are dropped (each noted row's torrent looked up: no list of every archived one).
  const skip = known.month
    ? Object.entries(ARCHIVABLE).map(([table, col]) => ({ table, where: isArchived(`t.${q(col)}`, now, needs) }))
    : []
  const noted = markPending(db.$client, st, known.savedStamps, skip)
  await inReadTransaction(db, async () => {
    // A file even when no row is left to write: its stamp tells the next save that they got there.
    if (noted && !base) open(snapPath)
    const and = (...c: (string | undefined)[]) => c.filter(Boolean).join(' AND ') || undefined
    for (const table of SNAPSHOT) {
      const col = ARCHIVED[table]
      const where = base
        ? and(leftOut(table), col && notInArchive(col))
        : and(notedRows(table), col && `NOT ${inArchive(col)}`)
      for (const [, line] of tableLines(db, table, { where })) {
        const wait = write(snapPath, table, line)
        if (wait) await wait
      }
      // The noted rows of archived torrents: to the archive (every run reads it whole); all of
      // them when the branch has no snapshot yet (a database restored from elsewhere).
      if (!col) continue
      const toArchive = and(known.month ? notedRows(table) : undefined, inArchive(col))
      for (const [, line] of tableLines(db, table, { where: toArchive })) {
        const wait = write(archivePath, table, line)
        if (wait) await wait
      }
    }
    const openDay = now - (((now % DAY) + DAY) % DAY)
    for (const t of EXPORT_TABLES) {
      const g = GROWING[t.name]
      if (!g) continue
      const week = known.newestWeek.get(t.name)
      // From the newest week known on, and (tables with daily files) from the dense days on: a
      // run's new rows are its own time's, and the older rows a (cached) database holds were saved.
      const since = week
        ? Math.max(weekStart(week), g.dense ? dayStart(now - g.dense(needs) * DAY) : Number.NEGATIVE_INFINITY)
        : undefined
      const until = g.closedDays ? ` AND t.${q(g.time)} < ${openDay}` : ''
      let where: string | undefined
      let saved = known.lines
      if (since !== undefined && !known.byLine.has(t.name)) {
        // The times whose rows the known files count differently (new ones, mostly): only those
        // are read, and compared line by line with the files that hold them.
        const have = known.counts.get(t.name) ?? new Map<number, number>()
        const times = [...timeCounts(db, t.name, { timeColumn: g.time, since, where: `1${until}` })]
          .filter(([time, n]) => have.get(time) !== n)
          .map(([time]) => time)
        if (!times.length) continue
        where = `t.${q(g.time)} IN (${times.join(', ')})`
        saved = await known.linesOf(
          t.name,
          times.filter((time) => have.has(time)),
        )
      }
      for (const [time, line] of tableLines(db, t.name, { timeColumn: g.time, since, where })) {
        if (since !== undefined && saved.has(line)) continue
        if (g.closedDays && Number(time) >= openDay) continue
        const wait = write(`${t.name}/${weekOf(Number(time))}/${st}.ndjson.gz`, t.name, line, Number(time))
        if (wait) await wait
      }
    }
    // The daily files of the closed days in the window that lack one, from the table's first
    // week on (an empty file for a day without rows: a restore then knows the week is whole).
    const rand = st.slice(st.indexOf('-') + 1)
    for (const t of EXPORT_TABLES) {
      const g = GROWING[t.name]
      if (!g?.daily) continue
      const have = known.daily.get(t.name)
      const firstWeek = [known.firstWeek.get(t.name), firstWritten.get(t.name)].filter((w) => w !== undefined).sort()[0]
      if (firstWeek === undefined) continue
      const from = Math.max(openDay - Math.ceil(g.days(needs)) * DAY, weekStart(firstWeek))
      const time = q(g.time)
      for (let day = from; day < openDay; day += DAY) {
        if (have?.has(day)) continue
        // A packed week's days were not restored (pick): the branch has their files.
        if (PACKED.includes(t.name) && known.packed.has(weekOf(day))) continue
        const same = g.daily.map((c) => `x.${q(c)} = t.${q(c)}`).join(' AND ')
        const where =
          `t.${time} < ${day + DAY} AND t.${time} = (SELECT MAX(x.${time}) FROM ${q(t.name)} x ` +
          `WHERE ${same} AND x.${time} >= ${day} AND x.${time} < ${day + DAY})`
        const path = `${t.name}/${weekOf(day)}/daily-${iso(day).slice(0, 10).replace(/-/g, '')}-${rand}.ndjson.gz`
        open(path)
        for (const [, line] of tableLines(db, t.name, { timeColumn: g.time, since: day, where })) {
          const wait = write(path, t.name, line)
          if (wait) await wait
        }
      }
    }
  })
  for (const w of writers.values()) await w.close()
  return { files: [...writers.keys()].sort(), rows, tables }
}
