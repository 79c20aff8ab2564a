/**
 * Fill a database with plausible data for the site, through the real schema and migrations:
 * trackers, movies and series (with and without posters/metadata), their torrents, tracker scrapes
 * over days, the indexer's own numbers, trend runs with rank changes (torrents and media), status
 * history, and the hostile names `<script>alert(1)</script>` / `"><img src=x onerror=alert(1)>` as
 * a title and as a release name. Deterministic: same options, same database.
 *
 *   tsx devkit/site/seed-db.ts --db data/site-demo.db [--movies 40] [--series 12] [--torrents 120]
 *     [--days 14] [--scrapes-per-day 4] [--runs 10] [--seed 7] [--empty] [--force]
 *
 * `--empty` writes the schema only (a site built from it says there is no data yet). Either way the
 * pipeline's `site data` refresh (pipeline/publish) then writes what the site reads.
 * Used by the Playwright global setup and by `npm run bench -- site`.
 */
import { existsSync, rmSync } from 'node:fs'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { closeDb, type Db, openDb, tx } from '../../pipeline/db/client.ts'
import { writeCharts } from '../../pipeline/publish/charts.ts'
import { refreshSiteData } from '../../pipeline/publish/store.ts'
import { rng } from '../sim/rng.ts'
import { seedPosterUrl } from './posters.ts'

export const XSS_SCRIPT = '<script>alert(1)</script>'
export const XSS_IMG = '"><img src=x onerror=alert(1)>'
/** A title with a right-to-left override (U+202E): it must not reverse the text around it. */
export const BIDI_TITLE = 'Mirror \u202Edlrow ehT'

export interface SeedOptions {
  movies: number
  series: number
  /** Total torrents, spread over the media (at least one each). */
  torrents: number
  days: number
  scrapesPerDay: number
  /** Trend runs (one a day, the last `runs` days). */
  runs: number
  seed: number
  /** Unix seconds of the last run (default 2026-11-20T22:00:00Z). */
  end: number
  engine: string
  empty: boolean
  /** Extra releases let go long ago (40–365 days before the end, one scrape each). */
  oldTorrents: number
  /** [site] torrent_page_days written for the site (default 30). */
  torrentPageDays: number
  /** Poster URLs point here (a loopback server of devkit/site/posters.ts), else none. */
  posterBase: string | null
}

export const DEFAULT_SEED: SeedOptions = {
  movies: 40,
  series: 12,
  torrents: 120,
  days: 14,
  scrapesPerDay: 4,
  runs: 10,
  seed: 7,
  end: Date.UTC(2026, 10, 20, 22) / 1000,
  engine: 'velocity',
  empty: false,
  oldTorrents: 0,
  torrentPageDays: 30,
  posterBase: null,
}

export interface SeedSummary {
  media: number
  torrents: number
  stats: number
  trends: number
  mediaTrends: number
  lastRun: number
  /** Time the `site data` refresh took (a full computation: the database is new). */
  siteDataSeconds: number
}

const DAY = 86_400
const WORDS = [
  'Silent',
  'River',
  'Night',
  'Echo',
  'Iron',
  'Garden',
  'Winter',
  'Signal',
  'Paper',
  'Harbor',
  'Glass',
  'Orbit',
  'Hollow',
  'Crown',
  'Atlas',
  'Ember',
  'Northern',
  'Last',
  'Golden',
  'Distant',
  'Wild',
  'Secret',
  'Broken',
  'Midnight',
]
const GENRES = ['Action', 'Drama', 'Comedy', 'Thriller', 'Sci-Fi', 'Horror', 'Animation', 'Crime', 'Romance', 'Mystery']
const RESOLUTIONS = ['2160p', '1080p', '720p', '480p']
const SOURCES = ['BluRay', 'WEB-DL', 'WEBRip', 'HDTV']
const CODECS = ['x264', 'x265', 'HEVC', 'AV1']
const GROUPS = ['NOGRP', 'FLUX', 'SPARKS', 'NTb', 'RARBG', 'EDITH']

interface SeedMedia {
  id: number
  kind: 'movie' | 'series'
  title: string
  year: number | null
  popularity: number
  /** Day offset (from the window start) when interest peaks. */
  peak: number
}

interface SeedTorrent {
  id: number
  media: SeedMedia
  share: number
  pubDate: number
  trackerIds: number[]
  completed0: number
  /** No scrape after this (a torrent let go is no longer scraped). */
  lastScrape: number
}

function slugTitle(title: string): string {
  return title.replace(/[^\w]+/g, '.').replace(/^\.|\.$/g, '') || 'Untitled'
}

