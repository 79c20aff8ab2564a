/**
 * Writing what the site reads (`site data`): `site_settings`, `torrent_activity`,
 * `media_activity` and this run's `charts` (charts.ts), in one transaction, idempotent.
 *
 * Incremental: a refresh costs what changed since the last one, not the history.
 * - A torrent is recomputed when its newest scrape is not the one it was last computed with
 *   (`activity_state.last_time`), from the start of the last day computed (`activity_state.day`,
 *   with each tracker's counter base at that moment, so the result is exactly a full recompute's).
 *   Finding them costs one index seek per torrent. A torrent never computed, or whose newest scrape
 *   went back (scrapes deleted), is recomputed whole. Not seen: scrapes inserted before a
 *   torrent's newest one (an import of older rows) and a newest scrape rewritten in the same
 *   minute (a re-run; picked up with the next scrape). `database reset-tables -t activity_state`
 *   forces a full recompute.
 * - A movie or series is recomputed from the earliest day any of its torrents changed, and for
 *   the days of a torrent that joined or left it (links compared with `activity_state.media_id`).
 */
import { siteSettings } from '../../schema/tables.ts'
import { type Db, tx } from '../db/client.ts'
import { type ChartCounts, writeCharts } from './charts.ts'
import { DAY, type DayActivity, dailyActivity, dayOf, type Scrape, sumDays } from './daily.ts'

export interface SiteInput {
  title: string
  baseUrl: string
  engine: string
  /** [site] torrent_page_days (default 7). */
  torrentPageDays?: number
}

export interface RefreshCounts {
  /** Torrents whose daily activity was recomputed. */
  torrents: number
  /** Movies and series whose daily activity was recomputed. */
  media: number
}

/** Before any day: recompute everything. */
const ALL = Number.MIN_SAFE_INTEGER

interface Candidate {
  id: number
  last: number | null
  has_state: number | null
  day: number | null
  last_time: number | null
  counters: string | null
}

/** The whole refresh; `refreshSiteData` without the chart counts. */
export function refreshSite(db: Db, site: SiteInput, now: number): RefreshCounts & { charts: ChartCounts } {
  return tx(db, () => {
    const counts = refreshActivity(db, site, now)
    const run = db.$client.prepare('SELECT latest_run FROM site_settings WHERE id = 1').pluck().get() as number | null
    return { ...counts, charts: writeCharts(db, site.engine, run, now) }
  })
}

export function refreshSiteData(db: Db, site: SiteInput, now: number): RefreshCounts {
  const { torrents, media } = refreshSite(db, site, now)
  return { torrents, media }
}

