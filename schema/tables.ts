/**
 * The database schema: one place, read by every stage and by the site.
 *
 * Conventions
 * - Every time is an INTEGER of Unix seconds (UTC). Stages take "now" from the run's clock
 *   (`--now` / MEDIASTRENDS_NOW), never from Date.now() directly.
 * - Info hashes are 40 lowercase hex characters.
 * - Changes to this file ship as a drizzle-kit migration (`npm run db:generate`), never as a
 *   hand-made ALTER; old databases are migrated on open, never dropped.
 */
import { sql } from 'drizzle-orm'
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'

export const TORRENT_STATUSES = ['new', 'follow', 'unfollow'] as const
export type TorrentStatus = (typeof TORRENT_STATUSES)[number]
export const CATEGORIES = ['movies', 'series', 'unknown'] as const
export type Category = (typeof CATEGORIES)[number]
export const MEDIA_KINDS = ['movie', 'series'] as const
export type MediaKind = (typeof MEDIA_KINDS)[number]

/** Trackers known from trackers.yaml, keyed by their name there. */
export const trackers = sqliteTable('trackers', {
  id: integer('id').primaryKey(),
  name: text('name').notNull().unique(),
  scheme: text('scheme').notNull(), // http | https | udp
  netloc: text('netloc').notNull(), // host:port
  path: text('path').notNull().default(''), // announce path, e.g. /announce
})

/** One row per info hash. */
export const torrents = sqliteTable(
  'torrents',
  {
    id: integer('id').primaryKey(),
    infoHash: text('info_hash').notNull().unique(),
    name: text('name').notNull(),
    pubDate: integer('pub_date').notNull(), // unix s: feed pubDate, else creation date, else added
    size: integer('size'), // bytes
    status: text('status', { enum: TORRENT_STATUSES }).notNull().default('new'),
    category: text('category', { enum: CATEGORIES }).notNull().default('unknown'),
    feedCategory: integer('feed_category'), // Torznab category number as sent by the indexer
    indexer: text('indexer'), // indexer name from indexers.yaml
    detailsUrl: text('details_url'), // the feed's <comments>/details page; never with an API key
    imdbId: text('imdb_id'), // tt1234567
    tmdbId: integer('tmdb_id'),
    tvdbId: integer('tvdb_id'),
    addedAt: integer('added_at').notNull(), // run clock when first stored
    // The release name parsed once (pipeline/group): what the parse was made from
    // ("<parser version>|<category>|<imdb>|<tmdb>|<tvdb>"), null = never parsed; re-parsed when it differs.
    parseInput: text('parse_input'),
    parsedTitle: text('parsed_title'),
    parsedYear: integer('parsed_year'),
    parsedSeason: integer('parsed_season'),
    parsedEpisode: integer('parsed_episode'),
    parsedAirDate: text('parsed_air_date'), // YYYY-MM-DD, daily shows
    parsedKind: text('parsed_kind', { enum: MEDIA_KINDS }),
    parsed: text('parsed', { mode: 'json' }).$type<Record<string, unknown>>(), // the whole parse (ParsedRelease)
    groupKeys: text('group_keys'), // keys the grouping joins on, tab-separated ("n:<title>", "imdb:tt…")
    groupedInput: text('grouped_input'), // parse_input when its group was last evaluated
    // Run clock of the month's first save that found it let go long ago (pipeline/db/partitions.ts
    // ARCHIVED): its rows then live in the data branch's archive files, not in the monthly base.
    archivedAt: integer('archived_at'),
  },
  (t) => [
    index('torrents_status_idx').on(t.status, t.category),
    index('torrents_pub_date_idx').on(t.pubDate),
    // The torrents not archived yet: what a month's base and its archiving read, not every torrent ever seen.
    index('torrents_live_idx').on(t.status).where(sql`archived_at IS NULL`),
  ],
)

/** Every status change, with the run clock at which it happened (the first row is `new`). */
export const statusHistory = sqliteTable(
  'status_history',
  {
    torrentId: integer('torrent_id')
      .notNull()
      .references(() => torrents.id, { onDelete: 'cascade' }),
    time: integer('time').notNull(),
    status: text('status', { enum: TORRENT_STATUSES }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.torrentId, t.time, t.status] })],
)

/** Which trackers announce a torrent (only trackers of trackers.yaml are linked). */
export const torrentTrackers = sqliteTable(
  'torrent_trackers',
  {
    torrentId: integer('torrent_id')
      .notNull()
      .references(() => torrents.id, { onDelete: 'cascade' }),
    trackerId: integer('tracker_id')
      .notNull()
      .references(() => trackers.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.torrentId, t.trackerId] }), index('torrent_trackers_tracker_idx').on(t.trackerId)],
)

