/**
 * Collect test helpers: a context whose trackers.yaml points at loopback trackers, torrents
 * inserted straight into the database (ingest is another stage), and reading `stats` back.
 */
import { eq } from 'drizzle-orm'
import type { Context } from '../../pipeline/context.ts'
import type { Category, TorrentStatus } from '../../schema/tables.ts'
import { stats, torrents, torrentTrackers, trackers } from '../../schema/tables.ts'
import { testContext } from '../helpers/config.ts'

export interface TrackerEntry {
  scheme: 'http' | 'https' | 'udp'
  netloc: string
  path?: string
  active?: boolean
}

/** trackers.yaml entry of an announce URL. */
export function entryOf(announce: string, active = true): TrackerEntry {
  const u = new URL(announce.replace(/^udp:/, 'http:'))
  const scheme = announce.startsWith('udp:') ? 'udp' : (u.protocol.replace(':', '') as 'http' | 'https')
  return { scheme, netloc: u.host, path: scheme === 'udp' ? '' : u.pathname, active }
}

/** Fast network settings for tests: short timeouts, two attempts, tiny back-off. */
export const fastIni = (concurrency = 1) => `timeout = 0.3
concurrency = ${concurrency}
total_concurrency = 4
[retry]
tries = 2
delay = 0.01
`
export const FAST_INI = fastIni()

export function collectContext(
  trackerEntries: Record<string, TrackerEntry>,
  ini = FAST_INI,
  now = '2026-01-15T12:00:30Z',
): Context & { dirs: { cleanup(): void } } {
  // testContext writes "[requests]\nuser_agent = …" first, so `ini` continues the [requests] section
  return testContext({ ini, trackers: trackerEntries }, now)
}

export interface TorrentSpec {
  infoHash: string
  status?: TorrentStatus
  category?: Category
  /** Tracker names to link. */
  trackers: string[]
}

/** Insert torrents (and the tracker rows they link to); returns info hash → torrent id. */
export function insertTorrents(ctx: Context, specs: TorrentSpec[]): Map<string, number> {
  const db = ctx.db()
  const config = ctx.config()
  const ids = new Map<string, number>()
  db.$client.transaction(() => {
    for (const s of specs) {
      const row = db
        .insert(torrents)
        .values({
          infoHash: s.infoHash,
          name: `Torrent ${s.infoHash.slice(0, 8)}`,
          pubDate: 1_768_000_000,
          addedAt: 1_768_000_000,
          status: s.status ?? 'new',
          category: s.category ?? 'movies',
        })
        .returning({ id: torrents.id })
        .get()
      ids.set(s.infoHash, row.id)
      for (const name of s.trackers) {
        const t = config.trackers.entries[name]
        if (!t) throw new Error(`no tracker ${name} in the test config`)
        const tr = db
          .insert(trackers)
          .values({ name, scheme: t.scheme, netloc: t.netloc, path: t.path })
          .onConflictDoUpdate({ target: trackers.name, set: { netloc: t.netloc } })
          .returning({ id: trackers.id })
          .get()
        db.insert(torrentTrackers).values({ torrentId: row.id, trackerId: tr.id }).run()
      }
    }
  })()
  return ids
}

export interface StoredStat {
  seeders: number
  leechers: number
  completed: number | null
  time: number
}

/** Stored stats of one tracker: info hash → rows. */
export function storedStats(ctx: Context, trackerName: string): Map<string, StoredStat[]> {
  const db = ctx.db()
  const rows = db
    .select({
      infoHash: torrents.infoHash,
      seeders: stats.seeders,
      leechers: stats.leechers,
      completed: stats.completed,
      time: stats.time,
    })
    .from(stats)
    .innerJoin(torrents, eq(torrents.id, stats.torrentId))
    .innerJoin(trackers, eq(trackers.id, stats.trackerId))
    .where(eq(trackers.name, trackerName))
    .all()
  const out = new Map<string, StoredStat[]>()
  for (const r of rows) {
    const list = out.get(r.infoHash) ?? []
    list.push({ seeders: r.seeders, leechers: r.leechers, completed: r.completed, time: r.time })
    out.set(r.infoHash, list)
  }
  return out
}

/** A deterministic, varied swarm shape for the i-th torrent (at least one peer). */
export function shapeFor(i: number): { seeders: number; leechers: number; completed: number } {
  const seeders = i % 4
  const leechers = (i * 7) % 5
  const completed = (i * 3) % 6
  return seeders + leechers + completed === 0
    ? { seeders: 1, leechers: 0, completed: 1 }
    : { seeders, leechers, completed }
}
