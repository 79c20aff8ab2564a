/**
 * scripts/data-branch.sh against a real bare git repository in a temp folder (the "GitHub" of the
 * scheduled workflow) and the real CLI, on the partitioned layout (pipeline/db/partitions.ts):
 * save → fresh clone → restore gives the same rows; a save with nothing new commits nothing; a
 * later save adds only new files; two runs saving at once both land and lose nothing (the second
 * imports the first's files and retries); a damaged file does not stop a restore; a branch of the
 * older single-file layout is migrated by the next save; a restore reads only the weeks it needs.
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { closeDb, openDb } from '../../pipeline/db/client.ts'
import { exportLines, importFiles } from '../../pipeline/db/ndjson.ts'
import { makeConfigDir, type TestConfigDir } from '../helpers/config.ts'
import { insertSample } from '../helpers/sample-data.ts'

const ROOT = join(import.meta.dirname, '..', '..')
const SCRIPT = join(ROOT, 'scripts/data-branch.sh')
const NOW = '2026-01-02T00:00:00Z'

let tmp: string
let remote: string
const configs: TestConfigDir[] = []

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      HOME: tmp,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_AUTHOR_NAME: 'test',
      GIT_AUTHOR_EMAIL: 'test@example.org',
      ...env,
    },
  })
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} (exit ${r.status}):\n${r.stderr}${r.stdout}`)
  return r
}
const git = (args: string[], cwd = tmp) => run('git', args, cwd).stdout.trim()

/** A machine whose first run restored branch `env.DATA_BRANCH` (none yet) and wrote the sample rows. */
function sampleMachine(name: string, env: NodeJS.ProcessEnv) {
  const m = machine(name)
  m.script('restore', env)
  const db = openDb(m.dbPath)
  insertSample(db)
  closeDb(db)
  return m
}

/** A clone of the remote with its own config dir and database, as one CI run sees it. */
function machine(name: string) {
  const dir = join(tmp, name)
  // As actions/checkout: the code branch only, over git's transport (a local clone would copy
  // every object of the remote, the data branches' too).
  git(['clone', '--quiet', '--no-local', '--single-branch', '--branch', 'main', remote, dir])
  const config = makeConfigDir()
  configs.push(config)
  const dbPath = join(config.dir, 'data', 'mediastrends.db')
  const env: NodeJS.ProcessEnv = {
    MEDIASTRENDS_DIRCONF: config.dir,
    MEDIASTRENDS_MODE: config.mode,
    MEDIASTRENDS_NOW: NOW,
    // Torrent pages for 30 days after the last scrape (default 7): a stats window of weeks.
    MEDIASTRENDS__SITE__TORRENT_PAGE_DAYS: '30',
  }
  return {
    dir,
    dbPath,
    env,
    script: (cmd: 'restore' | 'save', extra: NodeJS.ProcessEnv = {}) =>
      run('bash', [SCRIPT, cmd], dir, { ...env, ...extra }),
    /** The script expected to fail: its exit code and stderr. */
    failing: (cmd: 'restore' | 'save', extra: NodeJS.ProcessEnv = {}) => {
      const r = spawnSync('bash', [SCRIPT, cmd], {
        cwd: dir,
        encoding: 'utf8',
        env: { PATH: process.env.PATH, HOME: tmp, ...env, ...extra },
      })
      return { status: r.status, stderr: r.stderr }
    },
    cli: (...args: string[]) => run(process.execPath, [join(ROOT, 'bin/mediastrends.mjs'), ...args], dir, env),
    sql: (text: string, ...params: unknown[]) => {
      const db = openDb(dbPath)
      try {
        db.$client.prepare(text).run(...params)
      } finally {
        closeDb(db)
      }
    },
    /** Every row of every exported table, by natural keys (the v2 export lines), sorted. */
    rows: () => {
      const db = openDb(dbPath)
      try {
        return [...exportLines(db)].slice(1).sort()
      } finally {
        closeDb(db)
      }
    },
    count: (table: string) => {
      const db = openDb(dbPath)
      try {
        return (db.$client.prepare(`SELECT count(*) n FROM "${table}"`).get() as { n: number }).n
      } finally {
        closeDb(db)
      }
    },
  }
}

