/**
 * The items each feed has shown (`feed_items`): what became of each, so a re-run does not download
 * an item again to learn what it already knows, and the newest publication date seen, to notice a
 * feed that moved on by more than a page between two runs.
 *
 * Rules: a skipped item (no configured tracker) is not downloaded again while the active trackers
 * stay the same; a failed item is tried again after a day, three times in all.
 */
import { createHash } from 'node:crypto'
import { and, eq, lt, max, sql } from 'drizzle-orm'
import { feedItems } from '../../schema/tables.ts'
import type { TrackerConfig } from '../config/schema.ts'
import type { Db } from '../db/client.ts'
import type { FeedItem } from './torznab.ts'

export type SeenItem = typeof feedItems.$inferSelect

const DAY = 86_400
/** A failed item is downloaded again after this long… */
export const RETRY_FAILED_AFTER = DAY
/** …and at most this many times in all. */
export const MAX_ATTEMPTS = 3
/** Items not shown for this long are forgotten. */
export const FORGET_AFTER = 30 * DAY

/** The key an item is remembered by: its info hash when the feed gives one, else its guid, else its title. */
export function itemKey(item: FeedItem, hash: string | undefined): string {
  if (hash) return `hash:${hash}`
  if (item.guid) return `guid:${item.guid.slice(0, 500)}`
  return `title:${item.title.slice(0, 500)}`
}

/** A fingerprint of the active trackers: a skipped item is judged again when it changes. */
export function trackersKey(active: readonly TrackerConfig[]): string {
  const keys = active.map((t) => `${t.scheme}://${t.netloc.toLowerCase()}`).sort()
  return createHash('sha1').update(keys.join('\n')).digest('hex').slice(0, 16)
}

/** The remembered items of a feed among `keys`. */
export function recall(db: Db, feed: string, keys: readonly string[]): Map<string, SeenItem> {
  const out = new Map<string, SeenItem>()
  const stmt = db
    .select()
    .from(feedItems)
    .where(and(eq(feedItems.feed, feed), eq(feedItems.key, sql.placeholder('key'))))
    .prepare()
  for (const key of keys) {
    const row = stmt.get({ key })
    if (row) out.set(key, row)
  }
  return out
}

/** Why an item need not be downloaded again, or undefined when it must (or may) be. Pure. */
export function rememberedReason(seen: SeenItem | undefined, now: number, trackers: string): string | undefined {
  if (!seen) return undefined
  if (seen.outcome === 'skipped' && seen.trackersKey === trackers) return 'skipped before: no configured tracker'
  if (seen.outcome === 'failed') {
    if (seen.attempts >= MAX_ATTEMPTS) return `failed ${seen.attempts} times: given up (${seen.error ?? 'no reason'})`
    if (seen.triedAt !== null && now - seen.triedAt < RETRY_FAILED_AFTER) return 'failed less than a day ago'
  }
  return undefined
}

/** The newest publication date this feed has shown, or undefined the first time. */
export function newestSeen(db: Db, feed: string): number | undefined {
  const row = db
    .select({ newest: max(feedItems.pubDate) })
    .from(feedItems)
    .where(eq(feedItems.feed, feed))
    .get()
  return row?.newest ?? undefined
}

export interface Sighting {
  key: string
  outcome: SeenItem['outcome']
  pubDate: number | null
  /** The download failed this time (counts an attempt). */
  attempted?: boolean
  trackersKey?: string
  error?: string
}

/** Remember what became of items (inside the caller's transaction); forget items long gone. */
export function remember(db: Db, feed: string, now: number, sightings: readonly Sighting[]): void {
  const upsert = db
    .insert(feedItems)
    .values({
      feed,
      key: sql.placeholder('key'),
      outcome: sql.placeholder('outcome'),
      pubDate: sql.placeholder('pubDate'),
      attempts: sql.placeholder('attempts'),
      trackersKey: sql.placeholder('trackersKey'),
      error: sql.placeholder('error'),
      triedAt: sql.placeholder('triedAt'),
      firstSeen: now,
      lastSeen: now,
    })
    .onConflictDoUpdate({
      target: [feedItems.feed, feedItems.key],
      set: {
        outcome: sql`excluded.outcome`,
        pubDate: sql`coalesce(excluded.pub_date, ${feedItems.pubDate})`,
        attempts: sql`${feedItems.attempts} + excluded.attempts`,
        trackersKey: sql`coalesce(excluded.trackers_key, ${feedItems.trackersKey})`,
        error: sql`excluded.error`,
        triedAt: sql`coalesce(excluded.tried_at, ${feedItems.triedAt})`,
        lastSeen: sql`excluded.last_seen`,
      },
    })
    .prepare()
  for (const s of sightings) {
    upsert.run({
      key: s.key,
      outcome: s.outcome,
      pubDate: s.pubDate,
      attempts: s.attempted ? 1 : 0,
      trackersKey: s.trackersKey ?? null,
      error: s.error ?? null,
      triedAt: s.attempted ? now : null,
    })
  }
  db.delete(feedItems)
    .where(lt(feedItems.lastSeen, now - FORGET_AFTER))
    .run()
}
