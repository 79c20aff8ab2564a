/**
 * `movies compute|get|import-imdb`, `series compute|get`.
 *
 * compute, for the latest trend run of the configured engine:
 * 1. parse once (incremental.ts `parseStale`): the run's torrents without a current parse are
 *    parsed and the parse stored on their rows (title, year, season, episode, air date, the whole
 *    parse, the keys grouping joins on); a name is never parsed again unless its inputs change;
 * 2. regroup what changed (`dirtyComponents`): only the closed sets of torrents sharing a key with a
 *    new or changed torrent are grouped again (grouping.ts), in batches, given metadata
 *    (metadata.ts: feed ids → TMDB → IMDb datasets, cached) and written (store.ts): media and
 *    torrent_media. Same result as regrouping everything (`--full`), at a cost that follows what is new;
 * 3. rank (`rankRun`): media_trends at that run's time from the links of every torrent of the run.
 *    A media's score is the best torrent's score plus a tenth of its other torrents' positive scores
 *    (`aggregateScore`); rank is 1-based. Re-running gives the same rows.
 */

import { and, asc, eq, max, sql } from 'drizzle-orm'
import pLimit from 'p-limit'
import { type MediaKind, media, mediaTrends, torrentMedia, torrents, trends } from '../../schema/tables.ts'
import type { Context, StepResult } from '../context.ts'
import { httpPolicy } from '../context.ts'
import { isoSeconds } from '../core/clock.ts'
import { errorMessage } from '../core/errors.ts'
import { out } from '../core/log.ts'
import { tx } from '../db/client.ts'
import { latestRunTime } from '../score/store.ts'
import { imdbResolver } from './aliases.ts'
import { groupTorrents, idKey, type MediaGroup, mergeByKey, type ResolveId } from './grouping.ts'
import { importImdbFiles } from './imdb.ts'
import {
  batches,
  dirtyComponents,
  loadClassified,
  markGrouped,
  metadataSignature,
  parseStale,
  releaseOtherKind,
  unchangedGroups,
  unlink,
} from './incremental.ts'
import { ImdbProvider, MetadataResolver, type Provider, TmdbProvider } from './metadata.ts'
import { groupWriter, type ResolvedGroup, rankRun, removeEmptyMedia } from './store.ts'

const plural = (kind: MediaKind) => (kind === 'movie' ? 'movies' : 'series')

export interface ComputeOptions {
  /** Regroup every parsed torrent of the kind, not only what changed (same result, slower). */
  full?: boolean
  /** Metadata-based joining (see `ResolveId`). */
  resolveId?: ResolveId
  /** Version of the data behind `resolveId`: when it changes, every group is evaluated again. */
  metadataVersion?: string
  /** Torrents per grouping batch (memory bound). */
  batchSize?: number
}

