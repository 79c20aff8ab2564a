/**
 * loadConfig(): find, read, merge, interpolate and validate the configuration, once.
 * Package defaults (mediastrends.ini beside this file) < the user's mediastrends.<MODE>.ini <
 * MEDIASTRENDS__SECTION__KEY environment variables. Every problem (ini syntax, interpolation, types,
 * YAML) names its file, line and key, and all of them are reported together in one UserError.
 */
import { existsSync, statSync } from 'node:fs'
import { homedir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { z } from 'zod'
import { UserError } from '../core/errors.ts'
import { registerSecret } from '../core/log.ts'
import { type IniData, type IniValue, interpolate, mergeIni, parseIni, whereOf } from './ini.ts'
import {
  type Config,
  FEED_CATEGORIES,
  type FeedCategory,
  feedCategoryOf,
  type IndexerConfig,
  type IndexerEntries,
  type IniConfig,
  indexerCategorySchema,
  indexersSchema,
  indexerTrackersSchema,
  iniSchema,
  KEY_ALIASES,
  LEGACY_SECTIONS,
  type TrackerConfig,
  trackersSchema,
} from './schema.ts'
import { fileExists, readText, readYaml, validate, where, type YamlFile } from './yaml.ts'

export const DEFAULTS_FILE = join(dirname(fileURLToPath(import.meta.url)), 'mediastrends.ini')
export const ENV_PREFIX = 'MEDIASTRENDS__'

export interface LoadOptions {
  mode?: string
  configDir?: string
  env?: NodeJS.ProcessEnv
  cwd?: string
  home?: string
  /** Directories searched after the others (tests set [] to avoid /etc). */
  systemDirs?: string[]
}

/** The directories searched for mediastrends.<MODE>.ini, in order; first found wins. */
export function searchDirs(opts: LoadOptions): { dir: string; why: string }[] {
  const env = opts.env ?? process.env
  const dirs: { dir: string; why: string }[] = []
  if (opts.configDir) dirs.push({ dir: resolve(opts.cwd ?? process.cwd(), opts.configDir), why: '-f/--config-dir' })
  if (env.MEDIASTRENDS_DIRCONF) dirs.push({ dir: resolve(env.MEDIASTRENDS_DIRCONF), why: '$MEDIASTRENDS_DIRCONF' })
  dirs.push({ dir: resolve(opts.cwd ?? process.cwd()), why: 'current directory' })
  dirs.push({ dir: opts.home ?? homedir(), why: 'home directory' })
  for (const d of opts.systemDirs ?? ['/etc/mediastrends']) dirs.push({ dir: d, why: 'system' })
  return dirs
}

export function findUserConfig(mode: string, opts: LoadOptions): string {
  const name = `mediastrends.${mode}.ini`
  if (opts.configDir) {
    const dir = resolve(opts.cwd ?? process.cwd(), opts.configDir)
    if (!existsSync(dir) || !statSync(dir).isDirectory()) {
      throw new UserError(`-f/--config-dir ${opts.configDir}: not a directory`)
    }
  }
  const dirs = searchDirs(opts)
  for (const { dir } of dirs) {
    const candidate = join(dir, name)
    if (existsSync(candidate)) return candidate
  }
  throw new UserError(`no ${name} found (mode "${mode}"); looked in: ${dirs.map((d) => d.dir).join(', ')}`, {
    details: ['Create one (see README "Configuration"), or pass -f DIR / set MEDIASTRENDS_DIRCONF.'],
  })
}

function envLayer(env: NodeJS.ProcessEnv): IniData {
  const layer: IniData = new Map()
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || value === undefined) continue
    const [section, key, ...rest] = name.slice(ENV_PREFIX.length).split('__')
    if (!section || !key || rest.length) continue
    const s = section.toLowerCase()
    const keys = layer.get(s) ?? new Map<string, IniValue>()
    keys.set(key.toLowerCase(), { value, file: `environment ${name}`, line: 0 })
    layer.set(s, keys)
  }
  return layer
}

/** Turn zod issues into lines naming file, line, section and key. */
function iniProblems(error: z.ZodError, data: IniData, userFile: string): string[] {
  const problems: string[] = []
  for (const issue of error.issues) {
    const [section, key] = issue.path.map(String)
    if (issue.code === 'unrecognized_keys') {
      for (const k of issue.keys) {
        const v = data.get(String(section))?.get(k)
        problems.push(
          v ? `${whereOf(v, String(section), k)}: unknown key` : `${userFile}: [${section}] ${k}: unknown key`,
        )
      }
      continue
    }
    if (!section || !key) {
      problems.push(`${userFile}: [${section ?? '?'}]: ${issue.message}`)
      continue
    }
    const v = data.get(section)?.get(key)
    problems.push(
      v
        ? `${whereOf(v, section, key)}: ${issue.message} (got "${v.value}")`
        : `${userFile}: [${section}] ${key}: ${issue.message}`,
    )
  }
  return problems
}