const branchHead = (branch = 'data') => git(['--git-dir', remote, 'rev-parse', `refs/heads/${branch}`])
const branchFiles = (rev = 'data') => git(['--git-dir', remote, 'ls-tree', '-r', '--name-only', rev]).split('\n')
const added = (from: string, to: string) =>
  git(['--git-dir', remote, 'diff-tree', '-r', '--name-status', from, to]).split('\n').filter(Boolean)

/** New stats rows (one per torrent) at `time`. */
const addStats = (time: number) =>
  `INSERT INTO stats (torrent_id, time, tracker_id, seeders, leechers, completed)
   SELECT id, ${time}, (SELECT id FROM trackers WHERE name = 'ygg'), 7, 8, 9 FROM torrents`

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'mediastrends-databranch-'))
  remote = join(tmp, 'remote.git')
  git(['init', '--quiet', '--bare', '--initial-branch=main', remote])
  // As GitHub: partial fetches allowed (a restore fetches only the blobs of the files it reads).
  git(['--git-dir', remote, 'config', 'uploadpack.allowFilter', 'true'])
  // The repository's main branch (the code); the data branch does not exist yet.
  const seedDir = join(tmp, 'seed')
  git(['clone', '--quiet', remote, seedDir])
  run('git', ['commit', '--quiet', '--allow-empty', '-m', 'code'], seedDir, {
    GIT_COMMITTER_NAME: 'test',
    GIT_COMMITTER_EMAIL: 'test@example.org',
  })
  git(['push', '--quiet', 'origin', 'HEAD:main'], seedDir)
})
afterAll(() => {
  for (const c of configs) c.cleanup()
  rmSync(tmp, { recursive: true, force: true })
})

const T0 = 1_767_225_600 // 2026-01-01T00:00:00Z
/** Put a commit on a branch of the remote by hand: files (path → content) on top of `parent`. */
function commitFiles(branch: string, files: Record<string, Buffer | string>, parent?: string): string {
  const work = join(tmp, `hand-${branch}-${Math.random().toString(36).slice(2)}`)
  mkdirSync(work, { recursive: true })
  const index = join(work, 'index')
  const genv = { GIT_INDEX_FILE: index, GIT_COMMITTER_NAME: 'test', GIT_COMMITTER_EMAIL: 'test@example.org' }
  if (parent) run('git', ['--git-dir', remote, 'read-tree', parent], tmp, genv)
  for (const [path, content] of Object.entries(files)) {
    const f = join(work, 'blob')
    writeFileSync(f, content)
    const oid = run('git', ['--git-dir', remote, 'hash-object', '-w', f], tmp).stdout.trim()
    run('git', ['--git-dir', remote, 'update-index', '--add', '--cacheinfo', `100644,${oid},${path}`], tmp, genv)
  }
  const tree = run('git', ['--git-dir', remote, 'write-tree'], tmp, genv).stdout.trim()
  const commit = run(
    'git',
    ['--git-dir', remote, 'commit-tree', tree, ...(parent ? ['-p', parent] : []), '-m', 'by hand'],
    tmp,
    genv,
  ).stdout.trim()
  git(['--git-dir', remote, 'update-ref', `refs/heads/${branch}`, commit])
  return commit
}

