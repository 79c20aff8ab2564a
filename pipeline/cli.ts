/**
 * The CLI entry: parse arguments (cac), build the context, dispatch to a command, catch errors
 * once. Commands live with their stage (`<stage>/command.ts`: ingest, collect, score, group,
 * publish, run, db, config; the demo in devkit/demo); this file only wires names to them.
 *
 *   mediastrends [-v…] [-f DIR] [-m MODE] [--now ISO] [--json] <group> <command> [options]
 */
import { cac } from 'cac'
import { loadConfig } from './config/load.ts'
import { type Context, makeContext, type StepResult } from './context.ts'
import { clockFrom } from './core/clock.ts'
import { EXIT_PARTIAL_FAILURE, EXIT_USER_ERROR, errorMessage, UserError } from './core/errors.ts'
import { logger, out, redact, setVerbosity } from './core/log.ts'
import { recordStep } from './db/runs.ts'

const VERSION = '0.1.0'
const log = logger('cli')

/** Global options that take a value (to find where the command words start). */
const VALUE_OPTIONS = new Set(['-f', '--config-dir', '-m', '--mode', '--now'])

/** Count -v, -vv, -vvv and --verbose occurrences. */
export function countVerbosity(argv: string[]): number {
  let n = 0
  for (const a of argv) {
    if (a === '--') break
    if (/^-v+$/.test(a)) n += a.length - 1
    else if (a === '--verbose') n++
  }
  return n
}

/** `database backup save` → one argv token "database backup save", so cac can match it. */
export function joinCommandWords(argv: string[], commands: Set<string>): string[] {
  const args = [...argv]
  let i = 0
  while (i < args.length) {
    const a = args[i] ?? ''
    if (a === '--') return args
    if (a.startsWith('-')) {
      i += VALUE_OPTIONS.has(a) ? 2 : 1
      continue
    }
    for (const len of [3, 2]) {
      const words = args.slice(i, i + len)
      if (words.length === len && words.every((w) => !w.startsWith('-')) && commands.has(words.join(' '))) {
        args.splice(i, len, words.join(' '))
        return args
      }
    }
    return args
  }
  return args
}

/** Options that took several values in the older tool (`-c movies series`, `-t stats trends`). */
const MULTI_VALUE = new Set(['-c', '--category', '-t', '--table', '--tables'])
/** The older tool's spellings → ours. */
const LEGACY_OPTIONS: Record<string, string> = {
  '-di': '--mindate',
  '-dx': '--maxdate',
  '--tracker-name': '--tracker',
  '--tables': '--table',
  '--backup_date': '--date',
  '--backup-date': '--date',
}

/**
 * The older tool's command lines keep working: its two-letter short options, renamed options,
 * and options followed by several values (argparse `nargs='+'`), which cac reads as one value each.
 */
export function legacyArgs(argv: string[]): string[] {
  const out: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? ''
    if (a === '--') {
      out.push(...argv.slice(i))
      break
    }
    const opt = LEGACY_OPTIONS[a] ?? a
    out.push(opt)
    if (MULTI_VALUE.has(a) && i + 1 < argv.length) {
      out.push(argv[++i] ?? '')
      while (i + 1 < argv.length && !(argv[i + 1] ?? '-').startsWith('-')) out.push(opt, argv[++i] ?? '')
    }
  }
  return out
}

const list = (v: unknown): string[] =>
  (Array.isArray(v) ? v : v === undefined || v === true || v === false ? [] : [v])
    .flatMap((x) => String(x).split(','))
    .map((x) => x.trim())
    .filter(Boolean)

type Opts = Record<string, unknown>

/** A single step's outcome: its failures (each once, on stderr), then one summary line on stdout. */
function printStep(ctx: Context, step: string, r: StepResult): void {
  if (ctx.json) out(JSON.stringify({ step, ok: r.ok, counts: r.counts, errors: r.errors }))
  else {
    const log = ctx.log(step)
    for (const e of r.errors.slice(0, 20)) log.warn(e)
    if (r.errors.length > 20) log.warn(`… and ${r.errors.length - 20} more (see the runs table)`)
    const counts = Object.entries(r.counts)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')
    out(`${step}: ${r.ok ? 'ok' : 'FAILED'}${counts ? ` (${counts})` : ''}`)
  }
}

