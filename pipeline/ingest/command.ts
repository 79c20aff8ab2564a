/**
 * `torrents add`: ask Torznab indexers (through Jackett or Prowlarr) for their newest torrents and
 * store those announced by an active tracker of trackers.yaml.
 *
 * For each feed (indexer × category of indexers.yaml): GET the feed, parse it, get every item's
 * info hash and trackers (feed attributes, else its .torrent / magnet link, downloaded with
 * bounded concurrency), then write the feed's torrents in one transaction. A failing feed or item
 * is logged and counted and the run goes on; the step is `ok:false` when anything failed.
 */
import pLimit from 'p-limit'
import { announceUrl } from '../collect/protocol.ts'
import { type Config, FEED_CATEGORIES, type FeedCategory } from '../config/schema.ts'
import type { Context, StepResult } from '../context.ts'
import { httpPolicy } from '../context.ts'
import { isoSeconds } from '../core/clock.ts'
import { errorMessage, UserError } from '../core/errors.ts'
import { redact, registerSecret } from '../core/log.ts'
import { tx } from '../db/client.ts'
import { upsertTrackers } from '../db/trackers.ts'
import { type Caps, capsProblems, indexerCaps } from './caps.ts'
import { fetchFeed, resolveItem } from './fetch.ts'
import {
  itemKey,
  newestSeen,
  recall,
  remember,
  rememberedReason,
  type SeenItem,
  type Sighting,
  trackersKey,
} from './seen.ts'
import { fillTorrent, knownDetailsUrls, savepoint, storeIndexerStats, storeTorrent, torrentIdByHash } from './store.ts'
import { parseMagnet, type TorrentMeta } from './torrent.ts'
import { categorize, type FeedItem, feedUrl, safeDetailsUrl } from './torznab.ts'
import { trackerMatcher } from './trackers.ts'

export interface TorrentsAddOptions {
  /** Categories asked for (movies, series); empty = every active category of the indexer. */
  categories: string[]
  /** Indexer name from indexers.yaml; undefined = every active indexer. */
  indexer?: string
}

/** One feed to read: an indexers.yaml entry. */
export interface FeedTarget {
  indexer: string
  category: FeedCategory
  /** The name indexers.yaml gives the category (movies, or the older tool's cat_1…). */
  key: string
  action: string
  params: Record<string, string>
}

/**
 * The feeds a `torrents add` asks for. Without an indexer: every active indexer; without
 * categories: every active category of it. Asking for an unknown or inactive indexer/category is
 * a UserError naming indexers.yaml and the key.
 */
export function selectFeeds(config: Pick<Config, 'indexers'>, opts: TorrentsAddOptions): FeedTarget[] {
  const file = config.indexers.indexer_file
  const asked = [...new Set(opts.categories.map((c) => c.trim().toLowerCase()).filter(Boolean))]
  for (const c of asked) {
    if (!FEED_CATEGORIES.includes(c as FeedCategory)) {
      throw new UserError(`unknown category "${c}": expected movies or series (-c movies,series)`)
    }
  }
  const cats = (asked.length ? asked : FEED_CATEGORIES) as FeedCategory[]
  const names = Object.keys(config.indexers.entries)
  const target = (indexer: string, category: FeedCategory): FeedTarget | undefined => {
    const e = config.indexers.entries[indexer]?.categories[category]
    return e?.active ? { indexer, category, key: e.key, action: e.action, params: e.params } : undefined
  }
  if (opts.indexer !== undefined) {
    const name = opts.indexer
    const entry = config.indexers.entries[name]
    if (!entry) {
      throw new UserError(
        `${file}: no indexer "${name}"${names.length ? ` (indexers: ${names.join(', ')})` : ' (the file has no indexer)'}`,
      )
    }
    if (asked.length) {
      return cats.map((c) => {
        const e = entry.categories[c]
        if (!e) throw new UserError(`${file}: indexer "${name}" has no "${c}" entry`)
        if (!e.active) throw new UserError(`${file}: ${name}.${e.key} is not active (active: false)`)
        return target(name, c) as FeedTarget
      })
    }
    const all = cats.flatMap((c) => target(name, c) ?? [])
    if (all.length === 0) throw new UserError(`${file}: indexer "${name}" has no active category`)
    return all
  }
  const all = names.flatMap((n) => cats.flatMap((c) => target(n, c) ?? []))
  if (all.length === 0) {
    throw new UserError(
      names.length
        ? `${file}: no active indexer${asked.length ? ` for ${asked.join(', ')}` : ''}`
        : `${file}: no indexer configured (missing or empty file)`,
    )
  }
  return all
}

