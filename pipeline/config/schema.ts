/**
 * The typed config: what every stage receives. Built once by `loadConfig()` (load.ts) from the
 * ini files and the two YAML files, validated here with zod. Keys keep the older tool's names in
 * the files (snake_case) and become camelCase in the object.
 */
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
const statusList = z
  .string()
  .transform((s) =>
    s
      .split(/[\s,]+/)
      .map((x) => x.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.enum(['new', 'follow', 'unfollow'])).min(1, { message: 'expected at least one status' }))
const port = int(1, 65535)
const bool = z.union([z.boolean(), z.string()]).transform((v, ctx) => {
  if (typeof v === 'boolean') return v
  const s = v.trim().toLowerCase()
  if (['1', 'yes', 'true', 'on'].includes(s)) return true
  if (['0', 'no', 'false', 'off'].includes(s)) return false
  ctx.addIssue({ code: 'custom', message: 'expected true or false' })
  return z.NEVER
})

// ---- ini sections ----
export const iniSchema = z.object({
  directory: z.strictObject({ base: str, data: str, logs: str, sqlite: str }),
  db: z.strictObject({ database: z.literal('sqlite', { message: 'only "sqlite" is supported' }) }),
  sqlite: z.strictObject({ path: z.string().min(1, { message: 'expected a file path' }), backup_dir: str }),
  indexers: z.strictObject({ indexer_file: str }),
  trackers: z.strictObject({ tracker_file: str }),
  requests: z.strictObject({
    user_agent: str,
    batch_size: int(1, 10_000),
    timeout: num(0.1, 600),
    concurrency: int(1, 256),
    total_concurrency: int(1, 1024),
  }),
  retry: z.strictObject({ tries: int(1, 100), delay: num(0, 3600) }),
  torrents_manager: z.strictObject({
    new_delay: num(0, 3650),
    delta_hours: num(0, 24 * 3650),
    min_date: optDate,
    max_date: optDate,
    candidates_status: statusList,
  }),
  trends_manager: z.strictObject({
    engine: z.enum(['velocity', 'normalized']),
    min_date: optDate,
    max_date: optDate,
    delta_days: num(0.001, 3650),
    torrents_status: statusList,
    tau: num(0, 1),
    max_trendings: int(0, 1_000_000),
    weight_seeders: num(0),
    weight_completed: num(0),
    weight_leechers: num(0),
    lambda: num(0),
    half_life_hours: num(0.01, 24 * 365),
  }),
  jackettapi: z.strictObject({
    scheme: z.enum(['http', 'https']),
    domain: str,
    port: port,
    netloc: z.string().min(1, { message: 'expected host:port' }),
    path: str,
    apikey: optStr,
  }),
  tmdb: z.strictObject({
    apikey: optStr,
    language: str,
    base_url: z.url({ message: 'expected a URL' }),
    image_base_url: z.url({ message: 'expected a URL' }),
  }),
  site: z.strictObject({ title: str, base_url: z.url({ message: 'expected a URL' }) }),
})
export type IniConfig = z.infer<typeof iniSchema>

/** Sections the older tool had that mean nothing any more: read, warned about, ignored. */
export const LEGACY_SECTIONS = ['ygg', 'stats_manager', 'trends', 'DEFAULT'] as const
/** Keys renamed since the older tool: old → new. */
export const KEY_ALIASES: Record<string, Record<string, string>> = { directory: { log: 'logs' } }

// ---- YAML files ----
export const indexerCategorySchema = z.strictObject({
  active: bool.default(true),
  action: z.enum(['search', 'tvsearch', 'movie']).default('search'),
  params: z
    .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
    .nullish()
    .transform((p) => Object.fromEntries(Object.entries(p ?? {}).map(([k, v]) => [k, String(v)]))),
})
export const indexersSchema = z.record(
  z.string(),
  z.partialRecord(
    z.enum(['movies', 'series'], { message: 'expected category "movies" or "series"' }),
    indexerCategorySchema,
  ),
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

export type IndexerCategoryConfig = z.infer<typeof indexerCategorySchema>
export type TrackerConfig = z.infer<typeof trackerSchema> & { name: string }

/** The one typed config object every stage receives. Paths are absolute. */
export interface Config {
  mode: string
  /** Files read, in order (package defaults first). */
  files: string[]
  directory: { base: string; data: string; logs: string; sqlite: string }
  sqlite: { path: string; backupDir: string }
  indexerFile: string
  trackerFile: string
  /** indexer name → category → settings; empty when the file does not exist. */
  indexers: Record<string, Partial<Record<'movies' | 'series', IndexerCategoryConfig>>>
  /** tracker name → settings (all of them, active or not). */
  trackers: Record<string, TrackerConfig>
  requests: { userAgent: string; batchSize: number; timeout: number; concurrency: number; totalConcurrency: number }
  retry: { tries: number; delay: number }
  torrentsManager: {
    newDelay: number
    deltaHours: number
    minDate?: Date
    maxDate?: Date
    candidatesStatus: ('new' | 'follow' | 'unfollow')[]
  }
  trendsManager: {
    engine: 'velocity' | 'normalized'
    minDate?: Date
    maxDate?: Date
    deltaDays: number
    torrentsStatus: ('new' | 'follow' | 'unfollow')[]
    tau: number
    maxTrendings: number
    weightSeeders: number
    weightCompleted: number
    weightLeechers: number
    lambda: number
    halfLifeHours: number
  }
  jackettapi: { scheme: 'http' | 'https'; domain: string; port: number; netloc: string; path: string; apikey?: string }
  tmdb: { apikey?: string; language: string; baseUrl: string; imageBaseUrl: string }
  site: { title: string; baseUrl: string }
}