export async function main(argv: string[] = process.argv.slice(2)): Promise<number> {
  const verbosity = countVerbosity(argv)
  setVerbosity(verbosity)
  const cli = cac('mediastrends')
  let exitCode = 0
  let ctx: Context | undefined

  cli
    .option('-v, --verbose', 'More logs (repeat: -vv, -vvv; -vvvvv prints stacks)')
    .option('-f, --config-dir <dir>', 'Directory holding mediastrends.MODE.ini (also $MEDIASTRENDS_DIRCONF)')
    .option('-m, --mode <mode>', 'Config mode: reads mediastrends.MODE.ini (also $MEDIASTRENDS_MODE)')
    .option('--now <datetime>', 'Run as if it were this ISO datetime (also $MEDIASTRENDS_NOW)')
    .option('--json', 'Print results as JSON')

  const context = (opts: Opts): Context => {
    ctx ??= makeContext({
      clock: clockFrom(opts.now as string | undefined),
      json: Boolean(opts.json),
      verbosity,
      loadConfig: () =>
        loadConfig({ mode: opts.mode as string | undefined, configDir: opts.configDir as string | undefined }),
    })
    return ctx
  }
  /** A command that only reads or prints. */
  const plain =
    (fn: (ctx: Context, opts: Opts, args: unknown[]) => Promise<unknown>) =>
    async (...all: unknown[]) => {
      const opts = all.at(-1) as Opts
      const r = await fn(context(opts), opts, all.slice(0, -1))
      if (typeof r === 'number') exitCode = r
    }
  /** A command that rewrites the database: never while a run or a step holds the lock. */
  const locked = (what: string, fn: (ctx: Context, opts: Opts, args: unknown[]) => Promise<unknown>) =>
    plain(async (c, opts, args) => {
      const { withLock } = await import('./run/lock.ts')
      return withLock(c.config().sqlite.path, `mediastrends ${what}`, c.log('run'), () => fn(c, opts, args))
    })
  /** A pipeline step: recorded in the runs table, summary printed, exit 1 when it had failures. */
  const step =
    (
      name: string,
      target: (opts: Opts) => string | null,
      fn: (ctx: Context, opts: Opts, args: unknown[]) => Promise<StepResult>,
    ) =>
    async (...all: unknown[]) => {
      const opts = all.at(-1) as Opts
      const c = context(opts)
      // Single steps take the run lock too: a step never overlaps a `mediastrends run`.
      const { withLock } = await import('./run/lock.ts')
      const r = await withLock(c.config().sqlite.path, `mediastrends ${name}`, c.log('run'), () =>
        recordStep(c.db(), name, target(opts), c.clock.nowSeconds(), () => fn(c, opts, all.slice(0, -1))),
      )
      printStep(c, name, r)
      if (!r.ok) exitCode = EXIT_PARTIAL_FAILURE
    }

  // ---- database ----
  cli
    .command('database create', 'Create the database (or migrate it to the current schema)')
    .action(plain(async (c) => (await import('./db/command.ts')).databaseCreate(c)))
  cli
    .command('database reset', 'Back up, then recreate an empty database')
    .alias('database reset db')
    .option('--no-backup', 'Do not take a backup first')
    .action(
      locked('database reset', async (c, o) =>
        (await import('./db/command.ts')).databaseReset(c, { backup: o.backup !== false }),
      ),
    )
  cli
    .command('database reset-tables', 'Back up, then empty the named tables')
    .alias('database reset table')
    .option('-t, --table <table>', 'Table to empty (repeat for several)')
    .option('--no-backup', 'Do not take a backup first')
    .action(
      locked('database reset-tables', async (c, o) =>
        (await import('./db/command.ts')).databaseResetTables(c, {
          tables: list(o.table),
          backup: o.backup !== false,
        }),
      ),
    )
  cli
    .command('database backup save', 'Save a consistent backup in [sqlite] backup_dir')
    .action(plain(async (c) => (await import('./db/command.ts')).backupSave(c)))
  cli
    .command('database backup load', 'Restore the newest backup (or the newest of a date)')
    .option('-d, --date <date>', "YYYY-MM-DD (or a longer stamp prefix, or the older tool's YYYYMMDD-HHMM)")
    .action(
      locked('database backup load', async (c, o) =>
        (await import('./db/command.ts')).backupLoad(c, { date: o.date as string | undefined }),
      ),
    )
  cli
    .command('database export <file>', 'Export every row as NDJSON (see ARCHITECTURE.md)')
    .option('--append', 'Append only the rows that are new or changed since FILE was written')
    .action(
      plain(async (c, o, [file]) =>
        (await import('./db/command.ts')).databaseExport(c, String(file), { append: Boolean(o.append) }),
      ),
    )
  cli
    .command(
      'database import <...files>',
      'Import (upsert) NDJSON exports; safe to repeat; bad lines are skipped and reported',
    )
    .action(
      locked('database import', async (c, _o, [files]) =>
        (await import('./db/command.ts')).databaseImport(c, (files as unknown[]).map(String)),
      ),
    )

  cli
    .command('database partitions pick <list>', 'The data branch folders a run restores (LIST: branch paths)')
    .action(plain(async (c, _o, [list]) => (await import('./db/command.ts')).partitionsPick(c, String(list))))
  cli
    .command('database partitions restore <dir>', 'Import an extracted data branch (pipeline/db/partitions.ts)')
    .option('--prune', 'Then delete the rows older than a run reads (they stay on the branch): for a cached database')
    .action(
      locked('database partitions restore', async (c, o, [dir]) =>
        (await import('./db/command.ts')).partitionsRestore(c, String(dir), { prune: o.prune === true }),
      ),
    )
  cli
    .command('database partitions save <known> <out>', 'Write the rows the data branch lacks as new files under OUT')
    .action(
      plain(async (c, _o, [known, outDir]) =>
        (await import('./db/command.ts')).partitionsSave(c, String(known), String(outDir)),
      ),
    )

  // ---- config ----
  cli
    .command('config show', 'Print the resolved config (secrets masked) and its files')
    .action(plain(async (c) => (await import('./config/command.ts')).configShow(c)))

  // ---- torrents ----
  cli
    .command('torrents add', 'Fetch new torrents from Torznab indexers')
    .option('-c, --category <category>', 'movies and/or series (repeat or comma-separate)')
    .option('-i, --indexer <name>', 'Indexer of indexers.yaml (default: every active one)')
    .action(
      step(
        'torrents add',
        (o) => [o.indexer, list(o.category).join(',')].filter(Boolean).join('/') || null,
        async (c, o) =>
          (await import('./ingest/command.ts')).torrentsAdd(c, {
            categories: list(o.category),
            indexer: o.indexer as string | undefined,
          }),
      ),
    )
  cli
    .command('torrents stats', 'Scrape trackers for seeders, leechers, completed')
    .option('-c, --category <category>', 'Only torrents of these categories')
    .option('-t, --tracker <name>', 'Tracker of trackers.yaml (default: every active one)')
    .action(
      step(
        'torrents stats',
        (o) => (o.tracker as string | undefined) ?? null,
        async (c, o) =>
          (await import('./collect/command.ts')).torrentsStats(c, {
            categories: list(o.category),
            tracker: o.tracker as string | undefined,
          }),
      ),
    )
  cli
    .command('torrents trends compute', 'Score torrents and mark the trending ones')
    .option('--engine <engine>', 'nowcast, velocity or normalized (default: [trends_manager] engine)')
    .action(
      step(
        'torrents trends compute',
        () => null,
        async (c, o) =>
          (await import('./score/command.ts')).trendsCompute(c, {
            engine: o.engine as 'nowcast' | 'velocity' | 'normalized' | undefined,
          }),
      ),
    )
  cli
    .command('torrents trends get', 'Print the trending torrents of the latest run')
    .option('-c, --category <category>', 'Only these categories')
    .option('--mindate <date>', 'Oldest pub date')
    .option('--maxdate <date>', 'Newest pub date')
    .option('--delta-hours <hours>', 'Only torrents published in the last HOURS')
    .action(
      plain(async (c, o) =>
        (await import('./score/command.ts')).trendsGet(c, {
          categories: list(o.category),
          mindate: o.mindate as string | undefined,
          maxdate: o.maxdate as string | undefined,
          deltaHours: o.deltaHours === undefined ? undefined : Number(o.deltaHours),
        }),
      ),
    )
  cli.command('torrents status', 'Move torrents between new, follow and unfollow').action(
    step(
      'torrents status',
      () => null,
      async (c) => (await import('./score/command.ts')).torrentsStatus(c),
    ),
  )

  // ---- movies / series ----
  for (const [group, kind] of [
    ['movies', 'movie'],
    ['series', 'series'],
  ] as const) {
    cli
      .command(`${group} compute`, `Group trending torrents into ${group} and attach metadata`)
      .option('--full', 'Regroup every parsed torrent, not only what is new or changed (same result)')
      .action(
        step(
          `${group} compute`,
          () => null,
          async (c, o) => (await import('./group/command.ts')).mediaCompute(c, kind, { full: o.full === true }),
        ),
      )
    cli
      .command(`${group} get`, `Print the trending ${group}`)
      .action(plain(async (c) => (await import('./group/command.ts')).mediaGet(c, kind)))
  }
  cli
    .command(
      'movies import-imdb <...files>',
      'Import IMDb datasets (title.basics.tsv.gz, title.ratings.tsv.gz, title.akas.tsv.gz)',
    )
    .action(
      step(
        'movies import-imdb',
        () => null,
        async (c, _o, [files]) => (await import('./group/command.ts')).importImdb(c, list(files)),
      ),
    )

  // ---- site ----
  cli.command('site data', 'Write what the site reads: its settings and the daily activity').action(
    step(
      'site data',
      () => null,
      async (c) => (await import('./publish/command.ts')).siteData(c),
    ),
  )
  cli
    .command('site build', 'Refresh the site data, then build the site (SITE_URL wins over [site] base_url)')
    .option('--out <dir>', 'Output directory (default: dist/ of the package)')
    .action(
      step(
        'site build',
        () => null,
        async (c, o) => (await import('./publish/command.ts')).siteBuild(c, { out: o.out as string | undefined }),
      ),
    )

  // ---- run / demo ----
  cli
    .command('run', 'The whole pipeline: add, stats, trends, status, movies, series, site data')
    .action(plain(async (c) => (await import('./run/command.ts')).runAll(c)))
  cli
    .command(
      'serve',
      'Run the pipeline on the [serve] schedule, build the site after each run, serve it (and /healthz)',
    )
    .option('--host <host>', 'Address to listen on (default: [serve] host)')
    .option('--port <port>', 'Port (default: [serve] port)')
    .option('--once', 'One cycle at its scheduled time, then exit')
    .action(
      plain(async (c, o) => {
        const cliArgs = [
          ...(o.configDir ? ['-f', String(o.configDir)] : []),
          ...(o.mode ? ['-m', String(o.mode)] : []),
          ...(verbosity ? [`-${'v'.repeat(Math.min(verbosity, 4))}`] : []),
        ]
        return (await import('./serve/command.ts')).serve(c, {
          cliArgs,
          host: o.host === undefined ? undefined : String(o.host),
          port: o.port === undefined ? undefined : Number(o.port),
          once: Boolean(o.once),
        })
      }),
    )
  cli
    .command('demo', 'Local demo: a tracker and an indexer on 127.0.0.1, simulated days, the site')
    .option('--days <n>', 'Simulated days', { default: 5 })
    .option('--scrapes-per-day <n>', 'Scrapes per simulated day', { default: 4 })
    .option('--dir <dir>', 'Where the demo keeps its database and config', { default: 'data/demo' })
    .option('--no-build', 'Do not build the site at the end')
    .option('--serve', 'Preview the built site when done')
    .action(
      plain(async (_c, o) =>
        (await import('../devkit/demo/command.ts')).demo({
          days: Number(o.days),
          scrapesPerDay: Number(o.scrapesPerDay),
          dir: String(o.dir),
          build: o.build !== false,
          serve: Boolean(o.serve),
        }),
      ),
    )

  cli.help((sections) => sections.filter((s) => !s.title?.startsWith('For more info')))
  cli.version(VERSION, '-V, --version')
  cli.usage('[-v…] [-f DIR] [-m MODE] [--now ISO] [--json] <group> <command> [options]')

  const commandNames = new Set(cli.commands.flatMap((c) => [c.name, ...c.aliasNames]))
  try {
    const joined = joinCommandWords(legacyArgs(argv), commandNames)
    cli.parse(['node', 'mediastrends', ...joined], { run: false })
    if (!cli.matchedCommand) {
      if (cli.options.help || cli.options.version) return 0
      const first = cli.args[0]
      if (first === undefined) {
        cli.outputHelp()
        return 0
      }
      const near = [...commandNames].filter((n) => n.startsWith(String(first)))
      throw new UserError(
        `unknown command "${cli.args.join(' ')}"${near.length ? `; try: ${near.map((n) => `mediastrends ${n}`).join(', ')}` : ''}`,
      )
    }
    await cli.runMatchedCommand()
    return exitCode
  } catch (err) {
    return reportError(err, verbosity)
  } finally {
    ctx?.close()
  }
}

export function reportError(err: unknown, verbosity: number): number {
  if (err instanceof UserError) {
    log.error(err.message)
    for (const d of err.details) process.stderr.write(`  ${redact(d)}\n`)
    if (verbosity >= 5 && err.stack) process.stderr.write(`${redact(err.stack)}\n`)
    return err.exitCode
  }
  if (err instanceof Error && err.name === 'CACError') {
    log.error(`${err.message} (see mediastrends --help)`)
    return EXIT_USER_ERROR
  }
  log.error(`unexpected error: ${errorMessage(err)}${verbosity >= 5 ? '' : ' (-vvvvv for the stack)'}`)
  if (verbosity >= 5 && err instanceof Error && err.stack) process.stderr.write(`${redact(err.stack)}\n`)
  return 1
}