function fail(problems: string[]): never {
  const unique = [...new Set(problems)]
  throw new UserError(unique.length === 1 ? (unique[0] ?? '') : `${unique.length} problems in the configuration:`, {
    details: unique.length === 1 ? [] : unique,
  })
}

/**
 * Validate merged ini layers (paths relative to `base`); problems are pushed, never thrown. Also
 * returns the interpolated values with where each came from.
 */
function validateIni(
  merged: IniData,
  base: string,
  userFile: string,
  problems: string[],
): { ini?: IniConfig; values: IniData } {
  const schema = iniSchema(base)
  const known = new Set(Object.keys(schema.shape))
  for (const [section, aliases] of Object.entries(KEY_ALIASES)) {
    const keys = merged.get(section)
    if (!keys) continue
    for (const [oldKey, newKey] of Object.entries(aliases)) {
      const v = keys.get(oldKey)
      if (!v) continue
      // the old name wins over the package default, not over the new name written by the user
      if (!keys.has(newKey) || keys.get(newKey)?.file === DEFAULTS_FILE) keys.set(newKey, v)
      keys.delete(oldKey)
    }
  }
  for (const section of [...merged.keys()]) {
    if (known.has(section)) continue
    if (!(LEGACY_SECTIONS as readonly string[]).includes(section)) {
      const first = merged.get(section)?.values().next().value as IniValue | undefined
      problems.push(
        `${first ? (first.line ? `${first.file}:${first.line}` : first.file) : userFile}: [${section}]: unknown section (known: ${[...known].join(', ')})`,
      )
    }
    merged.delete(section)
  }
  const values = interpolate(merged)
  problems.push(...values.problems)
  const plain: Record<string, Record<string, string>> = {}
  for (const [s, keys] of values.data) plain[s] = Object.fromEntries([...keys].map(([k, v]) => [k, v.value]))
  const parsed = schema.safeParse(plain)
  if (parsed.success) return { ini: parsed.data, values: values.data }
  // a key that could not be interpolated is already reported: not again as "missing"
  const failed = new Set(
    [...merged].flatMap(([s, keys]) =>
      [...keys.keys()].filter((k) => !values.data.get(s)?.has(k)).map((k) => `${s}.${k}`),
    ),
  )
  const issues = parsed.error.issues.filter((i) => !failed.has(i.path.slice(0, 2).map(String).join('.')))
  problems.push(...iniProblems({ ...parsed.error, issues } as z.ZodError, values.data, userFile))
  return { values: values.data }
}

/** The package defaults alone (for tools that need the shipped settings, e.g. `npm run eval`). */
export function packageDefaults(base = process.cwd()): IniConfig {
  const problems: string[] = []
  const defaults = parseIni(readText(DEFAULTS_FILE, 'the package defaults'), DEFAULTS_FILE)
  const { ini } = validateIni(defaults.data, base, DEFAULTS_FILE, problems)
  if (!ini || problems.length) fail(problems)
  return ini
}

export function loadConfig(opts: LoadOptions = {}): Config {
  const env = opts.env ?? process.env
  const mode = (opts.mode ?? env.MEDIASTRENDS_MODE ?? '').trim()
  if (!mode) {
    throw new UserError('no MODE given: pass -m MODE or set MEDIASTRENDS_MODE (it selects mediastrends.MODE.ini)')
  }
  if (!/^[\w.-]+$/.test(mode)) throw new UserError(`MODE "${mode}": use letters, digits, "_", "-" or "." only`)

  const userFile = findUserConfig(mode, opts)
  const defaults = parseIni(readText(DEFAULTS_FILE, 'the package defaults'), DEFAULTS_FILE)
  const user = parseIni(readText(userFile, 'the config file'), userFile)
  const problems = [...defaults.problems, ...user.problems]
  const { ini, values } = validateIni(
    mergeIni(defaults.data, user.data, envLayer(env)),
    dirname(userFile),
    userFile,
    problems,
  )
  if (!ini) fail(problems)

  const warnings: string[] = []
  /** A file named in the config: missing is fine for the package default, an error when the user set it. */
  const yamlOf = (section: 'indexers' | 'trackers', key: string, file: string, wrapper: string) => {
    if (!file) return undefined
    if (fileExists(file)) return readYaml(file, `the ${section} file`, wrapper, problems)
    const v = values.get(section)?.get(key)
    if (v && v.file !== DEFAULTS_FILE)
      problems.push(`${file}: the ${section} file does not exist (${whereOf(v, section, key)})`)
    return undefined
  }
  const ty = yamlOf('trackers', 'tracker_file', ini.trackers.tracker_file, 'trackers')
  const trackers = ty ? readTrackers(ty, problems) : {}
  const iy = yamlOf('indexers', 'indexer_file', ini.indexers.indexer_file, 'indexers')
  const indexers = iy ? readIndexers(iy, trackers, problems, warnings) : {}
  if (problems.length) fail(problems)

  registerSecret(ini.jackettapi.apikey)
  registerSecret(ini.tmdb.apikey)
  for (const tr of Object.values(trackers)) for (const s of trackerSecrets(tr.path)) registerSecret(s)
  return {
    ...ini,
    mode,
    files: [DEFAULTS_FILE, userFile],
    warnings,
    indexers: { ...ini.indexers, entries: indexers },
    trackers: { ...ini.trackers, entries: trackers },
  }
}