/** Interest in a medium at time t (days from the window start): a bump around its peak. */
function demand(m: SeedMedia, dayOffset: number): number {
  const x = dayOffset - m.peak
  const shape = x < 0 ? Math.exp(-(x * x) / 8) : Math.exp(-x / 4)
  return m.popularity * (0.15 + shape)
}

/** The pipeline's `site data` refresh over what was seeded, as `mediastrends run` ends with. */
function withSiteData(db: Db, o: SeedOptions, summary: SeedSummary): SeedSummary {
  const t0 = performance.now()
  refreshSiteData(
    db,
    { title: 'mediastrends', baseUrl: 'http://localhost:4321/', engine: o.engine, torrentPageDays: o.torrentPageDays },
    o.end,
  )
  summary.siteDataSeconds = (performance.now() - t0) / 1000
  if (!o.empty) chartHistory(db, o)
  return summary
}

/**
 * The charts a scheduled publisher would have written: the pipeline's own `writeCharts` at the last
 * trend run of every seeded day (and the latest run), oldest first, so weekly charts have their
 * history (last week's rank, weeks on chart) as after weeks of real runs.
 */
function chartHistory(db: Db, o: SeedOptions): void {
  const c = db.$client
  const runs = (
    c
      .prepare('SELECT MAX(time) AS time FROM media_trends WHERE engine = ? GROUP BY time / 86400 ORDER BY 1')
      .all(o.engine) as { time: number }[]
  ).map((r) => r.time)
  tx(db, () => {
    for (const run of runs) writeCharts(db, o.engine, run, run)
  })
}