/**
 * Tracker scrapes: the table that grows fastest. `time` is the scrape run's clock truncated to the
 * minute, so a re-run in the same minute replaces rather than duplicates. The migration makes it a
 * WITHOUT ROWID table: the primary key (torrent, time, tracker) is the covering, clustered index.
 * `completed` is nullable (some trackers never send it).
 */
export const stats = sqliteTable(
  'stats',
  {
    torrentId: integer('torrent_id')
      .notNull()
      .references(() => torrents.id, { onDelete: 'cascade' }),
    time: integer('time').notNull(),
    trackerId: integer('tracker_id')
      .notNull()
      .references(() => trackers.id, { onDelete: 'cascade' }),
    seeders: integer('seeders').notNull(),
    leechers: integer('leechers').notNull(),
    completed: integer('completed'),
  },
  (t) => [primaryKey({ columns: [t.torrentId, t.time, t.trackerId] })],
)

/** The indexer's own numbers for a torrent at feed-fetch time: a stats source of its own. */
export const indexerStats = sqliteTable(
  'indexer_stats',
  {
    torrentId: integer('torrent_id')
      .notNull()
      .references(() => torrents.id, { onDelete: 'cascade' }),
    time: integer('time').notNull(),
    indexer: text('indexer').notNull(),
    seeders: integer('seeders'),
    leechers: integer('leechers'), // peers − seeders when the feed sends peers
    grabs: integer('grabs'),
  },
  (t) => [primaryKey({ columns: [t.torrentId, t.time, t.indexer] })],
)

/**
 * Trend scores. One row per torrent scored by one engine at one run clock; `rank` is 1-based among
 * that run's scored torrents and `trending` marks the top K. "The latest run" of an engine is its
 * largest `time`.
 */
export const trends = sqliteTable(
  'trends',
  {
    torrentId: integer('torrent_id')
      .notNull()
      .references(() => torrents.id, { onDelete: 'cascade' }),
    time: integer('time').notNull(),
    engine: text('engine').notNull(),
    score: real('score').notNull(),
    rank: integer('rank').notNull(),
    trending: integer('trending', { mode: 'boolean' }).notNull().default(false),
  },
  (t) => [
    uniqueIndex('trends_torrent_time_engine_uq').on(t.torrentId, t.time, t.engine),
    index('trends_time_idx').on(t.engine, t.time),
  ],
)

/** Movies and series (shows). `key` is the grouping key (normalised title + year for movies). */
export const media = sqliteTable(
  'media',
  {
    id: integer('id').primaryKey(),
    kind: text('kind', { enum: MEDIA_KINDS }).notNull(),
    key: text('key').notNull(),
    title: text('title').notNull(),
    year: integer('year'),
    originalTitle: text('original_title'),
    language: text('language'),
    imdbId: text('imdb_id'),
    tmdbId: integer('tmdb_id'),
    tvdbId: integer('tvdb_id'),
    posterUrl: text('poster_url'),
    genres: text('genres', { mode: 'json' }).$type<string[]>(),
    rating: real('rating'), // 0–10
    votes: integer('votes'),
    overview: text('overview'),
    metadataSource: text('metadata_source'), // feed | tmdb | imdb | none
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('media_kind_key_uq').on(t.kind, t.key),
    index('media_imdb_idx').on(t.imdbId),
    index('media_tmdb_idx').on(t.tmdbId),
  ],
)

/** Torrent → the movie or series it carries, with what its release name says. */
export const torrentMedia = sqliteTable(
  'torrent_media',
  {
    torrentId: integer('torrent_id')
      .primaryKey()
      .references(() => torrents.id, { onDelete: 'cascade' }),
    mediaId: integer('media_id')
      .notNull()
      .references(() => media.id, { onDelete: 'cascade' }),
    season: integer('season'),
    episode: integer('episode'), // null for a season pack or a movie
    release: text('release', { mode: 'json' }).$type<Record<string, unknown>>(), // parsed quality etc.
  },
  (t) => [index('torrent_media_media_idx').on(t.mediaId)],
)

/** Scores of movies/series per trend run (aggregated from their torrents): rank history. */
export const mediaTrends = sqliteTable(
  'media_trends',
  {
    mediaId: integer('media_id')
      .notNull()
      .references(() => media.id, { onDelete: 'cascade' }),
    time: integer('time').notNull(),
    engine: text('engine').notNull(),
    score: real('score').notNull(),
    rank: integer('rank').notNull(),
    torrents: integer('torrents').notNull(),
  },
  (t) => [primaryKey({ columns: [t.mediaId, t.time, t.engine] }), index('media_trends_time_idx').on(t.engine, t.time)],
)