function readTrackers(y: YamlFile, problems: string[]): Record<string, TrackerConfig> {
  const t = validate(y, [], y.value, trackersSchema, problems) ?? {}
  return Object.fromEntries(Object.entries(t).map(([name, v]) => [name, { ...v, name }]))
}

/**
 * indexers.yaml → indexer → { categories: movies/series → settings, trackers }. A category named
 * other than movies/series (the older tool's README writes `cat_1`, `cat_2`) is mapped by its
 * Torznab `cat` (2000–2999 movies, 5000–5999 series); one that cannot be mapped is skipped with a
 * warning naming it (the older tool only ever read `movies`/`series` keys).
 */
function readIndexers(
  y: YamlFile,
  trackers: Record<string, TrackerConfig>,
  problems: string[],
  warnings: string[],
): IndexerEntries {
  const raw = validate(y, [], y.value, indexersSchema, problems) ?? {}
  const out: IndexerEntries = {}
  for (const [name, entry] of Object.entries(raw)) {
    const indexer: IndexerConfig = { categories: {}, trackers: [] }
    for (const [key, value] of Object.entries(entry)) {
      if (key === 'trackers') {
        indexer.trackers = validate(y, [name, key], value, indexerTrackersSchema, problems) ?? []
        for (const t of indexer.trackers) {
          if (!trackers[t]) {
            problems.push(
              `${where(y, [name, key])}: no tracker "${t}" in trackers.yaml (${Object.keys(trackers).join(', ') || 'none'})`,
            )
          }
        }
        continue
      }
      const settings = validate(y, [name, key], value ?? {}, indexerCategorySchema, problems)
      if (!settings) continue
      let category: FeedCategory | undefined = (FEED_CATEGORIES as readonly string[]).includes(key)
        ? (key as FeedCategory)
        : undefined
      if (!category) {
        const cats = (settings.params.cat ?? '')
          .split(',')
          .map((c) => Number(c.trim()))
          .filter(Number.isFinite)
        const kinds = new Set(cats.map(feedCategoryOf))
        const only = kinds.size === 1 ? [...kinds][0] : undefined
        if (!only) {
          warnings.push(
            `${where(y, [name, key])}: category "${key}" skipped: only "movies" and "series" are read, and its cat (${settings.params.cat ?? 'none'}) is not all movies (2000–2999) or all TV (5000–5999)`,
          )
          continue
        }
        category = only
      }
      const taken = indexer.categories[category]
      if (taken) {
        warnings.push(
          `${where(y, [name, key])}: category "${key}" skipped: ${name}.${taken.key} already gives the ${category} feed`,
        )
        continue
      }
      indexer.categories[category] = { ...settings, key }
    }
    out[name] = indexer
  }
  return out
}

/**
 * Private trackers put a passkey in the announce path or query (`/0123abcd…/announce`,
 * `announce.php?passkey=…`): every long token of the path is treated as a secret, so it is
 * redacted from logs, run errors and exports like an API key.
 */
export function trackerSecrets(path: string): string[] {
  return path.split(/[/?&=;]/).filter((seg) => /^[A-Za-z0-9_-]{16,}$/.test(seg))
}

/** The config as printed by `config show`: secrets masked. */
export function maskedConfig(config: Config): Config {
  const mask = (v: string | undefined) => (v ? '***' : undefined)
  return {
    ...config,
    jackettapi: { ...config.jackettapi, apikey: mask(config.jackettapi.apikey) },
    tmdb: { ...config.tmdb, apikey: mask(config.tmdb.apikey) },
  }
}
