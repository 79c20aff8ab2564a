/**
 * THE declaration of every config key: its section, type, range and a one-line doc (`.describe`).
 * Defaults live in the shipped `mediastrends.ini` beside this file (every key has one there; a test
 * checks both lists agree). `Config`, the object every stage receives, is inferred from this
 * schema: keys keep the names users write (`config.trends_manager.tau`), paths come out absolute.
 *
 * Adding a key: one line here (type + doc) and its default in mediastrends.ini. Nothing else.
 */
import { isAbsolute, resolve } from 'node:path'
import { z } from 'zod'
import { parseDateTime } from '../core/clock.ts'

// ---- value types (ini values arrive as strings) ----
const str = z.string()
const optStr = z
  .string()
  .transform((s) => (s.trim() === '' ? undefined : s.trim()))
  .optional()
const int = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .trim()
    .regex(/^-?\d+$/, { message: 'expected a whole number' })
    .transform(Number)
    .pipe(z.number().int().min(min).max(max))
const num = (min: number, max = Number.POSITIVE_INFINITY) =>
  z
    .string()
    .trim()
    .regex(/^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/, { message: 'expected a number' })
    .transform(Number)
    .pipe(z.number().min(min).max(max))
const optDate = z
  .string()
  .trim()
  .transform((s, ctx) => {
    if (s === '') return undefined
    try {
      return parseDateTime(s, 'date') // UTC unless a zone is given, like --now
    } catch {
      ctx.addIssue({ code: 'custom', message: 'expected an ISO date (2026-01-31) or datetime, or nothing' })
      return z.NEVER
    }
  })
  .optional()
const STATUSES = ['new', 'follow', 'unfollow'] as const
const statusList = z
  .string()
  .transform((s) =>
    s
      .split(/[\s,]+/)
      .map((x) => x.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.enum(STATUSES)).min(1, { message: 'expected at least one status' }))
const url = z.url({ message: 'expected a URL' })
/** A duration: 4h, 30m, 90s, 1d, 1h30m, or a bare number of seconds; comes out in seconds. */
export function parseDuration(text: string): number | undefined {
  const s = text.trim().toLowerCase()
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s)
  if (!/^(\d+(\.\d+)?\s*[dhms]\s*)+$/.test(s)) return undefined
  const unit: Record<string, number> = { d: 86_400, h: 3600, m: 60, s: 1 }
  let total = 0
  for (const m of s.matchAll(/(\d+(?:\.\d+)?)\s*([dhms])/g)) total += Number(m[1]) * (unit[m[2] ?? 's'] ?? 1)
  return total
}
const duration = (minSeconds: number) =>
  z.string().transform((v, ctx) => {
    const n = parseDuration(v)
    if (n === undefined || n < minSeconds) {
      ctx.addIssue({
        code: 'custom',
        message: `expected a duration such as 4h, 30m or 90s${minSeconds ? ` (at least ${minSeconds} s)` : ''}`,
      })
      return z.NEVER
    }
    return n
  })
/** YAML and ini booleans: true/false, yes/no, on/off, 1/0 (any case: the older tool wrote `True`). */
export const bool = z.union([z.boolean(), z.string()]).transform((v, ctx) => {
  if (typeof v === 'boolean') return v
  const s = v.trim().toLowerCase()
  if (['1', 'yes', 'true', 'on'].includes(s)) return true
  if (['0', 'no', 'false', 'off'].includes(s)) return false
  ctx.addIssue({ code: 'custom', message: 'expected true or false' })
  return z.NEVER
})

/** The User-Agent sent when `[requests] user_agent` is empty (the older tool's example leaves it so). */
export const USER_AGENT = 'mediastrends/0.1 (+https://github.com/mediastrends/mediastrends)'

export const ENGINES = ['nowcast', 'velocity', 'normalized'] as const
export type EngineName = (typeof ENGINES)[number]

/**
 * The ini sections. `base` is the folder of the user's file: relative paths are resolved against
 * it (':memory:' stays as it is).
 */