describe('scripts/data-branch.sh', { timeout: 240_000 }, () => {
  it('round-trips the database through the data branch, adding only new files', () => {
    // Run 1 on machine A: no data branch yet; the pipeline writes rows; save creates the branch.
    const a = machine('a')
    a.script('restore')
    const db = openDb(a.dbPath)
    insertSample(db)
    closeDb(db)
    const saved = a.script('save')
    expect(saved.stderr).toMatch(/pushed \d+ new row\(s\) in \d+ file\(s\) .* to origin\/data/)
    const files1 = branchFiles()
    expect(files1.filter((f) => f.startsWith('stats/')).every((f) => f.startsWith('stats/2025-12-29/'))).toBe(true)
    expect(files1.filter((f) => f.startsWith('snapshot/2026-01/base-'))).toHaveLength(1)
    expect(files1.every((f) => f.endsWith('.ndjson.gz'))).toBe(true)
    // The code branch is untouched.
    expect(git(['--git-dir', remote, 'log', '--format=%s', 'main'])).toBe('code')

    // A save with nothing new commits nothing.
    const head1 = branchHead()
    expect(a.script('save').stderr).toContain('no new rows: nothing to commit')
    expect(branchHead()).toBe(head1)

    // Run 2 on a fresh machine B: restore imports everything; the same rows, by natural keys.
    const b = machine('b')
    b.script('restore')
    expect(b.rows()).toEqual(a.rows())
    expect(b.script('save').stderr).toContain('nothing to commit')
    expect(branchHead()).toBe(head1)

    // New rows on A: the next commit adds one stats file and changes no file.
    a.sql(addStats(T0 + 5 * 21600))
    a.script('save')
    const head2 = branchHead()
    expect(git(['--git-dir', remote, 'rev-parse', `${head2}^`])).toBe(head1)
    const d2 = added(head1, head2)
    expect(d2).toHaveLength(1)
    expect(d2[0]).toMatch(/^A\tstats\/2025-12-29\/20260102T000000Z-[0-9a-f]{6}\.ndjson\.gz$/)

    // B (restored before A's save) adds a new torrent with its tracker links, and stats: its push
    // is refused, it imports A's files, redoes the save on top of A's commit and pushes.
    const hashB = `b${'0'.repeat(38)}9`
    b.sql(
      `INSERT INTO torrents (info_hash, name, pub_date, added_at) VALUES ('${hashB}', 'New.Torrent.2026', ${T0}, ${T0})`,
    )
    b.sql(
      `INSERT INTO torrent_trackers SELECT (SELECT id FROM torrents WHERE info_hash = '${hashB}'), id FROM trackers`,
    )
    b.sql(addStats(T0 + 6 * 21600))
    const bSave = b.script('save')
    expect(bSave.stderr).toContain('push refused (attempt 1/3)')
    expect(bSave.stderr).toMatch(/pushed 7 new row\(s\)/) // 1 torrent + 2 links + 4 stats
    const head3 = branchHead()
    expect(git(['--git-dir', remote, 'rev-parse', `${head3}^`])).toBe(head2)
    expect(added(head2, head3).every((l) => l.startsWith('A\t'))).toBe(true)

    // A fresh machine C sees every row of both runs, the new torrent's links included.
    const c = machine('c')
    const cr = c.script('restore')
    expect(cr.stderr).not.toContain('warning')
    const union = [...new Set([...a.rows(), ...b.rows()])].sort()
    const cRows = c.rows()
    expect(cRows.filter((l) => !union.includes(l))).toEqual([])
    expect(union.filter((l) => !cRows.includes(l))).toEqual([])
    expect(c.rows().filter((l) => l.startsWith(`["torrent_trackers","${hashB}"`))).toHaveLength(2)
    expect(c.count('stats')).toBe(3 * 4 + 3 + 4)

    // A save that fails (the remote is unreachable) keeps nothing back: once the remote is back,
    // the next save pushes those rows.
    c.sql(addStats(T0 + 7 * 21600))
    renameSync(remote, `${remote}.away`)
    const failed = c.failing('save')
    renameSync(`${remote}.away`, remote)
    expect(failed.status).toBe(1)
    expect(failed.stderr).toContain("cannot reach remote 'origin'")
    expect(c.script('save').stderr).toMatch(/pushed 4 new row\(s\)/)
  })

  it('DATA_PRUNE=1: a restore into a kept database drops the rows older than a run reads; by default it keeps them', () => {
    const env = { DATA_BRANCH: 'data-prune', DATA_DIR: '.data-branch-prune' }
    const a = sampleMachine('prune-a', env)
    a.sql(addStats(T0 - 60 * 86400)) // two months before the run: older than any window
    a.script('save', env)
    const before = a.count('stats')
    a.script('restore', env)
    expect(a.count('stats')).toBe(before)
    const r = a.script('restore', { ...env, DATA_PRUNE: '1' })
    expect(r.stderr).toMatch(/3 row\(s\) older than a run reads dropped/)
    expect(a.count('stats')).toBe(before - 3)
  })

  it('refuses to save without a restore first (it could drop the history)', () => {
    const d = machine('d')
    const r = spawnSync('bash', [SCRIPT, 'save'], {
      cwd: d.dir,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, HOME: tmp, DATA_DIR: join(tmp, 'd-work') },
    })
    expect(r.status).toBe(1)
    expect(r.stderr).toContain("run 'data-branch.sh restore' first")
  })

  it('a damaged file on the branch is named and skipped; the rest is restored', () => {
    const env = { DATA_BRANCH: 'data-bad', DATA_DIR: '.data-branch-bad' }
    const a = sampleMachine('bad-a', env)
    a.script('save', env)
    a.sql(addStats(T0 + 5 * 21600))
    a.script('save', env)
    // Cut the newest stats file in half (a kill -9 mid-write), and add a file that is not gzip.
    const head = branchHead('data-bad')
    const newest = branchFiles('data-bad')
      .filter((f) => f.startsWith('stats/') && !f.includes('/daily-'))
      .sort()
      .at(-1) as string
    const raw = spawnSync('git', ['--git-dir', remote, 'cat-file', 'blob', `${head}:${newest}`]).stdout
    commitFiles(
      'data-bad',
      {
        [newest]: raw.subarray(0, Math.floor(raw.length / 2)),
        'trends/2025-12-29/20260102T000000Z-ffffff.ndjson.gz': 'junk',
      },
      head,
    )
    const b = machine('bad-b')
    const r = b.script('restore', env)
    expect(r.stderr).toContain(`${newest}`)
    expect(r.stderr).toContain('20260102T000000Z-ffffff.ndjson.gz')
    expect(r.stderr).toContain('the rest was restored')
    expect(b.count('torrents')).toBe(3)
    expect(b.count('trends')).toBe(3)
    expect(b.count('stats')).toBeGreaterThanOrEqual(3) // the other stats file; the cut one's intact prefix
    // Publishing goes on: B saves its own rows.
    b.sql(addStats(T0 + 8 * 21600))
    expect(b.script('save', env).stderr).toMatch(/pushed \d+ new row\(s\)/)
  })

  it('a branch of the older single-file layout (v1, local ids) is migrated by the next save, nothing lost', () => {
    const v1Header = JSON.stringify({
      format: 'mediastrends-ndjson',
      version: 1,
      columns: {
        trackers: ['id', 'name', 'scheme', 'netloc', 'path'],
        torrents: [
          'id',
          'info_hash',
          'name',
          'pub_date',
          'size',
          'status',
          'category',
          'feed_category',
          'indexer',
          'details_url',
          'imdb_id',
          'tmdb_id',
          'tvdb_id',
          'added_at',
        ],
        torrent_trackers: ['torrent_id', 'tracker_id'],
        stats: ['torrent_id', 'time', 'tracker_id', 'seeders', 'leechers', 'completed'],
      },
    })
    const h = (n: number) => `c${String(n).padStart(39, '0')}`
    const lines = [
      v1Header,
      '["trackers",7,"ygg","http","ygg.example:8080","/announce"]',
      `["torrents",4,"${h(1)}","Old.One.2020",${T0},null,"follow","movies",null,null,null,null,null,null,${T0}]`,
      `["torrents",5,"${h(2)}","Old.Two.2021",${T0},null,"new","movies",null,null,null,null,null,null,${T0}]`,
      '["torrent_trackers",4,7]',
      '["torrent_trackers",5,7]',
      `["stats",4,${T0},7,1,2,3]`,
      `["stats",5,${T0},7,4,5,6]`,
      `["stats",5,${T0 - 30 * 86400},7,4,5,6]`,
    ]
    const legacy = commitFiles('data-v1', { 'data/export.ndjson.gz': gzipSync(`${lines.join('\n')}\n`) })
    const env = { DATA_BRANCH: 'data-v1', DATA_DIR: '.data-branch-v1' }
    const a = machine('v1-a')
    a.script('restore', env)
    expect(a.count('stats')).toBe(3)
    a.script('save', env)
    const files = branchFiles('data-v1')
    expect(files).not.toContain('data/export.ndjson.gz') // replaced (it stays in the history)
    expect(git(['--git-dir', remote, 'rev-parse', 'data-v1^'])).toBe(legacy)
    expect(files.filter((f) => f.startsWith('stats/') && !f.includes('/daily-'))).toHaveLength(2) // two weeks
    const b = machine('v1-b')
    b.script('restore', env)
    expect(b.rows()).toEqual(a.rows())
    expect(b.rows()).toContain(`["torrent_trackers","${h(2)}","ygg"]`)
  })

  it('a restore reads only the weeks a run needs; every row stays on the branch', () => {
    const env = { DATA_BRANCH: 'data-window', DATA_DIR: '.data-branch-window' }
    const a = sampleMachine('w-a', env)
    // Stats and trends over 20 weeks.
    for (let w = 1; w <= 20; w++) {
      a.sql(addStats(T0 + w * 7 * 86400))
      a.sql(
        `INSERT INTO trends (torrent_id, time, engine, score, rank) SELECT id, ${T0 + w * 7 * 86400}, 'velocity', 1, id FROM torrents`,
      )
    }
    a.script('save', env)
    // week 20: the stats window (torrent pages: 30 + 1 days; nowcast reads 3 + 1) reaches back ~4 weeks
    const late = '2026-05-22T00:00:00Z'
    const b = machine('w-b')
    const r = b.script('restore', { ...env, MEDIASTRENDS_NOW: late })
    const [, needed, paths] = r.stderr.match(/\((\d+) of (\d+) paths needed\)/) ?? []
    expect(Number(needed)).toBeLessThan(Number(paths))
    // B's clone holds the blobs of the files it read, not the branch's other files.
    const blobsOf = (dir: string) =>
      git(['cat-file', '--batch-all-objects', '--batch-check'], dir)
        .split('\n')
        .filter((l) => l.split(' ')[1] === 'blob').length
    const blobs = blobsOf(b.dir)
    const missingOf = (dir: string, rev: string) =>
      git(['rev-list', '--objects', '--missing=print', rev], dir)
        .split('\n')
        .filter((l) => l.startsWith('?')).length
    const missing = missingOf(b.dir, 'refs/remotes/origin/data-window')
    expect(missing).toBeGreaterThan(0)
    const files = branchFiles('data-window')
    const read = run('find', [join(b.dir, '.data-branch-window', 'known'), '-type', 'f'], tmp)
      .stdout.trim()
      .split('\n')
    expect(read.length).toBeLessThan(files.length)
    expect(blobs).toBeLessThanOrEqual(read.length)
    expect(blobs).toBeGreaterThan(read.length / 2) // (identical files are one blob)
    const stats = b.count('stats')
    expect(stats).toBeGreaterThanOrEqual(3 * 4)
    expect(stats).toBeLessThanOrEqual(3 * 5)
    expect(b.count('trends')).toBeLessThanOrEqual(3 * 2)
    expect(b.count('torrents')).toBe(3)
    // B's save adds its own rows only; the old weeks stay on the branch: importing every file
    // of the branch gives every row of A's database and B's.
    b.sql(addStats(Date.parse(late) / 1000))
    const saved = b.script('save', { ...env, MEDIASTRENDS_NOW: late })
    // Its commit and push fetched none of the branch's other files either.
    // (a file it wrote may equal one of them: an empty daily file)
    expect(missingOf(b.dir, 'refs/remotes/origin/data-window')).toBeGreaterThan(missing / 2)
    // A new month: a new snapshot base (restores read from it on), and the new stats; and the
    // daily files A's save did not write (its clock was months earlier): one a day in each
    // table's window, with the restored rows of those days (partitions.test.ts tests them).
    expect(saved.stderr).toMatch(/pushed \d+ new row\(s\) in \d+ file\(s\) \(trackers 2, .*, stats \d+, trends \d+\)/)
    const added = branchFiles('data-window').filter((f) => f.includes('/daily-'))
    // (A's save wrote the 4 closed days of its first week, from the sample's rows, on Jan 2)
    expect(added.filter((f) => f.startsWith('stats/'))).toHaveLength(4 + 31)
    expect(added.filter((f) => f.startsWith('trends/'))).toHaveLength(4 + 8)
    expect(branchFiles('data-window').filter((f) => /^snapshot\/2026-05\/base-/.test(f))).toHaveLength(1)
    const all = join(tmp, 'w-all')
    mkdirSync(all)
    run('sh', ['-c', `git --git-dir "${remote}" archive data-window | tar -x -C "${all}"`], tmp)
    const c = machine('w-c')
    const cdb = openDb(c.dbPath)
    try {
      const files = run('find', [all, '-name', '*.ndjson.gz'], tmp).stdout.trim().split('\n').sort()
      const snap = files.filter((f) => f.includes('/snapshot/'))
      return importFiles(cdb, [...snap, ...files.filter((f) => !f.includes('/snapshot/'))]).then((counts) => {
        expect(counts.bad).toBe(0)
        closeDb(cdb)
        expect(c.count('stats')).toBe(a.count('stats') + 3)
        expect(c.count('trends')).toBe(a.count('trends'))
      })
    } catch (err) {
      closeDb(cdb)
      throw err
    }
  })
})
