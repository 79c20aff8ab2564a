/**
 * `movies compute|get|import-imdb`, `series compute|get`.
 *
 * compute: the torrents of the latest trend run of the configured engine (all categories) are
 * parsed and classified (movie/series), grouped (grouping.ts), given metadata (metadata.ts:
 * feed ids → TMDB → IMDb datasets, cached), then written in one transaction (store.ts): media,
 * torrent_media, and media_trends at that trend run's time. A media's score is the best torrent's
 * score plus a tenth of its other torrents' positive scores (`aggregateScore`); rank is 1-based.
 * Re-running gives the same rows.
 */

import { and, asc, desc, eq, max, sql } from 'drizzle-orm'
import pLimit from 'p-limit'
import { type MediaKind, media, mediaTrends, torrentMedia, torrents, trends } from '../../schema/tables.ts'
import type { Context, StepResult } from '../context.ts'
import { httpPolicy } from '../context.ts'
import { isoSeconds } from '../core/clock.ts'
import { errorMessage } from '../core/errors.ts'
import { out } from '../core/log.ts'
import { tx } from '../db/client.ts'
import { latestRunTime } from '../score/store.ts'
import { type ClassifiedTorrent, classify, groupTorrents, idKey, mergeByKey, type TorrentInput } from './grouping.ts'
import { importImdbFiles } from './imdb.ts'
import { ImdbProvider, MetadataResolver, type Provider, TmdbProvider } from './metadata.ts'
import { type ResolvedGroup, writeGroups } from './store.ts'

const plural = (kind: MediaKind) => (kind === 'movie' ? 'movies' : 'series')

export async function mediaCompute(ctx: Context, kind: MediaKind): Promise<StepResult> {
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
  const rows: TorrentInput[] = db
    .select({
      id: torrents.id,
      infoHash: torrents.infoHash,
      name: torrents.name,
      category: torrents.category,
      imdbId: torrents.imdbId,
      tmdbId: torrents.tmdbId,
      tvdbId: torrents.tvdbId,
      score: trends.score,
    })
    .from(trends)
    .innerJoin(torrents, eq(torrents.id, trends.torrentId))
    .where(and(eq(trends.engine, engine), eq(trends.time, time)))
    .orderBy(desc(trends.score), asc(torrents.id))
    .all()
  const classified: ClassifiedTorrent[] = []
  let bad = 0
  for (const r of rows) {
    try {
      classified.push(classify(r))
    } catch (err) {
      bad++
      errors.push(`torrent ${r.infoHash}: cannot read its name (${errorMessage(err)})`)
    }
  }
  const mine = classified.filter((t) => t.kind === kind)
  counts.torrents = mine.length
  counts.unparsed = mine.filter((t) => t.parsed.fallback).length
  const groups = groupTorrents(classified, kind)
  log.info(`${plural(kind)}: ${mine.length} torrents of the ${isoSeconds(time)} run → ${groups.length} groups`)

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
  const resolver = new MetadataResolver(db, providers, ctx.clock.nowSeconds())
  const limit = pLimit(Math.max(1, Math.min(8, config.requests.concurrency)))
  let done = 0
  const resolved: ResolvedGroup[] = await Promise.all(
    groups.map((g) =>
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
          if (++done % 50 === 0) log.info(`metadata: ${done}/${groups.length} groups`)
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
      }),
    ),
  )
  // Groups that resolved to the same id are one media.
  const merged = mergeByKey(resolved)
  const scores = new Map(rows.map((r) => [r.id, r.score ?? 0]))
  const w = tx(db, () => writeGroups(db, kind, merged, { time, engine }, scores, ctx.clock.nowSeconds()))
  Object.assign(counts, {
    media: w.media,
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
      Pick<typeof trends.$inferSelect, 'trending'>)[]
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
    })
    .from(torrentMedia)
    .innerJoin(torrents, eq(torrents.id, torrentMedia.torrentId))
    .innerJoin(trends, and(eq(trends.torrentId, torrents.id), eq(trends.engine, engine), eq(trends.time, time)))
    .where(eq(torrentMedia.mediaId, sql.placeholder('mediaId')))
    .orderBy(asc(trends.rank), asc(torrents.id))
    .prepare()
  const items: MediaLine[] = ranked.map((r) => {
    const it: MediaLine = { ...r, releases: releases.all({ mediaId: r.id }), trending: false }
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