export function iniSchema(base: string) {
  const path = z.string().transform((p) => (p === ':memory:' || isAbsolute(p) ? p : resolve(base, p)))
  /** A file that may be left empty (none): '' stays ''. */
  const optFile = z.string().transform((p) => (p.trim() === '' ? '' : isAbsolute(p) ? p : resolve(base, p)))
  return z.object({
    directory: z.strictObject({
      base: path.describe('root folder of the data (relative paths: to the config file)'),
      data: path.describe('data folder'),
      logs: path.describe('log folder (the older tool also read "log")'),
      sqlite: path.describe('folder of the database file'),
    }),
    db: z.strictObject({
      database: z.literal('sqlite', { message: 'only "sqlite" is supported' }).describe('database engine'),
    }),
    sqlite: z.strictObject({
      path: z.string().min(1, { message: 'expected a file path' }).pipe(path).describe('the database file'),
      backup_dir: path.describe('where `database backup save` writes'),
    }),
    indexers: z.strictObject({
      indexer_file: optFile.describe('indexers.yaml: indexer → category → settings (empty: none)'),
    }),
    trackers: z.strictObject({ tracker_file: optFile.describe('trackers.yaml: tracker → settings (empty: none)') }),
    requests: z.strictObject({
      user_agent: str
        .transform((v) => v.trim() || USER_AGENT)
        .describe(`User-Agent of every request (empty: ${USER_AGENT})`),
      batch_size: int(1, 10_000).describe('hashes per HTTP scrape (capped at 64)'),
      timeout: num(0.1, 600).describe('seconds before one tracker or TMDB request gives up'),
      feed_timeout: num(0.1, 3600).describe(
        'seconds before one Torznab request gives up (Jackett and Prowlarr wait up to 100 s for a site)',
      ),
      max_feed_bytes: int(1024).describe('largest Torznab reply read, in bytes (a longer one is cut and refused)'),
      concurrency: int(1, 256).describe('requests in flight at once per tracker or feed'),
      total_concurrency: int(1, 1024).describe('requests in flight at once across all trackers'),
    }),
    retry: z.strictObject({
      tries: int(1, 100).describe('attempts per network request (1 = no retry)'),
      delay: num(0, 3600).describe('first back-off delay in seconds (doubles each retry)'),
    }),
    torrents_manager: z.strictObject({
      new_delay: num(0, 3650).describe('days a torrent stays "new" after its pub date'),
      delta_hours: num(0, 24 * 3650).describe('the older tool’s window for new torrents, in hours'),
      min_date: optDate.describe('ignore torrents published before'),
      max_date: optDate.describe('ignore torrents published after'),
      candidates_status: statusList.describe('statuses scraped by `torrents stats`'),
    }),
    trends_manager: z
      .strictObject({
        engine: z
          .enum(ENGINES)
          .describe(
            'nowcast (expected downloads of the next 24 h), velocity (downloads/hour) or normalized (the older tool’s engine)',
          ),
        min_date: optDate.describe('start of the scoring window (default: max_date − delta_days)'),
        max_date: optDate.describe('end of the scoring window (default: the run clock)'),
        delta_days: num(0.001, 3650).describe('length of the scoring window in days'),
        torrents_status: statusList.describe('statuses scored by `torrents trends compute`'),
        tau: num(0, 1).describe('share of the candidates that trend: K = min(ceil(tau·N), max_trendings)'),
        max_trendings: int(0, 1_000_000).describe('most torrents that trend in one run'),
        weight_seeders: num(0).describe('normalized engine: weight of seeders'),
        weight_completed: num(0).describe('weight of downloads (completed)'),
        weight_leechers: num(0).describe('weight of leechers'),
        lambda: num(0).describe('normalized engine: decay per day seen'),
        half_life_hours: num(0.01, 24 * 365).describe('velocity engine: half-life of the smoothing, in hours'),
        nowcast_recent_scrapes: num(1, 100).describe(
          'nowcast engine: length of the recent window, in scrape intervals (hourly scrapes: hours)',
        ),
        nowcast_recent_min_hours: num(0.5, 48).describe('nowcast engine: shortest recent window, in hours'),
        nowcast_recent_max_hours: num(0.5, 48).describe('nowcast engine: longest recent window, in hours'),
        nowcast_recent_weight: num(0, 1).describe(
          'nowcast engine: weight of the recent window against the last 24 h (0: the last 24 h only)',
        ),
        nowcast_leechers_scrapes: num(0.1, 24).describe(
          'nowcast engine: half-life of the leecher smoothing, in scrape intervals',
        ),
        nowcast_completion: num(0, 1).describe('nowcast engine: share of the peers who start a download and finish it'),
        nowcast_pipeline: num(0, 1).describe(
          'nowcast engine: share of the leechers there now expected to complete within 24 h',
        ),
        nowcast_starved_ratio: num(0, 10).describe(
          'nowcast engine: below this many seeders per leecher, leecher growth counts only in proportion (0: always fully)',
        ),
        nowcast_trend_power: num(0, 2).describe(
          'nowcast engine: how much of the day-over-day change carries into tomorrow (0: none, 1: all)',
        ),
        nowcast_trend_max: num(1, 100).describe('nowcast engine: largest trend factor (and 1/it the smallest)'),
        nowcast_young_hours: num(0, 168).describe('nowcast engine: a torrent first seen less than this ago is young'),
        nowcast_young_boost: num(1, 10).describe('nowcast engine: age prior of a torrent first seen just now'),
        nowcast_stale_hours: num(0.5, 24 * 30).describe(
          'nowcast engine: a tracker with no scrape this long before the latest one is left out; fade half-life',
        ),
      })
      .superRefine((v, ctx) => {
        if (v.nowcast_recent_min_hours > v.nowcast_recent_max_hours) {
          ctx.addIssue({
            code: 'custom',
            path: ['nowcast_recent_min_hours'],
            message: `must not exceed nowcast_recent_max_hours (${v.nowcast_recent_max_hours})`,
          })
        }
      }),
    jackettapi: z.strictObject({
      scheme: z.enum(['http', 'https']).describe('scheme of the Torznab server'),
      domain: str.describe('host of the Torznab server'),
      port: int(1, 65535).describe('port of the Torznab server'),
      netloc: z.string().min(1, { message: 'expected host:port' }).describe('host:port (default ${domain}:${port})'),
      path: str.describe('feed path; {indexer} is replaced by the indexer name'),
      apikey: optStr.describe('API key of Jackett or Prowlarr (secret)'),
    }),
    tmdb: z.strictObject({
      apikey: optStr.describe('TMDB API key, v3 or v4 token (secret); empty: no TMDB look-ups'),
      language: str.describe('language of TMDB titles and overviews'),
      base_url: url.describe('TMDB API root'),
      image_base_url: url.describe('TMDB poster root'),
    }),
    site: z.strictObject({
      title: str.describe('the site’s name'),
      base_url: url.describe('the public address of the site (its path becomes the base of every link)'),
      torrent_page_days: int(0, 3650).describe(
        'a torrent keeps its own page while followed or for this many days after its last scrape; older ones are rows of their movie’s page',
      ),
    }),
    serve: z.strictObject({
      interval: duration(1).describe(
        '`mediastrends serve`: time between two runs (4h, 30m, 90s, 1d; bare number: seconds)',
      ),
      jitter: duration(0).describe(
        'serve: up to this much random delay added to each run (spreads the trackers’ load)',
      ),
      min_interval: duration(0).describe(
        'serve: never start a run sooner than this after the previous one began (whoever ran it)',
      ),
      host: str.describe('serve: address the site is served on (0.0.0.0: every interface; 127.0.0.1: this machine)'),
      port: int(0, 65535).describe('serve: HTTP port of the site and of /healthz (0: any free port)'),
      site_dir: path.describe('serve: where the built site goes and is served from'),
      unhealthy_after: int(1, 1000).describe('serve: /healthz answers 503 after this many failed cycles in a row'),
      publish: z
        .enum(['none', 'git', 'dir'], { message: 'expected none, git or dir' })
        .describe('serve: after each build, push the site to a git branch (git), copy it to a folder (dir), or not'),
      publish_remote: str.describe(
        'serve: git remote of the site and data branches (git@github.com:you/repo.git or https://…; token: $MEDIASTRENDS_GIT_TOKEN)',
      ),
      publish_branch: str.describe('serve: branch the site is pushed to (replaced by one commit each time)'),
      publish_dir: optFile.describe('serve: folder the site is copied to when publish = dir'),
      publish_ssh_key: optFile.describe('serve: SSH private key for publish_remote (empty: ssh’s own defaults)'),
      publish_data: bool.describe(
        'serve: also save the database to the data branch of publish_remote (scripts/data-branch.sh, as the Actions publisher)',
      ),
      data_branch: str.describe('serve: the data branch (the Actions publisher’s is "data")'),
    }),
  })
}
export type IniConfig = z.output<ReturnType<typeof iniSchema>>
export type SectionName = keyof IniConfig

