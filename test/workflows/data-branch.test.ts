/**
 * scripts/data-branch.sh against a real bare git repository in a temp folder (the "GitHub" of the
 * scheduled workflow) and the real CLI: export → commit to `data` → fresh clone → import → export
 * gives the same rows; a save with nothing new commits nothing; a later save appends only the new
 * rows; two runs saving at once both land (the second imports the first's rows and retries).
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, renameSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { closeDb, openDb } from '../../pipeline/db/client.ts'
import { makeConfigDir, type TestConfigDir } from '../helpers/config.ts'
import { insertSample } from '../helpers/sample-data.ts'

const ROOT = join(import.meta.dirname, '..', '..')
const SCRIPT = join(ROOT, 'scripts/data-branch.sh')
const FILE = 'data/export.ndjson'

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

/** A clone of the remote with its own config dir and database, as one CI run sees it. */
function machine(name: string) {
  const dir = join(tmp, name)
  git(['clone', '--quiet', remote, dir])
  const config = makeConfigDir()
  configs.push(config)
  const dbPath = join(config.dir, 'data', 'mediastrends.db')
  const env = { MEDIASTRENDS_DIRCONF: config.dir, MEDIASTRENDS_MODE: config.mode }
  return {
    dir,
    dbPath,
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
  }
}

const branchHead = () => git(['--git-dir', remote, 'rev-parse', 'refs/heads/data'])
const branchFile = (rev = 'data') => git(['--git-dir', remote, 'show', `${rev}:${FILE}`])
const rowsOf = (text: string) => text.split('\n').filter((l) => l && !l.startsWith('{'))

/** New stats rows (one per torrent) at `time`. */
const addStats = (time: number) =>
  `INSERT INTO stats (torrent_id, time, tracker_id, seeders, leechers, completed)
   SELECT id, ${time}, (SELECT id FROM trackers WHERE name = 'ygg'), 7, 8, 9 FROM torrents`

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'mediastrends-databranch-'))
  remote = join(tmp, 'remote.git')
  git(['init', '--quiet', '--bare', '--initial-branch=main', remote])
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