/** Cache of metadata look-ups so a title costs at most one look-up ever (hits and misses). */
export const metadataCache = sqliteTable(
  'metadata_cache',
  {
    provider: text('provider').notNull(), // tmdb | imdb
    query: text('query').notNull(), // e.g. "find:tt0111161" or "search:movie:the matrix:1999"
    result: text('result', { mode: 'json' }), // null = looked up, nothing found
    fetchedAt: integer('fetched_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.provider, t.query] })],
)

/** IMDb non-commercial datasets, imported offline (`movies import-imdb`). */
export const imdbTitles = sqliteTable(
  'imdb_titles',
  {
    tconst: text('tconst').primaryKey(),
    type: text('type').notNull(), // movie | tvMovie | tvSeries | tvMiniSeries
    primaryTitle: text('primary_title').notNull(),
    originalTitle: text('original_title'),
    normTitle: text('norm_title').notNull(),
    /** normaliseTitle(originalTitle) when it differs from the primary title ("gisaengchung"). */
    normOriginal: text('norm_original'),
    startYear: integer('start_year'),
    endYear: integer('end_year'),
    genres: text('genres'), // comma-separated as in the dataset
    rating: real('rating'),
    votes: integer('votes'),
  },
  (t) => [
    index('imdb_titles_norm_idx').on(t.normTitle, t.startYear),
    index('imdb_titles_norm_orig_idx').on(t.normOriginal, t.startYear),
  ],
)

/**
 * The other known titles of an imported IMDb title (title.akas.tsv: every localised title), each
 * normalised (normaliseTitle) and kept only when it differs from the title's primary and original
 * normalised titles. WITHOUT ROWID in the migration (0008): the key and the index are the table.
 */
export const imdbAkas = sqliteTable(
  'imdb_akas',
  {
    tconst: text('tconst').notNull(),
    normTitle: text('norm_title').notNull(),
  },
  (t) => [primaryKey({ columns: [t.tconst, t.normTitle] }), index('imdb_akas_norm_idx').on(t.normTitle)],
)

export const FEED_ITEM_OUTCOMES = ['stored', 'skipped', 'failed'] as const

/**
 * Every item a feed has shown (by its info hash, else its guid), with what became of it: so a
 * re-run never downloads an item again to learn what it already knows (a download through
 * Prowlarr is a grab on the user's account), and so a feed that moved on by more than one page
 * between runs is noticed. Rows not seen for 30 days are dropped.
 */
export const feedItems = sqliteTable(
  'feed_items',
  {
    feed: text('feed').notNull(), // indexer/category, as in indexers.yaml
    key: text('key').notNull(), // "hash:<40 hex>", else "guid:<guid>", else "title:<title>"
    outcome: text('outcome', { enum: FEED_ITEM_OUTCOMES }).notNull(),
    pubDate: integer('pub_date'),
    /** Failed downloads so far (a failed item is tried again after a day, at most 3 times). */
    attempts: integer('attempts').notNull().default(0),
    /** When its download was last tried (failed items only). */
    triedAt: integer('tried_at'),
    /** For a skipped item: the active trackers it was judged against (a new tracker re-opens it). */
    trackersKey: text('trackers_key'),
    error: text('error'),
    firstSeen: integer('first_seen').notNull(),
    lastSeen: integer('last_seen').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.feed, t.key] }),
    index('feed_items_pub_idx').on(t.feed, t.pubDate),
    index('feed_items_seen_idx').on(t.lastSeen),
  ],
)

/**
 * One row per pipeline step run (and one for each `mediastrends run` as step = 'run'). Its natural
 * key (across databases, for export/import) is (step, started_at, clock, target): a step started
 * again for the same target within the same wall-clock second at the same run clock is recorded
 * as started a second later (pipeline/db/runs.ts).
 */
export const runs = sqliteTable(
  'runs',
  {
    id: integer('id').primaryKey(),
    step: text('step').notNull(), // e.g. "torrents add", "torrents stats", "run"
    target: text('target'), // indexer/category or tracker name, when the step has one
    clock: integer('clock').notNull(), // the run's clock (--now)
    startedAt: integer('started_at').notNull(), // wall clock
    endedAt: integer('ended_at'),
    status: text('status', { enum: ['running', 'ok', 'failed'] })
      .notNull()
      .default('running'),
    counts: text('counts', { mode: 'json' }).$type<Record<string, number>>(),
    errors: text('errors', { mode: 'json' }).$type<string[]>(),
  },
  (t) => [
    index('runs_step_idx').on(t.step, t.startedAt),
    uniqueIndex('runs_natural_uq').on(t.step, t.startedAt, t.clock, t.target),
  ],
)

