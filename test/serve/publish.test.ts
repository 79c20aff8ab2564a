/**
 * Publishing from home: the site force-pushed as one commit to a git branch (a bare repository
 * on disk stands for GitHub), copied to a folder, the data saved to the data branch by
 * scripts/data-branch.sh; the token never in an argument, a log line or an error.
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { Config } from '../../pipeline/config/schema.ts'
import { redact } from '../../pipeline/core/log.ts'
import { closeDb, openDb } from '../../pipeline/db/client.ts'
import { gitEnv, publishDir, publishGit, saveData, TOKEN_ENV } from '../../pipeline/serve/publish.ts'
import { makeConfigDir } from '../helpers/config.ts'

const cleanups: (() => void)[] = []
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c()
})
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'mediastrends-publish-'))
  cleanups.push(() => rmSync(d, { recursive: true, force: true }))
  return d
}
function site(dir: string, pages: Record<string, string>): string {
  for (const [p, text] of Object.entries(pages)) {
    mkdirSync(join(dir, p, '..'), { recursive: true })
    writeFileSync(join(dir, p), text)
  }
  return dir
}
const git = (gitDir: string, ...args: string[]) =>
  execFileSync('git', [`--git-dir=${gitDir}`, ...args], { encoding: 'utf8' }).trim()
const serveConfig = (over: Partial<Config['serve']>): Config['serve'] => ({
  interval: 14_400,
  jitter: 0,
  min_interval: 3600,
  host: '127.0.0.1',
  port: 0,
  site_dir: '/nonexistent',
  unhealthy_after: 3,
  publish: 'git',
  publish_remote: '',
  publish_branch: 'gh-pages',
  publish_dir: '',
  publish_ssh_key: '',
  publish_data: false,
  data_branch: 'data',
  ...over,
})

describe('publish', () => {
  it('git: the site is the one commit of gh-pages, with .nojekyll, replaced on each publish', async () => {
    const d = tmp()
    const remote = join(d, 'remote.git')
    execFileSync('git', ['init', '--quiet', '--bare', remote])
    const s = serveConfig({ publish_remote: remote })
    const env = gitEnv(s, process.env, d)
    const first = await publishGit(
      site(join(d, 'b1'), { 'index.html': 'one', 'movies/x/index.html': 'x' }),
      s,
      env,
      join(d, 'w'),
    )
    expect(first).toEqual({ ok: true, target: `${remote} gh-pages` })
    expect(git(remote, 'show', 'gh-pages:index.html')).toBe('one')
    expect(git(remote, 'ls-tree', '-r', '--name-only', 'gh-pages').split('\n').sort()).toEqual([
      '.nojekyll',
      'index.html',
      'movies/x/index.html',
    ])
    const second = await publishGit(site(join(d, 'b2'), { 'index.html': 'two' }), s, env, join(d, 'w'))
    expect(second.ok).toBe(true)
    expect(git(remote, 'show', 'gh-pages:index.html')).toBe('two')
    expect(git(remote, 'rev-list', '--count', 'gh-pages')).toBe('1')
    expect(git(remote, 'ls-tree', '-r', '--name-only', 'gh-pages')).not.toContain('movies/x/index.html')
  })

  it('the token goes to git as an HTTP header in its environment, and never into an error', async () => {
    const token = 'ghp_TESTTOKEN1234567890abcdef'
    // a port nobody listens on
    const srv = createServer()
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
    const port = (srv.address() as { port: number }).port
    await new Promise((r) => srv.close(r))
    const remote = `http://127.0.0.1:${port}/you/mediastrends.git`
    const s = serveConfig({ publish_remote: remote })
    const env = gitEnv(s, { ...process.env, [TOKEN_ENV]: token }, tmp())
    expect(env[TOKEN_ENV]).toBeUndefined()
    expect(env.GIT_CONFIG_KEY_0).toBe(`http.http://127.0.0.1:${port}/.extraheader`)
    expect(env.GIT_CONFIG_VALUE_0).toBe(
      `Authorization: Basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`,
    )
    expect(env.GIT_TERMINAL_PROMPT).toBe('0')
    expect(redact(`token ${token} header ${env.GIT_CONFIG_VALUE_0}`)).not.toMatch(/TESTTOKEN|eC1hY2Nlc3Mt/)
    const d = tmp()
    const r = await publishGit(site(join(d, 'b'), { 'index.html': 'x' }), s, env, join(d, 'w'))
    expect(r.ok).toBe(false)
    expect(r.error).toMatch(/git push to http:\/\/127\.0\.0\.1:\d+\/you\/mediastrends\.git gh-pages failed/)
    expect(r.error).not.toContain(token)
  })

  it('dir: the folder ends up holding exactly the site', () => {
    const d = tmp()
    const src = site(join(d, 'src'), { 'index.html': 'new', '_astro/a.css': 'a' })
    const dest = site(join(d, 'www'), { 'index.html': 'old', 'stale/index.html': 's', 'gone.css': 'g' })
    expect(publishDir(src, dest)).toEqual({ ok: true, target: dest })
    expect(readdirSync(dest, { recursive: true }).map(String).sort()).toEqual(['_astro', '_astro/a.css', 'index.html'])
  })

  it('data: saved to the data branch in the Actions publisher’s layout (restore first, then save)', async () => {
    const d = tmp()
    const remote = join(d, 'remote.git')
    execFileSync('git', ['init', '--quiet', '--bare', remote])
    const dirs = makeConfigDir({ ini: `[serve]\npublish_remote = ${remote}\npublish_data = true\n` })
    cleanups.push(() => dirs.cleanup())
    const config = dirs.load()
    const db = openDb(config.sqlite.path)
    db.$client
      .prepare("INSERT INTO runs (step, clock, started_at, ended_at, status) VALUES ('run', 1, 1, 2, 'ok')")
      .run()
    closeDb(db)
    const env = gitEnv(config.serve, process.env, d)
    const r = await saveData(config, env, join(d, 'work'))
    expect(r).toEqual({ ok: true, target: `${remote} data` })
    const files = git(remote, 'ls-tree', '-r', '--name-only', 'data').split('\n')
    const runsFile = files.find((f) => /^runs\/1969-12-29\/[^/]+\.ndjson\.gz$/.test(f))
    expect(runsFile, files.join('\n')).toBeDefined()
    const rows = execFileSync('sh', ['-c', `git --git-dir='${remote}' show 'data:${runsFile}' | gzip -dc`], {
      encoding: 'utf8',
    })
    expect(rows).toMatch(/^\["runs","run",/m)
    // a second save with nothing new commits nothing
    expect((await saveData(config, env, join(d, 'work'))).ok).toBe(true)
    expect(git(remote, 'rev-list', '--count', 'data')).toBe('1')
  }, 60_000)
})
