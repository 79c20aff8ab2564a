/** `torrents trends compute|get`, `torrents status`. */

import { and, asc, eq, gte, inArray, lte, type SQL, sql } from 'drizzle-orm'
import { CATEGORIES, type Category, statusHistory, torrents, trends } from '../../schema/tables.ts'
import type { Context, StepResult } from '../context.ts'
import { isoSeconds, parseDateTime, toSeconds } from '../core/clock.ts'
import { UserError } from '../core/errors.ts'
import { out } from '../core/log.ts'
import { tx } from '../db/client.ts'
import { ENGINES, type EngineName, engines } from './engines.ts'
import { rankScores, trendingCount } from './rank.ts'
import { nextStatus } from './status.ts'
import { latestRunTime, loadCandidates, trendingIds, type Window, writeTrendRun } from './store.ts'

const DAY = 86_400
type Torrent = typeof torrents.$inferSelect

export interface TrendsComputeOptions {
  engine?: EngineName
}
export interface TrendsGetOptions {
  categories: string[]
  mindate?: string
  maxdate?: string
  deltaHours?: number
}

function engineOf(ctx: Context, name: string | undefined): EngineName {
  const e = name ?? ctx.config().trends_manager.engine
  if (!(ENGINES as readonly string[]).includes(e)) {
    throw new UserError(`--engine: expected ${ENGINES.join(', ')}, got "${e}"`)
  }
  return e as EngineName
}

/**
 * The scoring window, as the older tool meant it: [min_date, max_date], max_date defaulting to the
 * run clock and min_date to max_date − delta_days. A min_date that is set wins even when it is
 * earlier than max_date − delta_days.
 */
export function trendWindow(ctx: Context): Window {
  const tm = ctx.config().trends_manager
  const end = tm.max_date ? toSeconds(tm.max_date) : ctx.clock.nowSeconds()
  const start = tm.min_date ? toSeconds(tm.min_date) : end - Math.round(tm.delta_days * DAY)
  return { start, end }
}

export async function trendsCompute(ctx: Context, opts: TrendsComputeOptions): Promise<StepResult> {
  const log = ctx.log('score')
  const engine = engines[engineOf(ctx, opts.engine)]
  const tm = ctx.config().trends_manager
  const db = ctx.db()
  const time = ctx.clock.nowSeconds()
  const window = trendWindow(ctx)
  const t0 = performance.now()
  const lookback = engine.lookbackSeconds === undefined ? undefined : window.end - engine.lookbackSeconds
  const { stats, hashes, firstSeen } = loadCandidates(db, tm.torrents_status, window, lookback)
  const t1 = performance.now()
  log.info(
    `${engine.name}: ${hashes.size} candidate(s) (status ${tm.torrents_status.join(',')}), ${stats.length} stat row(s) from ${isoSeconds(window.start)} to ${isoSeconds(window.end)}`,
  )
  const scores = engine.score(stats, { now: window.end, start: window.start, firstSeen, trends: tm })
  const k = trendingCount(hashes.size, tm.tau, tm.max_trendings)
  const ranked = rankScores(scores, (id) => hashes.get(id) ?? '', { k, positiveOnly: engine.positiveOnly })
  const t2 = performance.now()
  writeTrendRun(db, engine.name, time, ranked)
  const t3 = performance.now()
  const trending = ranked.filter((r) => r.trending).length
  const unscored = hashes.size - ranked.length
  if (unscored) log.warn(`${engine.name}: ${unscored} candidate(s) had nothing to score (no score, not trending)`)
  log.info(
    `${engine.name}: ${ranked.length} scored, ${trending} trending (K = ${k}) at ${isoSeconds(time)} in ${Math.round(t3 - t0)} ms (load ${Math.round(t1 - t0)}, score ${Math.round(t2 - t1)}, write ${Math.round(t3 - t2)})`,
  )
  return {
    counts: { candidates: hashes.size, stats: stats.length, scored: ranked.length, trending, unscored },
    errors: [],
    ok: true,
  }
}