/**
 * What the site shows, written by `site data` (pipeline/publish) from the config and the trend
 * runs: one row (id 1). The site reads it and nothing of the pipeline.
 */
export const siteSettings = sqliteTable('site_settings', {
  id: integer('id').primaryKey(), // always 1
  title: text('title').notNull(), // [site] title
  baseUrl: text('base_url').notNull(), // [site] base_url (SITE_URL wins at build time)
  engine: text('engine').notNull(), // the trend engine shown: [trends_manager] engine
  latestRun: integer('latest_run'), // the engine's latest trend run (media_trends time); null before the first
  previousRun: integer('previous_run'), // the run before it
  torrentPageDays: integer('torrent_page_days').notNull().default(30), // [site] torrent_page_days
  updatedAt: integer('updated_at').notNull(), // run clock of the refresh
})

/**
 * Daily activity of a torrent (UTC days), written by `site data`: its scrapes of the day, the
 * busiest tracker's numbers (trackers see overlapping peers, so they are not added). Downloads are
 * the completed counters' increase by the pipeline's counter rule (score/counter.ts), counted on
 * the day of the later scrape; null when no tracker sent two completed values by then.
 */
export const torrentActivity = sqliteTable(
  'torrent_activity',
  {
    torrentId: integer('torrent_id')
      .notNull()
      .references(() => torrents.id, { onDelete: 'cascade' }),
    day: integer('day').notNull(), // unix s of the UTC day's start
    seeders: integer('seeders').notNull(), // the most any scrape of the day reported
    leechers: integer('leechers').notNull(),
    peers: integer('peers').notNull(), // the most seeders + leechers of one scrape
    downloads: integer('downloads'), // the busiest tracker's downloads of the day
  },
  (t) => [primaryKey({ columns: [t.torrentId, t.day] })],
)

/**
 * Daily activity of a movie or series: the sum of its torrents' `torrent_activity` (nulls skipped).
 * Both activity tables are WITHOUT ROWID (the migration): the primary key is the clustered index.
 */
export const mediaActivity = sqliteTable(
  'media_activity',
  {
    mediaId: integer('media_id')
      .notNull()
      .references(() => media.id, { onDelete: 'cascade' }),
    day: integer('day').notNull(),
    seeders: integer('seeders').notNull(),
    leechers: integer('leechers').notNull(),
    peers: integer('peers').notNull(),
    downloads: integer('downloads'), // null when none of its torrents had downloads that day
  },
  (t) => [
    primaryKey({ columns: [t.mediaId, t.day] }),
    // The charts read a few recent days of every title (pipeline/publish/charts.ts): a range on
    // the day, covering, so their cost does not grow with the history.
    index('media_activity_day_idx').on(t.day, t.mediaId, t.downloads),
  ],
)

/**
 * A movie's or series' closed weeks, packed (pipeline/publish/weeks.ts) once they are past the
 * days the pipeline still reads or rewrites (pipeline/db/partitions.ts PACK_DAYS): one row per
 * title and week holding what its 90-day charts show of that week, its daily activity
 * (media_activity's rows) and each day's last rank per engine (media_trends' daily rows). The
 * data branch keeps the rows themselves too; a restore reads a packed week's one file instead of
 * fourteen rows per title. Readers take the two tables' rows first and these for the days they
 * lack (site/lib/data.ts).
 */
export const mediaWeeks = sqliteTable(
  'media_weeks',
  {
    mediaId: integer('media_id')
      .notNull()
      .references(() => media.id, { onDelete: 'cascade' }),
    week: integer('week').notNull(), // unix s of the week's Monday, 00:00 UTC
    // [day, seeders, leechers, peers, downloads][], by day
    activity: text('activity', { mode: 'json' }).$type<WeekActivity[]>().notNull(),
    // [time, engine, score, rank, torrents][], by time
    ranks: text('ranks', { mode: 'json' }).$type<WeekRank[]>().notNull(),
  },
  (t) => [primaryKey({ columns: [t.mediaId, t.week] }), index('media_weeks_week_idx').on(t.week)],
)
export type WeekActivity = [day: number, seeders: number, leechers: number, peers: number, downloads: number | null]
export type WeekRank = [time: number, engine: string, score: number, rank: number, torrents: number]