export function seedSiteDb(path: string, partial: Partial<SeedOptions> = {}): SeedSummary {
  const o: SeedOptions = { ...DEFAULT_SEED, ...partial }
  const db = openDb(path)
  const c = db.$client
  const summary: SeedSummary = {
    media: 0,
    torrents: 0,
    stats: 0,
    trends: 0,
    mediaTrends: 0,
    lastRun: o.end,
    siteDataSeconds: 0,
  }
  try {
    if (o.empty) return withSiteData(db, o, summary)
    const r = rng(o.seed)
    const start = o.end - o.days * DAY
    tx(db, () => {
      // Trackers.
      const trackerIds: number[] = []
      const insTracker = c.prepare('INSERT INTO trackers (name, scheme, netloc, path) VALUES (?, ?, ?, ?)')
      for (const [name, scheme, netloc, p] of [
        ['opentracker', 'udp', 'tracker.example.org:1337', ''],
        ['torrent.eu', 'http', 'tracker.example.net:80', '/announce'],
        ['explodie', 'https', 'tracker.example.com:443', '/announce'],
      ] as const) {
        trackerIds.push(Number(insTracker.run(name, scheme, netloc, p).lastInsertRowid))
      }

      // Media.
      const insMedia = c.prepare(
        `INSERT INTO media (kind, key, title, year, original_title, language, imdb_id, tmdb_id, tvdb_id, poster_url,
          genres, rating, votes, overview, metadata_source, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      const media: SeedMedia[] = []
      const total = o.movies + o.series
      for (let i = 0; i < total; i++) {
        const kind = i < o.movies ? 'movie' : 'series'
        const k = kind === 'movie' ? i : i - o.movies
        let title = `${r.pick(WORDS)} ${r.pick(WORDS)}${k >= WORDS.length ? ` ${k}` : ''}`
        // Hostile titles, made popular so they show on the home page.
        if (kind === 'movie' && k === 1) title = XSS_SCRIPT
        if (kind === 'series' && k === 0) title = XSS_IMG
        if (kind === 'series' && k === 1) title = BIDI_TITLE
        const bare = k % 7 === 3 // no metadata at all
        const noPoster = bare || k % 5 === 2
        const year = bare ? null : 1990 + r.int(0, 37)
        const genres = bare
          ? null
          : JSON.stringify([r.pick(GENRES), r.pick(GENRES)].filter((g, j, a) => a.indexOf(g) === j))
        const imdb = bare ? null : `tt${String(1_000_000 + i * 37).padStart(7, '0')}`
        const tmdb = bare ? null : 10_000 + i
        const tvdb = bare || kind === 'movie' ? null : 300_000 + i
        const poster = noPoster || !o.posterBase ? null : seedPosterUrl(o.posterBase, i, title)
        const rating = bare ? null : Math.round(r.uniform(4, 9) * 10) / 10
        const votes = bare ? null : r.int(50, 900_000)
        const overview = bare
          ? null
          : `A ${genres ? JSON.parse(genres)[0].toLowerCase() : 'story'} about ${title.toLowerCase()}, told over one long season.`
        const id = Number(
          insMedia.run(
            kind,
            imdb ? `imdb:${imdb}` : `title:${title.toLowerCase()}:${year ?? ''}:${i}`,
            title,
            year,
            null,
            bare ? null : 'en',
            imdb,
            tmdb,
            tvdb,
            poster,
            genres,
            rating,
            votes,
            overview,
            bare ? 'none' : 'tmdb',
            start,
          ).lastInsertRowid,
        )
        const hot = (kind === 'movie' && k <= 2) || (kind === 'series' && k === 0)
        media.push({
          id,
          kind,
          title,
          year,
          popularity: hot ? r.uniform(600, 900) : r.logUniform(5, 500),
          peak: r.uniform(-4, o.days + 2),
        })
      }
      summary.media = media.length

      // Torrents: one per medium, the rest spread at random.
      const insTorrent = c.prepare(
        `INSERT INTO torrents (info_hash, name, pub_date, size, status, category, feed_category, indexer, imdb_id,
          tmdb_id, tvdb_id, added_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      const insTT = c.prepare('INSERT INTO torrent_trackers (torrent_id, tracker_id) VALUES (?, ?)')
      const insTM = c.prepare(
        'INSERT INTO torrent_media (torrent_id, media_id, season, episode, release) VALUES (?, ?, ?, ?, ?)',
      )
      const insStatus = c.prepare('INSERT INTO status_history (torrent_id, time, status) VALUES (?, ?, ?)')
      const setStatus = c.prepare('UPDATE torrents SET status = ? WHERE id = ?')
      const torrents: SeedTorrent[] = []
      const count = Math.max(o.torrents, media.length)
      for (let t = 0; t < count; t++) {
        const m = t < media.length ? (media[t] as SeedMedia) : r.pick(media)
        const res = r.pick(RESOLUTIONS)
        const src = r.pick(SOURCES)
        const codec = r.pick(CODECS)
        const group = r.pick(GROUPS)
        const season = m.kind === 'series' ? 1 + r.int(0, 3) : null
        const episode = m.kind === 'series' && r.next() < 0.7 ? 1 + r.int(0, 10) : null
        const marker =
          season == null
            ? ''
            : `.S${String(season).padStart(2, '0')}${episode == null ? '' : `E${String(episode).padStart(2, '0')}`}`
        let name = `${slugTitle(m.title)}${m.year && m.kind === 'movie' ? `.${m.year}` : ''}${marker}.${res}.${src}.${codec}-${group}`
        if (t === media.length) name = XSS_IMG // hostile release names, on trending media
        if (t === media.length + 1) name = XSS_SCRIPT
        const pubDate = start + Math.floor(r.uniform(-3, Math.max(1, o.days - 1)) * DAY)
        const info = (BigInt(o.seed) * 1_000_003n + BigInt(t)).toString(16).padStart(40, '0')
        const id = Number(
          insTorrent.run(
            info,
            name,
            pubDate,
            Math.floor(r.logUniform(3e8, 6e10)),
            'new',
            m.kind === 'movie' ? 'movies' : 'series',
            m.kind === 'movie' ? 2040 : 5040,
            r.pick(['jackett-a', 'jackett-b']),
            null,
            null,
            null,
            pubDate,
          ).lastInsertRowid,
        )
        const trs = r.next() < 0.5 ? [...trackerIds] : trackerIds.filter((_, j) => j !== r.int(0, trackerIds.length))
        for (const tr of trs) insTT.run(id, tr)
        insTM.run(
          id,
          m.id,
          season,
          episode,
          JSON.stringify({
            title: m.title,
            resolution: res,
            source: src,
            codec,
            group,
            languages: r.next() < 0.2 ? ['fr', 'en'] : [],
            seasonPack: m.kind === 'series' && episode == null ? true : undefined,
          }),
        )
        // Status: new → follow a day later → unfollow for some, two days before the end.
        insStatus.run(id, pubDate, 'new')
        let status = 'new'
        let unfollowedAt: number | null = null
        if (pubDate + DAY < o.end) {
          insStatus.run(id, pubDate + DAY, 'follow')
          status = 'follow'
          // (Never the hot media's torrents: they stay on the home page.)
          if (t % 9 === 4 && m.popularity < 550 && pubDate + 3 * DAY < o.end - 2 * DAY) {
            // Let go 5 days before the end when it is old enough (no scrape after: the pipeline
            // stops scraping it), else 2 days before.
            const at = pubDate + 3 * DAY < o.end - 5 * DAY ? o.end - 5 * DAY : o.end - 2 * DAY
            insStatus.run(id, at, 'unfollow')
            status = 'unfollow'
            unfollowedAt = at
          }
        }
        setStatus.run(status, id)
        torrents.push({
          id,
          media: m,
          share: r.uniform(0.1, 1),
          pubDate,
          trackerIds: trs,
          completed0: r.int(0, 5000),
          lastScrape: unfollowedAt ?? o.end,
        })
      }
      // Old releases long let go (the benchmark's "torrents ever seen"): one scrape each, 40 to 365
      // days before the end, no trend rows; only rows of their media's pages.
      const insOldStat = c.prepare(
        'INSERT INTO stats (torrent_id, time, tracker_id, seeders, leechers, completed) VALUES (?, ?, ?, ?, ?, ?)',
      )
      for (let k = 0; k < o.oldTorrents; k++) {
        const m = r.pick(media)
        const seen = o.end - Math.floor(r.uniform(40, 365) * DAY)
        const info = (BigInt(o.seed) * 1_000_003n + BigInt(count + k)).toString(16).padStart(40, '0')
        const name = `${slugTitle(m.title)}${m.year && m.kind === 'movie' ? `.${m.year}` : ''}.${r.pick(RESOLUTIONS)}.${r.pick(SOURCES)}.${r.pick(CODECS)}-${r.pick(GROUPS)}`
        const id = Number(
          insTorrent.run(
            info,
            name,
            seen - 5 * DAY,
            Math.floor(r.logUniform(3e8, 6e10)),
            'unfollow',
            m.kind === 'movie' ? 'movies' : 'series',
            m.kind === 'movie' ? 2040 : 5040,
            'jackett-a',
            null,
            null,
            null,
            seen - 5 * DAY,
          ).lastInsertRowid,
        )
        insTT.run(id, trackerIds[0])
        insTM.run(id, m.id, m.kind === 'series' ? 1 : null, null, JSON.stringify({ title: m.title }))
        insStatus.run(id, seen - 5 * DAY, 'new')
        insStatus.run(id, seen, 'unfollow')
        insOldStat.run(id, seen - (seen % 60), trackerIds[0], r.int(0, 40), r.int(0, 10), r.int(100, 9000))
        summary.stats++
      }
      summary.torrents = torrents.length + o.oldTorrents

      // Stats: every scrape of every tracker, from each torrent's publication on.
      const insStat = c.prepare(
        'INSERT INTO stats (torrent_id, time, tracker_id, seeders, leechers, completed) VALUES (?, ?, ?, ?, ?, ?)',
      )
      const insIdx = c.prepare(
        'INSERT INTO indexer_stats (torrent_id, time, indexer, seeders, leechers, grabs) VALUES (?, ?, ?, ?, ?, ?)',
      )
      const step = Math.floor(DAY / o.scrapesPerDay)
      /** torrent id → run time → score */
      const scores = new Map<number, Map<number, number>>()
      const runTimes: number[] = []
      for (let k = o.runs - 1; k >= 0; k--) runTimes.push(o.end - k * DAY)
      for (const t of torrents) {
        const completed = t.trackerIds.map((_, j) => t.completed0 * (j + 1))
        const perRun = new Map<number, number>()
        scores.set(t.id, perRun)
        const first = Math.max(start, t.pubDate)
        const firstMinute = first - (first % 60) + 60
        for (let time = firstMinute; time <= t.lastScrape; time += step) {
          const d = (time - start) / DAY
          const age = (time - t.pubDate) / DAY
          const want = demand(t.media, d) * t.share * Math.min(1, 0.3 + age)
          for (let j = 0; j < t.trackerIds.length; j++) {
            const f = 1 - 0.25 * j
            const leechers = Math.max(0, Math.round(want * f * (0.6 + 0.2 * r.next())))
            const seeders = Math.max(
              0,
              Math.round(want * f * (1.2 + (0.6 * Math.min(age, 5)) / 5) * (0.8 + 0.4 * r.next())),
            )
            const dl = Math.max(0, Math.round(((want * f * step) / DAY) * (2 + r.next())))
            completed[j] = (completed[j] ?? 0) + dl
            // One tracker never reports completed.
            const comp = t.trackerIds[j] === trackerIds[2] ? null : completed[j]
            insStat.run(t.id, time, t.trackerIds[j], seeders, leechers, comp)
            summary.stats++
          }
          if (t.id % 2 === 0 && Math.floor((time - firstMinute) / step) % o.scrapesPerDay === 0) {
            const s = Math.round(want * 1.5)
            insIdx.run(t.id, time, 'jackett-a', s, Math.round(want * 0.7), Math.round((completed[0] ?? 0) / 3))
          }
        }
        for (const rt of runTimes) {
          if (rt < t.pubDate + DAY / 2 || rt > t.lastScrape) continue
          const d = (rt - start) / DAY
          perRun.set(rt, Math.round(demand(t.media, d) * t.share * (0.9 + 0.2 * r.next()) * 1000) / 1000)
        }
      }

      // Trend runs: torrents ranked by score, media ranked per kind by the sum of their torrents.
      const insTrend = c.prepare(
        'INSERT INTO trends (torrent_id, time, engine, score, rank, trending) VALUES (?, ?, ?, ?, ?, ?)',
      )
      const insMT = c.prepare(
        'INSERT INTO media_trends (media_id, time, engine, score, rank, torrents) VALUES (?, ?, ?, ?, ?, ?)',
      )
      const insRun = c.prepare(
        `INSERT INTO runs (step, target, clock, started_at, ended_at, status, counts, errors)
         VALUES ('run', NULL, ?, ?, ?, 'ok', ?, '[]')`,
      )
      for (const rt of runTimes) {
        const scored = torrents
          .map((t) => ({ t, score: scores.get(t.id)?.get(rt) }))
          .filter((x): x is { t: SeedTorrent; score: number } => x.score !== undefined)
          .sort((a, b) => b.score - a.score || a.t.id - b.t.id)
        scored.forEach((x, i) => {
          insTrend.run(x.t.id, rt, o.engine, x.score, i + 1, i < 50 ? 1 : 0)
          summary.trends++
        })
        for (const kind of ['movie', 'series'] as const) {
          const agg = new Map<number, { score: number; n: number }>()
          for (const x of scored) {
            if (x.t.media.kind !== kind) continue
            const a = agg.get(x.t.media.id) ?? { score: 0, n: 0 }
            a.score += x.score
            a.n++
            agg.set(x.t.media.id, a)
          }
          ;[...agg.entries()]
            .sort((a, b) => b[1].score - a[1].score || a[0] - b[0])
            .forEach(([mid, a], i) => {
              insMT.run(mid, rt, o.engine, Math.round(a.score * 1000) / 1000, i + 1, a.n)
              summary.mediaTrends++
            })
        }
        insRun.run(rt, rt, rt + 120, JSON.stringify({ torrents: scored.length }))
      }
    })
    return withSiteData(db, o, summary)
  } finally {
    closeDb(db)
  }
}

function main(): void {
  const { values } = parseArgs({
    options: {
      db: { type: 'string' },
      movies: { type: 'string' },
      series: { type: 'string' },
      torrents: { type: 'string' },
      days: { type: 'string' },
      'scrapes-per-day': { type: 'string' },
      runs: { type: 'string' },
      seed: { type: 'string' },
      empty: { type: 'boolean', default: false },
      force: { type: 'boolean', default: false },
    },
  })
  if (!values.db) {
    console.error(
      'usage: tsx devkit/site/seed-db.ts --db FILE [--movies N] [--series N] [--torrents N] [--empty] [--force]',
    )
    process.exit(2)
  }
  const path = resolve(values.db)
  if (existsSync(path)) {
    if (!values.force) {
      console.error(`${path}: already exists; pass --force to replace it`)
      process.exit(2)
    }
    for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true })
  }
  const num = (v: string | undefined, key: keyof SeedOptions): number => {
    if (v === undefined) return DEFAULT_SEED[key] as number
    const n = Number(v)
    if (!Number.isInteger(n) || n < 0) {
      console.error(`--${key}: expected a whole number, got "${v}"`)
      process.exit(2)
    }
    return n
  }
  const t0 = performance.now()
  const s = seedSiteDb(path, {
    movies: num(values.movies, 'movies'),
    series: num(values.series, 'series'),
    torrents: num(values.torrents, 'torrents'),
    days: num(values.days, 'days'),
    scrapesPerDay: Math.max(1, num(values['scrapes-per-day'], 'scrapesPerDay')),
    runs: Math.max(1, num(values.runs, 'runs')),
    seed: num(values.seed, 'seed'),
    empty: values.empty,
  })
  console.error(
    `${path}: ${s.media} media, ${s.torrents} torrents, ${s.stats} stats, ${s.trends} trends, ${s.mediaTrends} media trends in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  )
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('seed-db.ts')) main()