/** Sections the older tool had that mean nothing any more: read and ignored. */
export const LEGACY_SECTIONS = ['ygg', 'stats_manager', 'trends', 'DEFAULT'] as const
/** Keys renamed since the older tool: old → new. */
export const KEY_ALIASES: Record<string, Record<string, string>> = { directory: { log: 'logs' } }

// ---- YAML files ----
// indexers.yaml: `indexers:` (an optional top-level key, as the older tool wrote it) → indexer →
// category → settings, plus an optional `trackers:` list per indexer. trackers.yaml: `trackers:`
// (optional) → tracker → settings. Booleans in any case (`True`), an empty `path:` for UDP.
export const FEED_CATEGORIES = ['movies', 'series'] as const
export type FeedCategory = (typeof FEED_CATEGORIES)[number]

/** Torznab standard categories: 2000–2999 movies, 5000–5999 TV; others (site-specific ≥ 100000…) none. */
export function feedCategoryOf(cat: number): FeedCategory | undefined {
  if (cat >= 2000 && cat <= 2999) return 'movies'
  if (cat >= 5000 && cat <= 5999) return 'series'
  return undefined
}

export const indexerCategorySchema = z.strictObject({
  active: bool.default(true),
  action: z.enum(['search', 'tvsearch', 'movie']).default('search'),
  params: z
    .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
    .nullish()
    .transform((p) => Object.fromEntries(Object.entries(p ?? {}).map(([k, v]) => [k, String(v)]))),
})
/** The trackers.yaml names an indexer's torrents are announced on: a list, or one name. */
export const indexerTrackersSchema = z
  .union([z.string(), z.array(z.string())], { message: 'expected a list of trackers.yaml names' })
  .nullish()
  .transform((v) => (v == null ? [] : typeof v === 'string' ? v.split(/[\s,]+/).filter(Boolean) : v))