describe('scripts/data-branch.sh', () => {
  it('round-trips the database through the data branch, appending only new rows', () => {
    // Run 1 on machine A: no data branch yet; the pipeline writes rows; save creates the branch.
    const a = machine('a')
    a.script('restore')
    const db = openDb(a.dbPath)
    insertSample(db)
    closeDb(db)
    const saved = a.script('save')
    expect(saved.stderr).toMatch(/pushed \d+ new row\(s\) to origin\/data/)
    const first = branchFile()
    const firstRows = rowsOf(first)
    expect(firstRows.length).toBeGreaterThan(20)
    expect(first.split('\n')[0]).toMatch(/^\{"format":"mediastrends-ndjson","version":1,/)
    expect(git(['--git-dir', remote, 'log', '--format=%s', 'data'])).toBe(`data: ${firstRows.length} new row(s)`)
    // The code branch is untouched.
    expect(git(['--git-dir', remote, 'log', '--format=%s', 'main'])).toBe('code')

    // A save with nothing new commits nothing.
    const head1 = branchHead()
    expect(a.script('save').stderr).toContain('no new rows: nothing to commit')
    expect(branchHead()).toBe(head1)

    // Run 2 on a fresh machine B: restore imports everything; exporting again gives the same rows.
    const b = machine('b')
    b.script('restore')
    const again = join(tmp, 'again.ndjson')
    b.cli('database', 'export', again)
    const reexported = run('cat', [again], tmp).stdout
    expect(rowsOf(reexported).sort()).toEqual([...firstRows].sort())
    expect(b.script('save').stderr).toContain('nothing to commit')
    expect(branchHead()).toBe(head1)

    // New rows on A: the next commit adds exactly them (plus a header line) and removes nothing.
    a.sql(addStats(1_767_225_600 + 5 * 21600))
    a.script('save')
    const head2 = branchHead()
    expect(git(['--git-dir', remote, 'rev-parse', `${head2}^`])).toBe(head1)
    expect(git(['--git-dir', remote, 'diff', '--numstat', head1, head2])).toBe(`4\t0\t${FILE}`)
    const second = branchFile()
    expect(second.startsWith(first)).toBe(true)
    expect(rowsOf(second.slice(first.length))).toHaveLength(3)

    // B (restored before A's save) saves rows of its own: its push is refused, it imports A's rows,
    // redoes the export on top of A's commit and pushes. Both sets of rows are on the branch.
    b.sql(addStats(1_767_225_600 + 6 * 21600))
    const bSave = b.script('save')
    expect(bSave.stderr).toContain('push refused (attempt 1/3)')
    expect(bSave.stderr).toMatch(/pushed 3 new row\(s\)/)
    const head3 = branchHead()
    expect(git(['--git-dir', remote, 'rev-parse', `${head3}^`])).toBe(head2)
    const third = branchFile()
    expect(third.startsWith(second)).toBe(true)
    const added = rowsOf(third.slice(second.length))
    expect(added).toHaveLength(3)
    expect(added.every((l) => l.startsWith(`["stats",`) && l.includes(`,${1_767_225_600 + 6 * 21600},`))).toBe(true)

    // A fresh machine C sees everything: sample + A's and B's new stats.
    const c = machine('c')
    c.script('restore')
    const all = join(tmp, 'all.ndjson')
    c.cli('database', 'export', all)
    expect(rowsOf(run('cat', [all], tmp).stdout).sort()).toEqual(rowsOf(third).sort())

    // A save that fails (the remote is unreachable) keeps nothing back: once the remote is back,
    // the next save pushes those rows, although the work folder already holds them.
    c.sql(addStats(1_767_225_600 + 7 * 21600))
    renameSync(remote, `${remote}.away`)
    const failed = c.failing('save')
    renameSync(`${remote}.away`, remote)
    expect(failed.status).toBe(1)
    expect(failed.stderr).toContain("cannot reach remote 'origin'")
    expect(c.script('save').stderr).toMatch(/pushed 3 new row\(s\)/)
    const last = rowsOf(branchFile())
    expect(last.filter((l) => l.startsWith('["stats",') && l.includes(`,${1_767_225_600 + 7 * 21600},`))).toHaveLength(
      3,
    )
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
})

describe('scripts/data-branch.sh with a compressed file (DATA_FILE=….ndjson.gz, as publish.yml sets it)', () => {
  it('round-trips through gzip members, appending only the new rows', () => {
    const env = { DATA_FILE: 'data/export.ndjson.gz', DATA_BRANCH: 'data-gz', DATA_DIR: '.data-branch-gz' }
    const a = machine('gz-a')
    a.script('restore', env)
    const db = openDb(a.dbPath)
    insertSample(db)
    closeDb(db)
    expect(a.script('save', env).stderr).toMatch(/pushed \d+ new row\(s\) to origin\/data-gz/)
    const size1 = Number(git(['--git-dir', remote, 'cat-file', '-s', 'data-gz:data/export.ndjson.gz']))
    expect(a.script('save', env).stderr).toContain('no new rows: nothing to commit')
    a.sql(addStats(1_767_225_600 + 9 * 21600))
    expect(a.script('save', env).stderr).toMatch(/pushed 3 new row\(s\)/)
    expect(Number(git(['--git-dir', remote, 'cat-file', '-s', 'data-gz:data/export.ndjson.gz']))).toBeGreaterThan(size1)

    const b = machine('gz-b')
    expect(b.script('restore', env).stderr).toMatch(/restoring from origin\/data-gz \w+ \(\d+ lines\)/)
    const out = join(tmp, 'gz-again.ndjson')
    b.cli('database', 'export', out)
    const a2 = join(tmp, 'gz-a.ndjson')
    a.cli('database', 'export', a2)
    expect(rowsOf(run('cat', [out], tmp).stdout).sort()).toEqual(rowsOf(run('cat', [a2], tmp).stdout).sort())
  })
})
