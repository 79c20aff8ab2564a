/**
 * Benchmark of a year unattended: 4-hourly runs at 10,000 active torrents on 2 trackers, saved
 * through the real scripts/data-branch.sh (and the real CLI) to a local bare git repository.
 * Printed: the data branch's largest file and total size, the time of a fresh run's restore and
 * save (a new clone, as a CI runner without cache: restore, one run's rows, save) at month 1, 6
 * and 12, and export throughput (rows/s) of the full database at the end.
 *
 * Each simulated run writes what a real one does, straight into SQLite: a scrape per torrent and
 * tracker (stats), a trend score per torrent (trends), movie ranks (media_trends), the charts
 * (3 windows × top 100), the day's activity of torrents and movies (torrent_activity,
 * media_activity, recomputed every run), the runs rows; 200 new torrents a day join (with their
 * tracker and movie links), the oldest drop out of the 10,000 followed. At the last sampled day
 * the fresh runner also runs the real `site data` and `site build` (BENCH_SITE=0 skips it): the
 * site's size and build time at month 12. BENCH_KEEP=1 keeps the temp folder (the bare data
 * repository); BENCH_REMOTE=<kept>/remote.git then re-times only the sampled fresh runs against it
 * (each from the branch as it was on its day, BENCH_ROUNDS [3] rounds, medians), to measure other
 * code without a year of building.
 *
 *   npm run bench -- year
 *   BENCH_YEAR_DAYS=60 BENCH_RUNS_PER_SAVE=6 npm run bench -- year     (shorter; say so)
 * Knobs: BENCH_YEAR_DAYS [365], BENCH_TORRENTS [10000], BENCH_RUNS_PER_SAVE [1] (runs whose rows
 * one save carries while the history is built; the sampled runs always save one run's rows),
 * BENCH_SAMPLE_DAYS [30,182,365] (days at which a fresh run is timed).
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { closeDb, type Db, openDb } from '../../pipeline/db/client.ts'
import { exportNdjson } from '../../pipeline/db/ndjson.ts'
import { needsOf } from '../../pipeline/db/partitions.ts'
import { packWeeks } from '../../pipeline/publish/weeks.ts'
import { engines } from '../../pipeline/score/engines.ts'

const ROOT = join(import.meta.dirname, '..', '..')
const SCRIPT = join(ROOT, 'scripts/data-branch.sh')
const DAYS = Number(process.env.BENCH_YEAR_DAYS ?? 365)
const N = Number(process.env.BENCH_TORRENTS ?? 10_000)
const PER_SAVE = Number(process.env.BENCH_RUNS_PER_SAVE ?? 1)
const SAMPLES = (process.env.BENCH_SAMPLE_DAYS ?? '30,182,365')
  .split(',')
  .map(Number)
  .filter((d) => d <= DAYS)
const NEW_PER_DAY = 200
/** Movies ranked and active per run (of the 5,000 the torrents link to). */
const MEDIA_RANKED = 2000
const SITE = process.env.BENCH_SITE !== '0'
const KEEP = process.env.BENCH_KEEP === '1'
const T0 = Date.parse('2026-01-01T00:23:00Z') / 1000
const RUN = 4 * 3600
const DAY = 86_400