/**
 * Where `site data` left each torrent, so the next refresh starts there (the site never reads it).
 * No foreign key: the row of a deleted torrent is how its movie or series learns it lost it.
 */
export const activityState = sqliteTable('activity_state', {
  torrentId: integer('torrent_id').primaryKey(),
  day: integer('day'), // start of the last day computed (recomputed next time); null: no scrape yet
  lastTime: integer('last_time'), // the newest scrape included
  counters: text('counters', { mode: 'json' }).$type<Record<string, number>>(), // tracker id → counter base at `day`
  mediaId: integer('media_id'), // its torrent_media link when last computed
})

/** The charts a visitor and the feeds read: `day` (the engine's ranking of the run), `week`
 * (downloads over the 7 days to the chart's day, as TorrentFreak's weekly list), `rising` (titles
 * far above their own recent baseline). Written per run by `site data` (pipeline/publish). */
export const CHART_WINDOWS = ['day', 'week', 'rising'] as const
export type ChartWindow = (typeof CHART_WINDOWS)[number]

export const charts = sqliteTable(
  'charts',
  {
    window: text('window', { enum: CHART_WINDOWS }).notNull(),
    kind: text('kind', { enum: MEDIA_KINDS }).notNull(),
    time: integer('time').notNull(), // the run clock the chart was computed at (unix s)
    mediaId: integer('media_id')
      .notNull()
      .references(() => media.id, { onDelete: 'cascade' }),
    rank: integer('rank').notNull(), // 1 = top
    value: real('value').notNull(), // day/week: downloads per day / over the week; rising: its score
    lastRank: integer('last_rank'), // rank in the previous chart of this window (day, rising: previous run; week: 7 days earlier); null = new or re-entry
    periods: integer('periods').notNull(), // runs (day, rising) or weeks (week) on this chart so far, this one included
    peakRank: integer('peak_rank').notNull(), // best rank ever on this chart
    reentry: integer('reentry', { mode: 'boolean' }).notNull().default(false), // back after dropping out
  },
  (t) => [
    primaryKey({ columns: [t.window, t.kind, t.time, t.mediaId] }),
    index('charts_rank_idx').on(t.window, t.kind, t.time, t.rank),
    // A title's latest row of a window (its peak and periods when it re-enters): one seek.
    index('charts_media_idx').on(t.mediaId, t.window, t.time),
  ],
)

/**
 * The snapshot rows a save of the data branch has still to write: noted by SQLite triggers on the
 * snapshot tables (pipeline/db/dirty.ts), `pending` the stamp of the save that last wrote them;
 * forgotten once that save's files are on the branch. Local rowids: never exported.
 */
export const saveDirty = sqliteTable(
  'save_dirty',
  {
    tbl: text('tbl').notNull(), // the snapshot table
    rid: integer('rid').notNull(), // the row's rowid there
    pending: text('pending'), // stamp of the save that wrote it (null: no save yet)
  },
  (t) => [primaryKey({ columns: [t.tbl, t.rid] })],
)

/**
 * Tables in dependency order (parents first): used by reset-tables, and by export/import
 * (pipeline/db/ndjson.ts), which derives its columns, natural keys (primary key, else unique
 * index) and id references (foreign keys) from these declarations. Export/import take every table
 * here but those of NOT_EXPORTED.
 */
export const TABLES = {
  trackers,
  torrents,
  status_history: statusHistory,
  torrent_trackers: torrentTrackers,
  stats,
  indexer_stats: indexerStats,
  feed_items: feedItems,
  trends,
  media,
  torrent_media: torrentMedia,
  media_trends: mediaTrends,
  metadata_cache: metadataCache,
  imdb_titles: imdbTitles,
  imdb_akas: imdbAkas,
  runs,
  site_settings: siteSettings,
  torrent_activity: torrentActivity,
  media_activity: mediaActivity,
  activity_state: activityState,
  charts,
  media_weeks: mediaWeeks,
  save_dirty: saveDirty,
} as const
export type TableName = keyof typeof TABLES
/**
 * Tables that `database export` leaves out: `imdb_titles` and `imdb_akas` (re-imported from IMDb's
 * files), and what `site data` rewrites from the config and the other tables on every refresh
 * (`site_settings`, and `activity_state`, its bookkeeping, which holds local ids), and `save_dirty`
 * (the data branch save's bookkeeping, local rowids).
 */
export const NOT_EXPORTED: readonly TableName[] = [
  'imdb_titles',
  'imdb_akas',
  'site_settings',
  'activity_state',
  'save_dirty',
]