function refreshActivity(db: Db, site: SiteInput, now: number): RefreshCounts {
  const c = db.$client
  {
    // 1. The settings row.
    const runs = c
      .prepare('SELECT DISTINCT time FROM media_trends WHERE engine = ? ORDER BY time DESC LIMIT 2')
      .all(site.engine) as { time: number }[]
    const row = {
      id: 1,
      title: site.title,
      baseUrl: site.baseUrl,
      engine: site.engine,
      latestRun: runs[0]?.time ?? null,
      previousRun: runs[1]?.time ?? null,
      torrentPageDays: site.torrentPageDays ?? 30,
      updatedAt: now,
    }
    db.insert(siteSettings).values(row).onConflictDoUpdate({ target: siteSettings.id, set: row }).run()

    // 2. Torrents with new scrapes.
    const candidates = c
      .prepare(
        `SELECT t.id, (SELECT s.time FROM stats s WHERE s.torrent_id = t.id ORDER BY s.time DESC LIMIT 1) AS last,
           st.torrent_id AS has_state, st.day, st.last_time, st.counters
         FROM torrents t LEFT JOIN activity_state st ON st.torrent_id = t.id`,
      )
      .all() as Candidate[]
    const scrapesFrom = c.prepare(
      `SELECT time, tracker_id AS tracker, seeders, leechers, completed FROM stats
       WHERE torrent_id = ? AND time >= ? ORDER BY time, tracker_id`,
    )
    const clearDays = c.prepare('DELETE FROM torrent_activity WHERE torrent_id = ? AND day >= ?')
    const addDay = c.prepare(
      'INSERT INTO torrent_activity (torrent_id, day, seeders, leechers, peers, downloads) VALUES (?, ?, ?, ?, ?, ?)',
    )
    const saveState = c.prepare(
      `INSERT INTO activity_state (torrent_id, day, last_time, counters) VALUES (?, ?, ?, ?)
       ON CONFLICT (torrent_id) DO UPDATE SET day = excluded.day, last_time = excluded.last_time,
         counters = excluded.counters`,
    )
    const linkOf = c.prepare('SELECT media_id FROM torrent_media WHERE torrent_id = ?').pluck()
    const firstScrape = c.prepare('SELECT MIN(time) FROM stats WHERE torrent_id = ?').pluck()
    const lastDay = c.prepare('SELECT MAX(day) FROM torrent_activity WHERE torrent_id = ?').pluck()
    const today = dayOf(now)
    /** media id → the earliest day to recompute */
    const dirtyMedia = new Map<number, number>()
    const dirty = (mediaId: number | null | undefined, from: number) => {
      if (mediaId == null) return
      dirtyMedia.set(mediaId, Math.min(from, dirtyMedia.get(mediaId) ?? from))
    }
    /** Torrents whose earlier days were rewritten whole: their old days are unknown now. */
    const rewritten = new Set<number>()
    let torrentsDone = 0
    for (const t of candidates) {
      if (t.last === t.last_time && t.has_state !== null) continue
      if (t.last === null && t.day === null) continue // never scraped, nothing stored
      const resume = t.last !== null && t.day !== null && t.last_time !== null && t.last > t.last_time
      let from = resume ? (t.day as number) : ALL
      if (!resume && t.last !== null) {
        // Days stored came with the data (a restore of the data branch holds months of closed
        // days, the last days of scrapes whole and one scrape a day before): keep them, and the
        // oldest scraped day too, which lacks its counter base; recompute from the first day not
        // stored (today's, stored by an export, again) and, after a gap, from the first scraped day.
        const firstDay = dayOf(firstScrape.get(t.id) as number)
        const stored = lastDay.get(t.id) as number | null
        if (stored !== null)
          from = stored >= firstDay ? Math.max(firstDay + DAY, stored < today ? stored + DAY : stored) : firstDay
      }
      if (clearDays.run(t.id, from).changes > 0 && from === ALL) rewritten.add(t.id)
      const { days, resume: next } =
        t.last === null
          ? { days: [], resume: null }
          : dailyActivity(
              scrapesFrom.all(t.id, resume ? from : ALL) as Scrape[],
              resume ? { counters: JSON.parse(t.counters ?? '{}') as Record<string, number> } : undefined,
            )
      for (const d of days) if (d.day >= from) addDay.run(t.id, d.day, d.seeders, d.leechers, d.peers, d.downloads)
      saveState.run(t.id, next?.day ?? null, t.last, next ? JSON.stringify(next.counters) : null)
      dirty(linkOf.get(t.id) as number | undefined, rewritten.has(t.id) ? ALL : from)
      torrentsDone++
    }

    // 3. Torrents that joined, left or changed their movie or series (or were deleted).
    const moved = c
      .prepare(
        `SELECT tm.torrent_id AS id, tm.media_id AS now, st.media_id AS was, 1 AS alive
           FROM torrent_media tm LEFT JOIN activity_state st ON st.torrent_id = tm.torrent_id
           WHERE st.media_id IS NOT tm.media_id
         UNION ALL
         SELECT st.torrent_id, NULL, st.media_id, EXISTS (SELECT 1 FROM torrents t WHERE t.id = st.torrent_id)
           FROM activity_state st
           WHERE st.media_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM torrent_media tm WHERE tm.torrent_id = st.torrent_id)`,
      )
      .all() as { id: number; now: number | null; was: number | null; alive: number }[]
    const firstDay = c.prepare('SELECT MIN(day) FROM torrent_activity WHERE torrent_id = ?').pluck()
    const saveLink = c.prepare(
      `INSERT INTO activity_state (torrent_id, media_id) VALUES (?, ?)
       ON CONFLICT (torrent_id) DO UPDATE SET media_id = excluded.media_id`,
    )
    for (const m of moved) {
      // A deleted torrent's days are gone; a rewritten one's old days are unknown: recompute all.
      const first = m.alive && !rewritten.has(m.id) ? ((firstDay.get(m.id) as number | null) ?? null) : ALL
      if (first !== null) {
        dirty(m.now, first)
        dirty(m.was, first)
      }
      saveLink.run(m.id, m.now)
    }
    c.prepare('DELETE FROM activity_state WHERE torrent_id NOT IN (SELECT id FROM torrents)').run()

    // 4. Movies and series: their torrents' days summed.
    const daysOfMedia = c.prepare(
      `SELECT a.day, a.seeders, a.leechers, a.peers, a.downloads FROM torrent_media tm
       JOIN torrent_activity a ON a.torrent_id = tm.torrent_id WHERE tm.media_id = ? AND a.day >= ?`,
    )
    const clearMedia = c.prepare('DELETE FROM media_activity WHERE media_id = ? AND day >= ?')
    const addMedia = c.prepare(
      'INSERT INTO media_activity (media_id, day, seeders, leechers, peers, downloads) VALUES (?, ?, ?, ?, ?, ?)',
    )
    // Days before the oldest torrent day at hand cannot be summed again (a restore of the data
    // branch holds a month of torrent days and three of movie and series days): they are kept.
    const oldest = (c.prepare('SELECT MIN(day) FROM torrent_activity').pluck().get() as number | null) ?? ALL
    for (const [mediaId, dirtyFrom] of dirtyMedia) {
      const from = Math.max(dirtyFrom, oldest)
      clearMedia.run(mediaId, from)
      for (const d of sumDays(daysOfMedia.all(mediaId, from) as DayActivity[]))
        addMedia.run(mediaId, d.day, d.seeders, d.leechers, d.peers, d.downloads)
    }
    return { torrents: torrentsDone, media: dirtyMedia.size }
  }
}