/** Old tool's YYYYMMDDHHMM, or an ISO date/datetime. */
function parseWhen(value: string, what: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(value.trim())
  if (m) return toSeconds(parseDateTime(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:00Z`, what))
  return toSeconds(parseDateTime(value, what))
}

/** One trending torrent as `torrents trends get` prints it (times as ISO strings). */
export type TrendingRow = Pick<typeof trends.$inferSelect, 'rank' | 'score' | 'engine'> &
  Pick<Torrent, 'infoHash' | 'name' | 'category'> & { pubDate: string; time: string }

/** `trends get --json` with an engine that explains: each row's score by its parts. */
export type ExplainedRow = TrendingRow & { parts?: Record<string, unknown> }

/**
 * The parts of the scores of the engine's run at `time`, recomputed from the stats of that run's
 * window (the candidates as they are now): engine → torrent id → parts. Empty for an engine
 * without parts (velocity, normalized).
 */
export function explainRun(ctx: Context, engineName: EngineName, time: number): Map<number, Record<string, unknown>> {
  const engine = engines[engineName]
  if (!engine.explain) return new Map()
  const tm = ctx.config().trends_manager
  // the window compute used: the configured one, or the one that ended at the run
  const window =
    tm.min_date || tm.max_date ? trendWindow(ctx) : { start: time - Math.round(tm.delta_days * DAY), end: time }
  const lookback = engine.lookbackSeconds === undefined ? undefined : window.end - engine.lookbackSeconds
  const { stats, firstSeen } = loadCandidates(ctx.db(), tm.torrents_status, window, lookback)
  return engine.explain(stats, { now: window.end, start: window.start, firstSeen, trends: tm })
}

/** The trending torrents of the engine's latest run, filtered by category and pub date. */
export function trendingTorrents(ctx: Context, opts: TrendsGetOptions): TrendingRow[] {
  const bad = opts.categories.filter((c) => !(CATEGORIES as readonly string[]).includes(c))
  if (bad.length) throw new UserError(`--category: expected ${CATEGORIES.join(', ')}, got "${bad.join(', ')}"`)
  if (opts.deltaHours !== undefined && !(Number.isFinite(opts.deltaHours) && opts.deltaHours >= 0)) {
    throw new UserError(`--delta-hours: expected a number of hours ≥ 0, got "${opts.deltaHours}"`)
  }
  const engine = ctx.config().trends_manager.engine
  const db = ctx.db()
  const time = latestRunTime(db, engine)
  if (time === undefined) return []
  const where: SQL[] = [eq(trends.engine, engine), eq(trends.time, time), eq(trends.trending, true)]
  if (opts.categories.length) where.push(inArray(torrents.category, opts.categories as Category[]))
  if (opts.mindate) where.push(gte(torrents.pubDate, parseWhen(opts.mindate, '--mindate')))
  if (opts.maxdate) where.push(lte(torrents.pubDate, parseWhen(opts.maxdate, '--maxdate')))
  if (opts.deltaHours !== undefined) {
    where.push(gte(torrents.pubDate, ctx.clock.nowSeconds() - Math.round(opts.deltaHours * 3600)))
  }
  const rows = db
    .select({
      rank: trends.rank,
      score: trends.score,
      infoHash: torrents.infoHash,
      name: torrents.name,
      category: torrents.category,
      pubDate: torrents.pubDate,
      time: trends.time,
    })
    .from(trends)
    .innerJoin(torrents, eq(torrents.id, trends.torrentId))
    .where(and(...where))
    .orderBy(asc(trends.rank))
    .all()
  return rows.map((r) => ({ ...r, pubDate: isoSeconds(r.pubDate), time: isoSeconds(r.time), engine }))
}

function idsByHash(ctx: Context, hashes: string[]): Map<string, number> {
  if (hashes.length === 0) return new Map()
  const rows = ctx
    .db()
    .select({ id: torrents.id, infoHash: torrents.infoHash })
    .from(torrents)
    .where(inArray(torrents.infoHash, hashes))
    .all()
  return new Map(rows.map((r) => [r.infoHash, r.id]))
}

export function formatTable(headers: string[], rows: string[][], alignRight: boolean[] = []): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (alignRight[i] ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd()
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)]
}

export async function trendsGet(ctx: Context, opts: TrendsGetOptions): Promise<void> {
  const log = ctx.log('score')
  const rows = trendingTorrents(ctx, opts)
  if (ctx.json) {
    const engine = engineOf(ctx, undefined)
    const time = rows.length ? latestRunTime(ctx.db(), engine) : undefined
    const parts = time === undefined ? new Map() : explainRun(ctx, engine, time)
    const ids = parts.size
      ? idsByHash(
          ctx,
          rows.map((r) => r.infoHash),
        )
      : new Map<string, number>()
    const explained: ExplainedRow[] = rows.map((r) => {
      const p = parts.get(ids.get(r.infoHash) ?? -1)
      return p ? { ...r, parts: p } : r
    })
    out(JSON.stringify(explained, null, 2))
    return
  }
  if (rows.length === 0) {
    log.info(`no trending torrent (engine ${ctx.config().trends_manager.engine}, filters as given)`)
    return
  }
  const table = formatTable(
    ['rank', 'score', 'name', 'category', 'time'],
    rows.map((r) => [String(r.rank), String(r.score), r.name, r.category, r.time]),
    [true, true, false, false, false],
  )
  for (const l of table) out(l)
}

export async function torrentsStatus(ctx: Context): Promise<StepResult> {
  const log = ctx.log('score')
  const config = ctx.config()
  const engine = config.trends_manager.engine
  const db = ctx.db()
  const now = ctx.clock.nowSeconds()
  const runTime = latestRunTime(db, engine, now)
  const trending = runTime === undefined ? undefined : trendingIds(db, engine, runTime)
  if (runTime === undefined) {
    log.warn(`no "${engine}" trend run at or before ${isoSeconds(now)}: torrents past new_delay stay as they are`)
  } else {
    log.info(`latest "${engine}" trend run: ${isoSeconds(runTime)} (${trending?.size ?? 0} trending)`)
  }
  const counts: Record<string, number> = { checked: 0, changed: 0, new: 0, follow: 0, unfollow: 0 }
  const open = db
    .select({ id: torrents.id, status: torrents.status, pubDate: torrents.pubDate })
    .from(torrents)
    .where(inArray(torrents.status, ['new', 'follow']))
    .all()
  const update = db
    .update(torrents)
    .set({ status: sql`${sql.placeholder('status')}` })
    .where(eq(torrents.id, sql.placeholder('id')))
    .prepare()
  const history = db
    .insert(statusHistory)
    .values({
      torrentId: sql.placeholder('torrentId'),
      time: sql.placeholder('time'),
      status: sql.placeholder('status'),
    })
    .onConflictDoNothing()
    .prepare()
  tx(db, () => {
    for (const { id, status, pubDate } of open) {
      counts.checked = (counts.checked ?? 0) + 1
      const next = nextStatus({ status, pubDate }, now, config.torrents_manager.new_delay, trending?.has(id))
      counts[next] = (counts[next] ?? 0) + 1
      if (next === status) continue
      update.run({ id, status: next } satisfies Pick<Torrent, 'id' | 'status'>)
      history.run({ torrentId: id, time: now, status: next } satisfies typeof statusHistory.$inferInsert)
      counts.changed = (counts.changed ?? 0) + 1
    }
  })
  log.info(
    `status: ${counts.checked} checked, ${counts.changed} changed → new ${counts.new}, follow ${counts.follow}, unfollow ${counts.unfollow}`,
  )
  return { counts, errors: [], ok: true }
}