export async function mediaCompute(ctx: Context, kind: MediaKind, options: ComputeOptions = {}): Promise<StepResult> {
  const log = ctx.log('group')
  const config = ctx.config()
  const db = ctx.db()
  const engine = config.trends_manager.engine
  const counts: Record<string, number> = {}
  const errors: string[] = []
  const time = latestRunTime(db, engine)
  if (time === undefined) {
    log.warn(`no trend run of engine "${engine}" yet: run \`torrents trends compute\` first`)
    return { counts: { torrents: 0 }, errors, ok: true }
  }
  const run = { time, engine }
  // 1. Parse once: only torrents without a current parse.
  counts.parsed = parseStale(db, run)
  // Metadata.
  const providers: Provider[] = []
  if (config.tmdb.apikey) {
    providers.push(
      new TmdbProvider(config.tmdb, httpPolicy(config, log), (m) => {
        errors.push(m)
        counts.tmdbFailed = 1
      }),
    )
  }
  if (ImdbProvider.available(db)) providers.push(new ImdbProvider(db))
  const metaSig = [
    metadataSignature(
      db,
      providers.map((p) => p.name),
    ),
    options.metadataVersion ?? '',
  ].join('+')
  // 2. What to regroup: the components holding a new or changed torrent (everything when full).
  const dirty = dirtyComponents(db, kind, options.full === true, metaSig)
  counts.regrouped = dirty.components.reduce((n, c) => n + c.length, 0)
  log.info(
    `${plural(kind)}: ${counts.parsed} names parsed; ${dirty.seeds} new or changed → ${counts.regrouped} torrents in ${dirty.components.length} components to regroup`,
  )

  // With IMDb's datasets loaded, releases under different titles of one film join (their akas).
  const resolveId = options.resolveId ?? (ImdbProvider.available(db) ? imdbResolver(db) : undefined)
  const resolver = new MetadataResolver(db, providers, ctx.clock.nowSeconds())
  const limit = pLimit(Math.max(1, Math.min(8, config.requests.concurrency)))
  let bad = 0
  let groupsN = 0
  const resolve = (g: MediaGroup) =>
    limit(async (): Promise<ResolvedGroup> => {
      if (g.fallback || providers.length === 0) return { ...g, meta: null }
      try {
        const q = {
          kind,
          title: g.title,
          norm: g.norm,
          aka: g.aka,
          year: g.year,
          imdbId: g.imdbId,
          tmdbId: g.tmdbId,
          tvdbId: g.tvdbId,
        }
        const meta = await resolver.resolve(q)
        if (!meta) return { ...g, meta: null }
        // Feed ids win; the provider fills what the feed did not carry.
        const ids = {
          imdbId: g.imdbId ?? meta.imdbId,
          tmdbId: g.tmdbId ?? meta.tmdbId,
          tvdbId: g.tvdbId ?? meta.tvdbId,
        }
        const r: ResolvedGroup = { ...g, meta, key: idKey(ids) ?? g.key }
        if (ids.imdbId) r.imdbId = ids.imdbId
        if (ids.tmdbId) r.tmdbId = ids.tmdbId
        if (ids.tvdbId) r.tvdbId = ids.tvdbId
        if (r.year === undefined && meta.year !== undefined) r.year = meta.year
        return r
      } catch (err) {
        bad++
        errors.push(`metadata of "${g.title}": ${errorMessage(err)}`)
        return { ...g, meta: null }
      }
    })
  const writer = groupWriter(db, kind)
  for (const batch of batches(dirty.components, options.batchSize ?? 20_000)) {
    const classified = loadClassified(db, batch)
    const all = groupTorrents(classified, kind, { resolveId })
    const same = unchangedGroups(db, all, dirty.seedIds)
    const groups = all.filter((_, i) => !same.has(i))
    groupsN += groups.length
    counts.unchanged = (counts.unchanged ?? 0) + same.size
    // Groups that resolved to the same id are one media.
    const merged = mergeByKey(await Promise.all(groups.map(resolve)))
    const grouped = new Set(merged.flatMap((g) => g.torrents.map((t) => t.id)))
    tx(db, () => {
      releaseOtherKind(db, kind, [...grouped])
      writer.write(merged, ctx.clock.nowSeconds())
      // Junk names: no media.
      const kept = new Set(all.flatMap((g, i) => (same.has(i) ? g.torrents.map((t) => t.id) : [])))
      unlink(
        db,
        kind,
        batch.filter((id) => !grouped.has(id) && !kept.has(id)),
      )
      markGrouped(db, batch, metaSig)
    })
  }
  // 3. The run's ranking, from the links of every torrent of the run.
  const ranked = tx(db, () => {
    unlink(db, kind, dirty.leaving)
    const n = rankRun(db, kind, run)
    removeEmptyMedia(db, kind)
    return n
  })
  const w = writer.counts()
  const inRun = db.$client
    .prepare(
      `SELECT count(*) AS n, sum(t.parsed_kind = ? AND coalesce(json_extract(t.parsed, '$.fallback'), 0)) AS f
       FROM trends tr JOIN torrents t ON t.id = tr.torrent_id
       WHERE tr.engine = ? AND tr.time = ? AND t.parsed_kind = ?`,
    )
    .get(kind, engine, time, kind) as { n: number; f: number | null }
  log.info(
    `${plural(kind)}: ${inRun.n} torrents of the ${isoSeconds(time)} run → ${ranked} ranked, ${groupsN} groups regrouped`,
  )
  Object.assign(counts, {
    torrents: inRun.n,
    unparsed: inRun.f ?? 0,
    media: ranked,
    groups: groupsN,
    created: w.mediaCreated,
    merged: w.mediaMerged,
    links: w.links,
    cacheHits: resolver.stats.cacheHits,
  })
  for (const [p, n] of Object.entries(resolver.stats.lookups)) counts[`${p}Lookups`] = n
  for (const [p, n] of Object.entries(resolver.stats.found)) counts[`${p}Found`] = n
  if (bad) counts.failed = bad
  return { counts, errors, ok: bad === 0 }
}

type Media = typeof media.$inferSelect

/** One ranked movie or series as `movies get --json` prints it. */
export type MediaLine = Pick<typeof mediaTrends.$inferSelect, 'rank' | 'score' | 'torrents'> &
  Pick<Media, 'id' | 'key' | 'title' | 'year' | 'imdbId' | 'tmdbId' | 'tvdbId'> & {
    seasons?: number[]
    /** One of its torrents is in the run's top K (trends.trending). */
    trending: boolean
    releases: (Pick<typeof torrents.$inferSelect, 'infoHash' | 'name'> &
      Pick<typeof torrentMedia.$inferSelect, 'season' | 'episode'> &
      Pick<typeof trends.$inferSelect, 'trending'> & {
        /** What the release name says, as parsed once and stored on the torrent. */
        parsed: {
          title: string | null
          year: number | null
          season: number | null
          episode: number | null
          airDate: string | null
        }
      })[]
  }