interface Counts {
  feeds: number
  feeds_failed: number
  fetched: number
  kept: number
  skipped: number
  duplicates: number
  failed: number
  /** Items whose link was downloaded (through Prowlarr, each one a grab). */
  downloads: number
  /** Items skipped or failed in an earlier run, not downloaded again. */
  remembered: number
}

/** What became of one item before the writes. */
type Outcome = { item: FeedItem; key: string; details?: string } & (
  | { kind: 'resolved'; meta: TorrentMeta }
  | { kind: 'known'; torrentId: number }
  | { kind: 'remembered'; seen: SeenItem }
  | { kind: 'failed'; error: string }
)

const isSecretFree = (s: string): boolean => redact(s) === s

/** The hash an item gives without any download (infohash or magnet attribute). */
function feedHash(item: FeedItem): string | undefined {
  if (item.magnetUrl) {
    try {
      const m = parseMagnet(item.magnetUrl)
      return m.infoHash
    } catch {
      /* fall through to the infohash attribute */
    }
  }
  return item.infoHash
}

function magnetHasTrackers(item: FeedItem): boolean {
  if (!item.magnetUrl) return false
  try {
    return parseMagnet(item.magnetUrl).announce.length > 0
  } catch {
    return false
  }
}

function indexerNumbers(item: FeedItem) {
  const seeders = item.seeders ?? null
  const leechers =
    item.leechers ?? (item.peers !== undefined && seeders !== null ? Math.max(0, item.peers - seeders) : null)
  return { seeders, leechers, grabs: item.grabs ?? null }
}

/**
 * Items were probably missed when the oldest item of this page is newer than the newest one this
 * feed showed before (the feed moved on by more than a page since the last run). Pure.
 */
export function gapLine(
  items: readonly FeedItem[],
  newestBefore: number | undefined,
  caps: Caps | undefined,
  action: string,
): string | undefined {
  const dates = items.map((i) => i.pubDate).filter((d): d is number => d !== undefined)
  if (newestBefore === undefined || dates.length === 0) return undefined
  const oldest = Math.min(...dates)
  if (oldest <= newestBefore) return undefined
  const pages = caps?.functions.get(action)?.params.includes('offset') === true
  return (
    `the oldest of these ${items.length} items (${isoSeconds(oldest)}) is newer than the newest one seen before (${isoSeconds(newestBefore)}): ` +
    `items published in between were probably missed; run \`torrents add\` more often` +
    (pages
      ? ', or ask for more pages (offset)'
      : ' (most Jackett and Prowlarr indexers do not page: offset > 0 answers nothing)')
  )
}

