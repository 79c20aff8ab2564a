/**
 * loadConfig(): find, read, merge, interpolate and validate the configuration, once.
 * Package defaults (mediastrends.ini beside this file) < the user's mediastrends.<MODE>.ini <
 * MEDIASTRENDS__SECTION__KEY environment variables. Every problem names its file (and line) and key;
 * all problems are reported together in one UserError.
 */
import { existsSync, readFileSync, statSync } from 'node:fs'
import { homedir } from 'node:os'
import { dirname, isAbsolute, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { isMap, LineCounter, parseDocument } from 'yaml'
import type { z } from 'zod'
import { errorMessage, UserError } from '../core/errors.ts'
import { logger, registerSecret } from '../core/log.ts'
import { type IniData, type IniValue, interpolate, mergeIni, parseIni } from './ini.ts'
import {
  type Config,
  type IniConfig,
  indexersSchema,
  iniSchema,
  KEY_ALIASES,
  LEGACY_SECTIONS,
  trackersSchema,
} from './schema.ts'

export const DEFAULTS_FILE = join(dirname(fileURLToPath(import.meta.url)), 'mediastrends.ini')
export const ENV_PREFIX = 'MEDIASTRENDS__'
const log = logger('config')

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

function readText(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    const why = code === 'ENOENT' ? 'file not found' : code === 'EACCES' ? 'permission denied' : errorMessage(err)
    throw new UserError(`${file}: cannot read ${what}: ${why}`)
  }
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

const where = (v: IniValue | undefined, fallback: string) => (v ? (v.line ? `${v.file}:${v.line}` : v.file) : fallback)

/** Turn zod issues into lines naming file, section and key. */
function iniProblems(error: z.ZodError, data: IniData, userFile: string): string[] {
  const problems: string[] = []
  for (const issue of error.issues) {
    const [section, key] = issue.path.map(String)
    if (issue.code === 'unrecognized_keys') {
      for (const k of issue.keys) {
        const v = data.get(String(section))?.get(k)
        problems.push(`${where(v, userFile)}: [${section}] ${k}: unknown key`)
      }
      continue
    }
    if (!key) {
      problems.push(`${userFile}: [${section}]: ${issue.message}`)
      continue
    }
    const v = section ? data.get(section)?.get(key) : undefined
    const got = v ? ` (got "${v.value}")` : ''
    problems.push(`${where(v, userFile)}: [${section}] ${key}: ${issue.message}${got}`)
  }
  return problems
}

function yamlFile<T>(file: string, schema: z.ZodType<T>, what: string, problems: string[]): T | undefined {
  if (!existsSync(file)) return undefined
  const text = readText(file, what)
  const lc = new LineCounter()
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false })
  if (doc.errors.length) {
    for (const e of doc.errors) {
      const pos = lc.linePos(e.pos[0])
      problems.push(`${file}:${pos.line}:${pos.col}: YAML syntax error: ${e.message.split('\n')[0]}`)
    }
    return undefined
  }
  const value = doc.toJS() ?? {}
  const parsed = schema.safeParse(value)
  if (parsed.success) return parsed.data
  const lineOf = (path: string[]): number => {
    for (let i = path.length; i >= 0; i--) {
      const node = doc.getIn(path.slice(0, i), true) as { range?: [number, number] } | undefined
      if (node?.range) return lc.linePos(node.range[0]).line
    }
    return 0
  }
  for (const issue of parsed.error.issues) {
    const path = issue.path.map(String)
    const keys = issue.code === 'unrecognized_keys' ? issue.keys.map((k) => [...path, k]) : [path]
    for (const keyPath of keys) {
      const line = lineOf(keyPath)
      const loc = line ? `${file}:${line}` : file
      const msg =
        issue.code === 'unrecognized_keys'
          ? 'unknown key'
          : issue.code === 'invalid_key'
            ? `${issue.message}`
            : issue.message
      problems.push(`${loc}: ${keyPath.length ? keyPath.join('.') : '(top level)'}: ${msg}`)
    }
  }
  if (!isMap(doc.contents) && value !== null) problems.push(`${file}: expected a mapping of names at the top level`)
  return undefined
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
  const merged = mergeIni(defaults, user, envLayer(env))

  // Old names, old sections.
  const problems: string[] = []
  for (const [section, aliases] of Object.entries(KEY_ALIASES)) {
    const keys = merged.get(section)
    if (!keys) continue
    for (const [oldKey, newKey] of Object.entries(aliases)) {
      const v = keys.get(oldKey)
      if (v) {
        if (!user.get(section)?.has(newKey)) keys.set(newKey, v)
        keys.delete(oldKey)
      }
    }
  }
  const known = new Set(Object.keys(iniSchema.shape))
  for (const section of [...merged.keys()]) {
    if (known.has(section)) continue
    const first = merged.get(section)?.values().next().value as IniValue | undefined
    if ((LEGACY_SECTIONS as readonly string[]).includes(section)) {
      if (section !== 'DEFAULT')
        log.debug(`${where(first, userFile)}: section [${section}] of the older tool is ignored`)
      continue
    }
    problems.push(`${where(first, userFile)}: [${section}]: unknown section (known: ${[...known].join(', ')})`)
    merged.delete(section)
  }

  let values: Map<string, Map<string, IniValue>>
  try {
    values = interpolate(merged)
  } catch (err) {
    if (err instanceof UserError) problems.push(err.message)
    throw new UserError(
      problems.length === 1 ? (problems[0] ?? '') : `${problems.length} problems in the configuration`,
      {
        details: problems.length === 1 ? [] : problems,
      },
    )
  }
  const plain: Record<string, Record<string, string>> = {}
  for (const [s, keys] of values) {
    if (!known.has(s)) continue
    plain[s] = Object.fromEntries([...keys].map(([k, v]) => [k, v.value]))
  }
  const parsed = iniSchema.safeParse(plain)
  if (!parsed.success) problems.push(...iniProblems(parsed.error, values, userFile))

  const base = dirname(userFile)
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(base, p))
  let ini: IniConfig | undefined
  let indexers: Config['indexers'] = {}
  let trackers: Config['trackers'] = {}
  if (parsed.success) {
    ini = parsed.data
    indexers = yamlFile(abs(ini.indexers.indexer_file), indexersSchema, 'the indexers file', problems) ?? {}
    const t = yamlFile(abs(ini.trackers.tracker_file), trackersSchema, 'the trackers file', problems) ?? {}
    trackers = Object.fromEntries(Object.entries(t).map(([name, v]) => [name, { ...v, name }]))
  }
  if (problems.length || !ini) {
    throw new UserError(
      problems.length === 1 ? (problems[0] ?? '') : `${problems.length} problems in the configuration:`,
      {
        details: problems.length === 1 ? [] : problems,
      },
    )
  }

  registerSecret(ini.jackettapi.apikey)
  registerSecret(ini.tmdb.apikey)
  for (const t of Object.values(trackers)) for (const s of trackerSecrets(t.path)) registerSecret(s)
  const tm = ini.trends_manager
  return {
    mode,
    files: [DEFAULTS_FILE, userFile],
    directory: {
      base: abs(ini.directory.base),
      data: abs(ini.directory.data),
      logs: abs(ini.directory.logs),
      sqlite: abs(ini.directory.sqlite),
    },
    sqlite: {
      path: ini.sqlite.path === ':memory:' ? ':memory:' : abs(ini.sqlite.path),
      backupDir: abs(ini.sqlite.backup_dir),
    },
    indexerFile: abs(ini.indexers.indexer_file),
    trackerFile: abs(ini.trackers.tracker_file),
    indexers,
    trackers,
    requests: {
      userAgent: ini.requests.user_agent,
      batchSize: ini.requests.batch_size,
      timeout: ini.requests.timeout,
      concurrency: ini.requests.concurrency,
      totalConcurrency: ini.requests.total_concurrency,
    },
    retry: { tries: ini.retry.tries, delay: ini.retry.delay },
    torrentsManager: {
      newDelay: ini.torrents_manager.new_delay,
      deltaHours: ini.torrents_manager.delta_hours,
      minDate: ini.torrents_manager.min_date,
      maxDate: ini.torrents_manager.max_date,
      candidatesStatus: ini.torrents_manager.candidates_status,
    },
    trendsManager: {
      engine: tm.engine,
      minDate: tm.min_date,
      maxDate: tm.max_date,
      deltaDays: tm.delta_days,
      torrentsStatus: tm.torrents_status,
      tau: tm.tau,
      maxTrendings: tm.max_trendings,
      weightSeeders: tm.weight_seeders,
      weightCompleted: tm.weight_completed,
      weightLeechers: tm.weight_leechers,
      lambda: tm.lambda,
      halfLifeHours: tm.half_life_hours,
    },
    jackettapi: { ...ini.jackettapi },
    tmdb: {
      apikey: ini.tmdb.apikey,
      language: ini.tmdb.language,
      baseUrl: ini.tmdb.base_url,
      imageBaseUrl: ini.tmdb.image_base_url,
    },
    site: { title: ini.site.title, baseUrl: ini.site.base_url },
  }
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
export function maskedConfig(config: Config): Record<string, unknown> {
  const mask = (v: string | undefined) => (v ? '***' : '')
  return {
    ...config,
    jackettapi: { ...config.jackettapi, apikey: mask(config.jackettapi.apikey) },
    tmdb: { ...config.tmdb, apikey: mask(config.tmdb.apikey) },
  }
}