const tmp = mkdtempSync(join(tmpdir(), 'mediastrends-bench-year-'))
/** BENCH_REMOTE: a data repository kept by an earlier run (BENCH_KEEP=1): only re-time its samples. */
const KEPT = process.env.BENCH_REMOTE
const remote = KEPT ?? join(tmp, 'remote.git')
const env0: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  HOME: tmp,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_AUTHOR_NAME: 'bench',
  GIT_AUTHOR_EMAIL: 'bench@example.org',
  GIT_COMMITTER_NAME: 'bench',
  GIT_COMMITTER_EMAIL: 'bench@example.org',
}
/** Run a command (it must succeed): its stdout and stderr. */
function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...env0, ...env }, maxBuffer: 1 << 28 })
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} (exit ${r.status}):\n${r.stderr}`)
  return { stdout: r.stdout, stderr: r.stderr }
}
const sh = (cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) => run(cmd, args, cwd, env).stdout

/**
 * The remote as GitHub's: it serves partial fetches (a restore fetches only the files it reads),
 * and its `main` branch (the code, here one empty commit) is what a runner checks out.
 */
function prepareRemote(): void {
  const git = (...args: string[]) => sh('git', ['--git-dir', remote, ...args], tmp).trim()
  git('config', 'uploadpack.allowFilter', 'true')
  if (spawnSync('git', ['--git-dir', remote, 'rev-parse', '--verify', '--quiet', 'refs/heads/main']).status === 0)
    return
  const tree = git('hash-object', '-w', '-t', 'tree', '/dev/null')
  git('update-ref', 'refs/heads/main', git('commit-tree', tree, '-m', 'code'))
}

/**
 * Pack the remote's loose objects, as GitHub keeps its repositories packed: a restore then times
 * what a runner meets, not how many objects the local saves left loose (the newest weeks' would
 * be, and a fetch of loose objects costs several times a packed one's).
 */
function repackRemote(): void {
  sh('git', ['--git-dir', remote, 'repack', '-d', '-q'], tmp)
}

function machine(name: string) {
  const dir = join(tmp, name)
  // As actions/checkout: the code branch only, over git's transport (a local clone would copy
  // every object of the data branch, so a restore would not pay for fetching what it reads).
  sh('git', ['clone', '--quiet', '--no-local', '--single-branch', '--branch', 'main', remote, dir], tmp)
  const conf = join(dir, '.conf')
  mkdirSync(conf)
  writeFileSync(join(conf, 'mediastrends.bench.ini'), '[requests]\nuser_agent = mediastrends-bench\n')
  const dbPath = join(conf, 'data', 'mediastrends.db')
  const env = { MEDIASTRENDS_DIRCONF: conf, MEDIASTRENDS_MODE: 'bench' }
  return {
    dbPath,
    /** Wall seconds, and CPU seconds (user + sys of every process, via /usr/bin/time when present). */
    script(cmd: 'restore' | 'save', now: number, extra: NodeJS.ProcessEnv = {}): Timing {
      const t = performance.now()
      const cpuFile = join(tmp, 'cpu.txt')
      const e = { ...env, ...extra, MEDIASTRENDS_NOW: new Date(now * 1000).toISOString() }
      const { stderr } = existsSync('/usr/bin/time')
        ? run('/usr/bin/time', ['-f', '%U %S', '-o', cpuFile, 'bash', SCRIPT, cmd], dir, e)
        : run('bash', [SCRIPT, cmd], dir, e)
      const wall = (performance.now() - t) / 1000
      const cpu = existsSync(cpuFile)
        ? readFileSync(cpuFile, 'utf8')
            .trim()
            .split(/\s+/)
            .slice(-2)
            .reduce((x, y) => x + Number(y), 0)
        : Number.NaN
      rmSync(cpuFile, { force: true })
      const fetched = stderr.match(/fetched in (\d+) s/)
      return fetched ? { wall, cpu, fetch: Number(fetched[1]) } : { wall, cpu }
    },
    /** The real CLI on this machine's database; wall seconds. */
    cli(args: string[], now: number): number {
      const t = performance.now()
      sh('node', [join(ROOT, 'bin/mediastrends.mjs'), ...args], dir, {
        ...env,
        MEDIASTRENDS_NOW: new Date(now * 1000).toISOString(),
      })
      return (performance.now() - t) / 1000
    },
  }
}

/** Rows per table of a database (the restore's breakdown). */
function tableRows(path: string): Record<string, number> {
  const db = openDb(path)
  const out: Record<string, number> = {}
  for (const t of [
    'stats',
    'trends',
    'media_trends',
    'charts',
    'torrent_activity',
    'media_activity',
    'media_weeks',
    'torrents',
    'torrent_trackers',
    'torrent_media',
    'status_history',
    'runs',
  ])
    out[t] = db.$client.prepare(`SELECT COUNT(*) FROM ${t}`).pluck().get() as number
  closeDb(db)
  return out
}

interface Timing {
  wall: number
  cpu: number
  /** A restore's clone-side part: fetch, pick and extract (whole seconds, as the script says). */
  fetch?: number
}
const hash = (i: number) => i.toString(16).padStart(40, '0')

/** One run's rows at `time` (the run's clock); torrents 1…total exist, the newest N are followed. */
function writeRun(db: Db, time: number, total: number): void {
  const s = db.$client
  const first = Math.max(1, total - N + 1)
  const day = time - (time % DAY)
  const k = Math.floor((time - T0) / RUN)
  s.transaction(() => {
    s.prepare(
      `INSERT OR REPLACE INTO stats (torrent_id, time, tracker_id, seeders, leechers, completed)
       SELECT t.id, ?, tr.id, (t.id * 7 + ?) % 500, (t.id * 3 + ?) % 80, t.id * 10 + ? FROM torrents t, trackers tr WHERE t.id >= ?`,
    ).run(time - (time % 60), k, k, k, first)
    s.prepare(
      `INSERT OR REPLACE INTO trends (torrent_id, time, engine, score, rank, trending)
       SELECT id, ?, 'nowcast', ((id * 13 + ?) % 1000) / 10.0, id - ? + 1, id - ? < 100 FROM torrents WHERE id >= ?`,
    ).run(time, k, first, first, first)
    s.prepare(
      `INSERT OR REPLACE INTO media_trends (media_id, time, engine, score, rank, torrents)
       SELECT id, ?, 'nowcast', ((id * 17 + ?) % 1000) / 10.0, id, 5 FROM media WHERE id <= ${MEDIA_RANKED}`,
    ).run(time, k)
    for (const window of ['day', 'week', 'rising'])
      s.prepare(
        `INSERT OR REPLACE INTO charts ("window", kind, time, media_id, rank, value, last_rank, periods, peak_rank, reentry)
         SELECT ?, 'movie', ?, id, id, 1000 - id, id, 1 + ? % 30, id, 0 FROM media WHERE id <= 100`,
      ).run(window, time, k)
    s.prepare(
      `INSERT OR REPLACE INTO torrent_activity (torrent_id, day, seeders, leechers, peers, downloads)
       SELECT id, ?, (id + ?) % 500, (id + ?) % 80, (id + ?) % 580, ? FROM torrents WHERE id >= ?`,
    ).run(day, k, k, k, k % 6, first)
    s.prepare(
      `INSERT OR REPLACE INTO media_activity (media_id, day, seeders, leechers, peers, downloads)
       SELECT id, ?, (id + ?) % 900, (id + ?) % 120, (id + ?) % 1020, ? FROM media WHERE id <= ${MEDIA_RANKED}`,
    ).run(day, k, k, k, k % 60)
    const run = s.prepare(
      "INSERT INTO runs (step, target, clock, started_at, ended_at, status, counts) VALUES (?, ?, ?, ?, ?, 'ok', ?)",
    )
    for (const step of ['torrents add', 'torrents stats', 'trends compute', 'movies compute', 'run'])
      run.run(step, null, time, time, time + 60, '{"ok":1}')
  })()
  // As `site data` does: the closed weeks packed (media_weeks).
  packWeeks(db, time, NEEDS)
}
/** The default config's needs (nowcast's lookback, 7 torrent page days), as the CLI's runs compute them. */
const NEEDS = needsOf(
  { trends_manager: { delta_days: 31 }, site: { torrent_page_days: 7 } } as Parameters<typeof needsOf>[0],
  engines.nowcast.lookbackSeconds,
)

function addTorrents(db: Db, from: number, to: number, time: number): void {
  const s = db.$client
  const ins = s.prepare(
    "INSERT INTO torrents (info_hash, name, pub_date, size, status, category, added_at) VALUES (?, ?, ?, ?, 'follow', 'movies', ?)",
  )
  const link = s.prepare('INSERT INTO torrent_trackers (torrent_id, tracker_id) SELECT ?, id FROM trackers')
  const movie = s.prepare('INSERT INTO torrent_media (torrent_id, media_id) VALUES (?, ?)')
  const hist = s.prepare("INSERT INTO status_history (torrent_id, time, status) VALUES (?, ?, 'new')")
  s.transaction(() => {
    for (let i = from; i <= to; i++) {
      const id = Number(
        ins.run(hash(i), `Some.Movie.${i % 5000}.2026.1080p.WEB-DL-GRP${i}`, time, 1e9 + i, time).lastInsertRowid,
      )
      link.run(id)
      movie.run(id, (i % 5000) + 1)
      hist.run(id, time)
    }
  })()
}

const fmt = (s: number) => `${s.toFixed(2)} s`
const ft = (t: Timing) =>
  `${fmt(t.wall)} wall (${fmt(t.cpu)} CPU${t.fetch === undefined ? '' : `; fetch and extract ${t.fetch} s`})`
const mb = (b: number) => `${(b / 1e6).toFixed(1)} MB`

/** The newest commit of the kept `data` branch whose files were all saved by `time` (their stamps). */
function commitAt(time: number): string | undefined {
  const limit = new Date(time * 1000)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')
  for (const c of sh('git', ['--git-dir', remote, 'log', '--format=%H', 'data'], tmp).trim().split('\n')) {
    const files = sh('git', ['--git-dir', remote, 'diff-tree', '-r', '--root', '--no-commit-id', '--name-only', c], tmp)
    const stamps = [...files.matchAll(/(\d{8}T\d{6}Z)-/g)].map((m) => m[1] as string)
    if (stamps.length && stamps.every((st) => st <= limit)) return c
  }
  return undefined
}

/** The site a run at this age publishes: the real `site data` and `site build`. */
function buildSite(m: ReturnType<typeof machine>, day: number, next: number) {
  const out = join(tmp, `site-${day}`)
  const data = m.cli(['site', 'data'], next + 600)
  const build = m.cli(['site', 'build', '--out', out], next + 600)
  // The files' bytes (what a Pages artifact holds; `du` would add the folders' own blocks).
  const bytes = sh('find', [out, '-type', 'f', '-printf', '%s\n'], tmp)
    .split('\n')
    .reduce((x, y) => x + Number(y || 0), 0)
  const pages = Number(sh('sh', ['-c', `find "${out}" -name '*.html' | wc -l`], tmp).trim())
  const torrentPages = Number(sh('sh', ['-c', `find "${out}/torrent" -name '*.html' | wc -l`], tmp).trim())
  console.log(
    `day ${day}: site data ${fmt(data)}, site build ${fmt(build)}: ${pages} pages (${torrentPages} torrent pages), ${mb(bytes)} (budget 300 MB at 100,000 torrents)`,
  )
  return { data, build, mb: bytes / 1e6, pages }
}

/** The median of some timings, by wall time. */
const median = (ts: Timing[]): Timing => [...ts].sort((a, b) => a.wall - b.wall)[(ts.length - 1) >> 1] as Timing

/**
 * Re-time the samples against a kept repository: each from the branch as it was on its day. The
 * days are timed in turn, BENCH_ROUNDS [3] times over, and each figure is the median of its
 * rounds, so a slow minute of a shared machine falls on every day alike and the ratio holds.
 */
function retime(): void {
  const rounds = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3))
  // Each day's commit, looked up once (commitAt walks the branch's history).
  const at = new Map(
    SAMPLES.map((day) => {
      const time = T0 + (day - 1) * DAY + 5 * RUN // the day's last run, as when the history was built
      const commit = commitAt(time)
      if (!commit) throw new Error(`${remote}: no commit of the data branch saved by day ${day}`)
      return [day, { next: time + RUN, commit }]
    }),
  )
  repackRemote()
  // One untimed restore first: the first timed one would pay alone for cold caches (tsx's, the disk's).
  {
    const [day, { next, commit }] = [...at][0] as [number, { next: number; commit: string }]
    sh('git', ['--git-dir', remote, 'branch', '-f', `data-day-${day}`, commit], tmp)
    machine(`warm-up-${day}`).script('restore', next, { DATA_BRANCH: `data-day-${day}` })
    sh('git', ['--git-dir', remote, 'branch', '-D', `data-day-${day}`], tmp)
  }
  const runs = new Map<number, { restore: Timing[]; save: Timing[]; restored: number; commit: string }>()
  for (let round = 1; round <= rounds; round++)
    for (const day of SAMPLES) {
      const { next, commit } = at.get(day) as { next: number; commit: string }
      const branch = `data-day-${day}`
      sh('git', ['--git-dir', remote, 'branch', '-f', branch, commit], tmp)
      const m = machine(`retime-${day}-${round}`)
      const env = { DATA_BRANCH: branch }
      const restore = m.script('restore', next, env)
      const restored = Object.values(tableRows(m.dbPath)).reduce((x, y) => x + y, 0)
      const mdb = openDb(m.dbPath)
      writeRun(mdb, next, N + NEW_PER_DAY * (day - 1))
      closeDb(mdb)
      const save = m.script('save', next, env)
      sh('git', ['--git-dir', remote, 'branch', '-D', branch], tmp)
      if (SITE && round === rounds && day === SAMPLES.at(-1)) buildSite(m, day, next)
      const r = runs.get(day) ?? { restore: [], save: [], restored, commit }
      r.restore.push(restore)
      r.save.push(save)
      runs.set(day, r)
      console.log(`round ${round}/${rounds}, day ${day}: restore ${ft(restore)}, save ${ft(save)}`)
    }
  const samples = SAMPLES.map((day) => {
    const r = runs.get(day) as NonNullable<ReturnType<typeof runs.get>>
    const restore = median(r.restore)
    const save = median(r.save)
    console.log(
      `day ${day} (data branch at ${r.commit.slice(0, 7)}): fresh restore ${ft(restore)} (${r.restored} rows), save ${ft(save)}` +
        (rounds > 1 ? ` (medians of ${rounds} rounds)` : ''),
    )
    return { day, restore, save }
  })
  const first = samples[0]
  const last = samples.at(-1)
  if (first && last && first !== last)
    console.log(
      `day ${last.day} against day ${first.day}: restore ${(last.restore.wall / first.restore.wall).toFixed(2)}×, save ${(last.save.wall / first.save.wall).toFixed(2)}×`,
    )
}

async function buildYear(): Promise<void> {
  sh('git', ['init', '--quiet', '--bare', '--initial-branch=main', remote], tmp)
  prepareRemote()
  const a = machine('a')
  a.script('restore', T0)
  let db = openDb(a.dbPath)
  db.$client.exec(
    "INSERT INTO trackers (name, scheme, netloc, path) VALUES ('ygg', 'udp', 'ygg.example:6969', ''), ('open', 'udp', 'open.example:1337', '')",
  )
  const media = db.$client.prepare(
    "INSERT INTO media (kind, key, title, year, updated_at) VALUES ('movie', ?, ?, 2026, ?)",
  )
  db.$client.transaction(() => {
    for (let i = 1; i <= 5000; i++) media.run(`some movie ${i} 2026`, `Some Movie ${i}`, T0)
  })()
  addTorrents(db, 1, N, T0)
  let total = N
  const runs = DAYS * 6
  const samples: { day: number; restore: Timing; save: Timing; rows: Record<string, number> }[] = []
  let site: { data: number; build: number; mb: number; pages: number } | undefined
  let buildSaves = 0
  let buildSaveTime = 0
  const started = performance.now()
  for (let r = 0; r < runs; r++) {
    const time = T0 + r * RUN
    const day = Math.floor((time - T0) / DAY)
    if (r % 6 === 0 && r > 0) {
      addTorrents(db, total + 1, total + NEW_PER_DAY, time)
      total += NEW_PER_DAY
      // The oldest leave the followed set (and their pages, torrent_page_days after their last scrape).
      const s = db.$client
      s.transaction(() => {
        const left = Math.max(1, total - N + 1)
        s.prepare(
          "INSERT INTO status_history (torrent_id, time, status) SELECT id, ?, 'unfollow' FROM torrents WHERE status = 'follow' AND id < ?",
        ).run(time, left)
        s.prepare("UPDATE torrents SET status = 'unfollow' WHERE status = 'follow' AND id < ?").run(left)
      })()
    }
    writeRun(db, time, total)
    const sample = SAMPLES.find((d) => d === day + 1 && r % 6 === 5)
    if ((r + 1) % PER_SAVE === 0 || sample || r === runs - 1) {
      closeDb(db)
      buildSaveTime += a.script('save', time).wall
      buildSaves++
      db = openDb(a.dbPath)
    }
    if (sample) {
      // A fresh runner (no cache): restore, one run's rows, save.
      closeDb(db)
      repackRemote()
      const m = machine(`fresh-${sample}`)
      const next = time + RUN
      const restore = m.script('restore', next)
      const rows = tableRows(m.dbPath)
      const mdb = openDb(m.dbPath)
      writeRun(mdb, next, total)
      closeDb(mdb)
      const save = m.script('save', next)
      samples.push({ day: sample, restore, save, rows })
      const restored = Object.values(rows).reduce((x, y) => x + y, 0)
      console.log(`day ${sample}: fresh restore ${ft(restore)} (${restored} rows), save of one run ${ft(save)}`)
      if (SITE && sample === SAMPLES.at(-1)) site = buildSite(m, sample, next)
      // Machine A picks up the sampled run's files, as the next scheduled run would.
      a.script('restore', next)
      db = openDb(a.dbPath)
    }
    if (r % 60 === 59) {
      const el = (performance.now() - started) / 1000
      console.log(`… simulated day ${day + 1}/${DAYS} (${el.toFixed(0)} s so far)`)
    }
  }
  closeDb(db)
  const tree = sh('git', ['--git-dir', remote, 'ls-tree', '-r', '-l', 'data'], tmp)
    .trim()
    .split('\n')
    .map((l) => {
      const [meta, path] = l.split('\t')
      return { path: path as string, size: Number(meta?.trim().split(/\s+/)[3]) }
    })
  const largest = tree.reduce((x, y) => (y.size > x.size ? y : x))
  const headSize = tree.reduce((s, f) => s + f.size, 0)
  const repo = Number(sh('du', ['-sb', remote], tmp).split('\t')[0])
  console.log(
    `\n${DAYS} days, ${runs} runs (${PER_SAVE} run(s) per save while building: ${buildSaves} saves, ${fmt(buildSaveTime / buildSaves)} each on a machine that keeps its database)`,
  )
  console.log(`data branch: ${tree.length} files, ${mb(headSize)} in the head tree, repository ${mb(repo)}`)
  console.log(`largest file: ${largest.path} ${mb(largest.size)}`)
  for (const s of samples)
    console.log(`  day ${String(s.day).padStart(3)}: restore ${ft(s.restore)}, save ${ft(s.save)}`)
  console.log('rows restored per table (fresh runner):')
  for (const s of samples)
    console.log(
      `  day ${String(s.day).padStart(3)}: ${Object.entries(s.rows)
        .map(([t, n]) => `${t} ${n}`)
        .join(', ')}`,
    )
  const first = samples[0]
  const last = samples.at(-1)
  if (first && last && last !== first) {
    const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`
    console.log(
      `day ${last.day} against day ${first.day}: restore ${ratio(last.restore.wall, first.restore.wall)} (goal ≤ 1.5×), save ${ratio(last.save.wall, first.save.wall)}; ` +
        `restore ${fmt(last.restore.wall)} (goal ≤ 15 s), save ${fmt(last.save.wall)} (goal ≤ 5 s)`,
    )
  }
  if (site)
    console.log(
      `site at day ${last?.day}: ${site.pages} pages, ${site.mb.toFixed(1)} MB (budget 300 MB at 100,000 torrents), site data ${fmt(site.data)}, build ${fmt(site.build)}`,
    )
  // Export throughput of the whole database (machine A holds every row).
  db = openDb(a.dbPath)
  const out = join(tmp, 'export.ndjson.gz')
  const t = performance.now()
  const cpu0 = process.cpuUsage()
  const { rows } = await exportNdjson(db, out)
  const secs = (performance.now() - t) / 1000
  const c = process.cpuUsage(cpu0)
  const cpuSecs = (c.user + c.system) / 1e6
  console.log(
    `export: ${rows} rows in ${fmt(secs)} wall = ${Math.round(rows / secs)} rows/s; ${fmt(cpuSecs)} CPU = ${Math.round(rows / cpuSecs)} rows/CPU-s (gzip)`,
  )
  closeDb(db)
}

try {
  if (KEPT) {
    prepareRemote()
    retime()
  } else await buildYear()
} finally {
  if (KEEP) console.log(`kept ${tmp} (remote.git: the data branch)`)
  else rmSync(tmp, { recursive: true, force: true })
}