/** The ranked media of the latest run (of the configured engine). Exported for `run` and tests. */
export function trendingMedia(ctx: Context, kind: MediaKind): { time?: number; engine: string; items: MediaLine[] } {
  const engine = ctx.config().trends_manager.engine
  const db = ctx.db()
  const latest = db
    .select({ t: max(mediaTrends.time) })
    .from(mediaTrends)
    .innerJoin(media, eq(media.id, mediaTrends.mediaId))
    .where(and(eq(mediaTrends.engine, engine), eq(media.kind, kind)))
    .get()
  const time = latest?.t ?? null
  if (time === null) return { engine, items: [] }
  const ranked = db
    .select({
      rank: mediaTrends.rank,
      score: mediaTrends.score,
      torrents: mediaTrends.torrents,
      id: media.id,
      key: media.key,
      title: media.title,
      year: media.year,
      imdbId: media.imdbId,
      tmdbId: media.tmdbId,
      tvdbId: media.tvdbId,
    })
    .from(mediaTrends)
    .innerJoin(media, eq(media.id, mediaTrends.mediaId))
    .where(and(eq(mediaTrends.engine, engine), eq(mediaTrends.time, time), eq(media.kind, kind)))
    .orderBy(asc(mediaTrends.rank))
    .all()
  const releases = db
    .select({
      infoHash: torrents.infoHash,
      name: torrents.name,
      season: torrentMedia.season,
      episode: torrentMedia.episode,
      trending: trends.trending,
      parsedTitle: torrents.parsedTitle,
      parsedYear: torrents.parsedYear,
      parsedSeason: torrents.parsedSeason,
      parsedEpisode: torrents.parsedEpisode,
      parsedAirDate: torrents.parsedAirDate,
    })
    .from(torrentMedia)
    .innerJoin(torrents, eq(torrents.id, torrentMedia.torrentId))
    .innerJoin(trends, and(eq(trends.torrentId, torrents.id), eq(trends.engine, engine), eq(trends.time, time)))
    .where(eq(torrentMedia.mediaId, sql.placeholder('mediaId')))
    .orderBy(asc(trends.rank), asc(torrents.id))
    .prepare()
  const items: MediaLine[] = ranked.map((r) => {
    const rels = releases
      .all({ mediaId: r.id })
      .map(({ parsedTitle, parsedYear, parsedSeason, parsedEpisode, parsedAirDate, ...x }) => ({
        ...x,
        parsed: {
          title: parsedTitle,
          year: parsedYear,
          season: parsedSeason,
          episode: parsedEpisode,
          airDate: parsedAirDate,
        },
      }))
    const it: MediaLine = { ...r, releases: rels, trending: false }
    it.trending = it.releases.some((x) => x.trending)
    if (kind === 'series') {
      it.seasons = [...new Set(it.releases.map((x) => x.season).filter((s): s is number => s !== null))].sort(
        (a, b) => a - b,
      )
    }
    return it
  })
  return { time, engine, items }
}

export async function mediaGet(ctx: Context, kind: MediaKind): Promise<void> {
  const { time, engine, items } = trendingMedia(ctx, kind)
  if (ctx.json) {
    out(JSON.stringify({ kind, engine, time: time === undefined ? null : isoSeconds(time), items }))
    return
  }
  if (time === undefined) {
    out(
      `no trending ${plural(kind)} yet (engine ${engine}): run \`${plural(kind)} compute\` after \`torrents trends compute\``,
    )
    return
  }
  out(`trending ${plural(kind)} at ${isoSeconds(time)} (engine ${engine}): ${items.length}`)
  for (const it of items) {
    const ids = [it.imdbId, it.tmdbId && `tmdb:${it.tmdbId}`, it.tvdbId && `tvdb:${it.tvdbId}`]
      .filter(Boolean)
      .join(' ')
    const seasons = it.seasons?.length ? `  seasons ${it.seasons.join(',')}` : ''
    out(
      `${String(it.rank).padStart(4)}  ${it.score.toFixed(3).padStart(10)}  ${String(it.torrents).padStart(3)} torrent(s)  ` +
        `${it.title}${it.year ? ` (${it.year})` : ''}${seasons}${ids ? `  [${ids}]` : ''}`,
    )
  }
}

export async function importImdb(ctx: Context, files: string[]): Promise<StepResult> {
  return importImdbFiles(ctx.db(), files, ctx.log('group'))
}