export async function torrentsAdd(ctx: Context, opts: TorrentsAddOptions): Promise<StepResult> {
  const config = ctx.config()
  const targets = selectFeeds(config, opts)
  const log = ctx.log('ingest')
  registerSecret(config.jackettapi.apikey)
  // Jackett and Prowlarr may wait 100 s for a site before they answer: every Torznab request gets feed_timeout
  const policy = { ...httpPolicy(config, log), timeoutMs: config.requests.feed_timeout * 1000 }
  const db = ctx.db()
  const now = ctx.clock.nowSeconds()
  const active = Object.values(config.trackers.entries).filter((t) => t.active)
  if (active.length === 0) log.warn(`${config.trackers.tracker_file}: no active tracker: every torrent will be skipped`)
  const trackerIds = tx(db, () => upsertTrackers(db, active))
  const matcher = trackerMatcher(config.trackers.entries)
  const counts: Counts = {
    feeds: 0,
    feeds_failed: 0,
    fetched: 0,
    kept: 0,
    skipped: 0,
    duplicates: 0,
    failed: 0,
    downloads: 0,
    remembered: 0,
  }
  const trackersFingerprint = trackersKey(active)
  const errors: string[] = []
  /** A failure is reported once: in the step's errors, which the CLI or the run prints. */
  const fail = (msg: string) => errors.push(redact(msg))

  for (const t of targets) {
    const what = `${t.indexer}/${t.category}`
    /** The torrent columns a feed item gives (the rest comes from the metainfo or the clock). */
    const fields = (item: FeedItem, details: string | undefined) => ({
      name: item.title,
      size: item.size ?? null,
      ...categorize(item.categories, t.category),
      indexer: t.indexer,
      detailsUrl: details ?? null,
      imdbId: item.imdbId ?? null,
      tmdbId: item.tmdbId ?? null,
      tvdbId: item.tvdbId ?? null,
    })
    counts.feeds++
    const request = { ...config.jackettapi, indexer: t.indexer }
    // Caps once per indexer per run: an unsupported cat gets an empty feed and no error, silently.
    const caps = await indexerCaps(ctx, request, policy)
    let params = t.params
    if (caps) {
      for (const p of capsProblems(caps, t.action, t.params)) {
        log.warn(`${what}: ${p} (see ${config.indexers.indexer_file}: ${t.indexer}.${t.key})`)
      }
      if (params.limit === undefined && caps.limitsMax) params = { ...params, limit: String(caps.limitsMax) }
    }
    const url = feedUrl({ ...request, action: t.action, params })
    log.debug(`${what}: GET ${redact(url)}`)
    const t0 = performance.now()
    let feed: Awaited<ReturnType<typeof fetchFeed>>
    try {
      feed = await fetchFeed(url, policy, `feed ${what}`, config.requests.max_feed_bytes)
    } catch (err) {
      counts.feeds_failed++
      fail(errorMessage(err))
      continue
    }
    const before = { ...counts }
    counts.fetched += feed.items.length + feed.bad.length
    for (const b of feed.bad) {
      counts.failed++
      fail(`feed ${what}: ${b}`)
    }
    log.info(`${what}: ${feed.items.length + feed.bad.length} item(s)`)
    // A date in the future (a feed saying 2999) is the time it was fetched: the torrent is new now.
    for (const it of feed.items) if (it.pubDate !== undefined && it.pubDate > now) it.pubDate = now
    const gap = gapLine(feed.items, newestSeen(db, what), caps, t.action)
    if (gap) log.warn(`${what}: ${gap}`)
    const declared = (config.indexers.entries[t.indexer]?.trackers ?? [])
      .map((n) => config.trackers.entries[n])
      .filter((x): x is NonNullable<typeof x> => x?.active === true)
      .map((x) => announceUrl(x))
    const hashes = feed.items.map(feedHash)
    const keys = feed.items.map((it, i) => itemKey(it, hashes[i]))
    const seen = recall(db, what, keys)

    const t1 = performance.now()
    // ---- resolve every item (downloads with bounded concurrency) ----
    const knownDetails = knownDetailsUrls(db, t.indexer)
    const detailsOf = feed.items.map((it) =>
      safeDetailsUrl(it.comments ?? (it.guid && /^https?:/i.test(it.guid) ? it.guid : undefined), isSecretFree),
    )
    const perUrl = new Map<string, number>()
    for (const d of detailsOf) if (d) perUrl.set(d, (perUrl.get(d) ?? 0) + 1)
    const limit = pLimit(config.requests.concurrency)
    let done = 0
    const outcomes = await Promise.all(
      feed.items.map((item, i) =>
        limit(async (): Promise<Outcome> => {
          const label = `${what} item "${(item.title || item.guid || `#${i + 1}`).slice(0, 120)}"`
          const details = detailsOf[i]
          const key = keys[i] as string
          try {
            // Already stored, and only a download could tell more: no download.
            if (!magnetHasTrackers(item)) {
              const hash = hashes[i]
              const byDetails = details && perUrl.get(details) === 1 ? knownDetails.get(details) : undefined
              const id = hash
                ? torrentIdByHash(db, hash)
                : byDetails && byDetails.name === item.title
                  ? byDetails.id
                  : undefined
              if (id !== undefined) return { kind: 'known', item, key, torrentId: id, details }
            }
            // Skipped or failed in an earlier run: not downloaded (grabbed) again.
            const before = seen.get(key)
            if (before && !magnetHasTrackers(item) && rememberedReason(before, now, trackersFingerprint)) {
              return { kind: 'remembered', item, key, seen: before, details }
            }
            const r = await resolveItem(item, policy, label, declared)
            if (r.downloaded) counts.downloads++
            return { kind: 'resolved', item, key, meta: r.meta, details }
          } catch (err) {
            counts.downloads += item.link ? 1 : 0
            return { kind: 'failed', item, key, error: errorMessage(err) }
          } finally {
            done++
            if (feed.items.length >= 200 && done % 100 === 0) log.info(`${what}: ${done}/${feed.items.length} resolved`)
          }
        }),
      ),
    )

    const t2 = performance.now()
    // ---- write the feed in one transaction, one savepoint per item ----
    const sightings: Sighting[] = []
    tx(db, () => {
      for (const o of outcomes) {
        const pubDate = o.item.pubDate ?? null
        if (o.kind === 'failed') {
          counts.failed++
          fail(o.error)
          sightings.push({ key: o.key, outcome: 'failed', pubDate, attempted: true, error: o.error.slice(0, 300) })
          continue
        }
        if (o.kind === 'remembered') {
          counts.remembered++
          sightings.push({ key: o.key, outcome: o.seen.outcome, pubDate })
          continue
        }
        try {
          if (o.kind === 'known') {
            savepoint(db, () => {
              fillTorrent(db, o.torrentId, fields(o.item, o.details))
              storeIndexerStats(db, o.torrentId, t.indexer, now, indexerNumbers(o.item))
            })
            counts.duplicates++
            sightings.push({ key: o.key, outcome: 'stored', pubDate })
            continue
          }
          const { item, meta } = o
          const matched = matcher.match(meta.announce)
          if (matched.length === 0) {
            counts.skipped++
            sightings.push({ key: o.key, outcome: 'skipped', pubDate, trackersKey: trackersFingerprint })
            log.debug(
              `${what}: skipped ${meta.infoHash} "${item.title}": ${meta.announce.length ? `no active tracker of trackers.yaml among ${meta.announce.length} announce URL(s)` : 'no tracker at all (magnet without tr?)'}`,
            )
            continue
          }
          const base = fields(item, o.details)
          const r = savepoint(db, () => {
            const stored = storeTorrent(
              db,
              {
                ...base,
                infoHash: meta.infoHash,
                name: base.name || meta.name || meta.infoHash,
                pubDate: Math.min(item.pubDate ?? meta.created ?? now, now),
                size: base.size ?? meta.size ?? null,
              },
              matched.map((m) => trackerIds.get(m.name)).filter((x): x is number => x !== undefined),
              now,
            )
            storeIndexerStats(db, stored.id, t.indexer, now, indexerNumbers(item))
            return stored
          })
          if (r.created) counts.kept++
          else counts.duplicates++
          sightings.push({ key: o.key, outcome: 'stored', pubDate })
        } catch (err) {
          counts.failed++
          fail(`${what} item "${o.item.title}": database: ${errorMessage(err)}`)
        }
      }
      remember(db, what, now, sightings)
    })
    const t3 = performance.now()
    const ms = (a: number, b: number) => Math.round(b - a)
    log.debug(`${what}: feed ${ms(t0, t1)} ms, items ${ms(t1, t2)} ms, database ${ms(t2, t3)} ms`)
    const d = (k: keyof Counts) => counts[k] - before[k]
    log.info(
      `${what}: ${d('kept')} new, ${d('duplicates')} already known, ${d('skipped')} skipped (no known tracker), ${d('failed')} failed, ${d('remembered')} seen before; ${d('downloads')} download(s)`,
    )
  }
  return { counts: { ...counts }, errors, ok: counts.failed === 0 && counts.feeds_failed === 0 }
}