/** indexer → { trackers?, <category>: settings }: categories are mapped to movies/series by the loader. */
export const indexersSchema = z.record(
  z.string(),
  z
    .record(z.string(), z.unknown(), { message: 'expected categories (movies, series) under the indexer' })
    .nullish()
    .transform((v) => v ?? {}),
)
export const trackerSchema = z.strictObject({
  active: bool.default(true),
  scheme: z.enum(['http', 'https', 'udp'], { message: 'expected "http", "https" or "udp"' }),
  netloc: z
    .string({ message: 'expected host:port' })
    .regex(/^(\[[0-9a-fA-F:.]+\]|[^\s/:[\]]+)(:\d{1,5})?$/, { message: 'expected host:port (no scheme, no path)' }),
  path: z
    .string()
    .nullish()
    .transform((p) => p ?? ''),
})
export const trackersSchema = z.record(z.string(), trackerSchema)

export type IndexerCategoryConfig = z.output<typeof indexerCategorySchema>
/** One indexer of indexers.yaml, its categories mapped to movies/series. */
export interface IndexerConfig {
  /** Settings per category; `key` is the name the file gives it (the older tool's `cat_1`…). */
  categories: Partial<Record<FeedCategory, IndexerCategoryConfig & { key: string }>>
  /** Names of trackers.yaml entries this indexer's torrents are announced on (may be empty). */
  trackers: string[]
}
export type IndexerEntries = Record<string, IndexerConfig>
export type TrackerConfig = z.output<typeof trackerSchema> & { name: string }

/**
 * The one typed config object every stage receives: the ini sections as declared above, plus the
 * two YAML files' entries beside their file keys (`indexers.entries`, `trackers.entries`).
 */
export type Config = Omit<IniConfig, 'indexers' | 'trackers'> & {
  /** The MODE of mediastrends.MODE.ini. */
  mode: string
  /** Files read, in order (package defaults first). */
  files: string[]
  /** What loading noticed but accepted (a category skipped…), one line each: printed once by the context. */
  warnings: string[]
  indexers: IniConfig['indexers'] & {
    /** indexer name → its categories and trackers; empty when there is no file. */
    entries: IndexerEntries
  }
  trackers: IniConfig['trackers'] & {
    /** tracker name → settings (all of them, active or not). */
    entries: Record<string, TrackerConfig>
  }
}
