/**
 * Publishing from home (`[serve] publish`), after each build of `mediastrends serve`:
 *
 * - `git`: the built site becomes the one commit of `publish_branch` (gh-pages) of
 *   `publish_remote`, force-pushed (the branch is a deployment, not a history: it never grows).
 *   Over SSH (`git@github.com:you/repo.git`, key in `publish_ssh_key` or ssh's defaults) or HTTPS
 *   with a token in $MEDIASTRENDS_GIT_TOKEN, handed to git as an HTTP header through git's
 *   environment config (never in a URL, an argument list, a file or a log line).
 * - `dir`: the site is copied into `publish_dir` (a web server's root, a NAS share), files that
 *   are gone from the build removed.
 * - `publish_data`: the database also goes to the data branch of `publish_remote`, in the layout
 *   of the GitHub Actions publisher, by scripts/data-branch.sh `save` (and `restore` once, when
 *   serve starts on an empty database), so a user can move between home and Actions.
 *
 * Every git call has a timeout; failures come back as one line, redacted.
 */
import { spawn } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { Config } from '../config/schema.ts'
import { errorMessage } from '../core/errors.ts'
import { redact, registerSecret } from '../core/log.ts'
import { PACKAGE_ROOT } from '../publish/build.ts'

export const TOKEN_ENV = 'MEDIASTRENDS_GIT_TOKEN'
const GIT_TIMEOUT_MS = 10 * 60_000
export const DATA_BRANCH_SCRIPT = join(PACKAGE_ROOT, 'scripts', 'data-branch.sh')

export interface PublishOutcome {
  ok: boolean
  target: string
  error?: string
}

/** A remote as it can be shown: no user:password@ part. */
export function safeRemote(remote: string): string {
  return remote.replace(/^(https?:\/\/)[^@/]+@/, '$1')
}

/**
 * The environment of every git call: no prompt, the token as an Authorization header (git ≥ 2.31
 * reads GIT_CONFIG_COUNT/KEY/VALUE), the SSH key, a committer.
 */
export function gitEnv(serve: Config['serve'], env: NodeJS.ProcessEnv, dataDir: string): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {
    ...env,
    GIT_TERMINAL_PROMPT: '0',
    GIT_AUTHOR_NAME: env.GIT_AUTHOR_NAME ?? 'mediastrends',
    GIT_AUTHOR_EMAIL: env.GIT_AUTHOR_EMAIL ?? 'mediastrends@localhost',
  }
  out.GIT_COMMITTER_NAME = env.GIT_COMMITTER_NAME ?? out.GIT_AUTHOR_NAME
  out.GIT_COMMITTER_EMAIL = env.GIT_COMMITTER_EMAIL ?? out.GIT_AUTHOR_EMAIL
  const token = env[TOKEN_ENV]?.trim()
  if (token && /^https?:\/\//.test(serve.publish_remote)) {
    const header = `Authorization: Basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`
    registerSecret(token)
    registerSecret(header.slice('Authorization: Basic '.length))
    out.GIT_CONFIG_COUNT = '1'
    out.GIT_CONFIG_KEY_0 = `http.${new URL(serve.publish_remote).origin}/.extraheader`
    out.GIT_CONFIG_VALUE_0 = header
  }
  delete out[TOKEN_ENV]
  if (!env.GIT_SSH_COMMAND) {
    const known = join(dataDir, 'ssh_known_hosts')
    const key = serve.publish_ssh_key
      ? ` -i '${serve.publish_ssh_key.replace(/'/g, `'\\''`)}' -o IdentitiesOnly=yes`
      : ''
    out.GIT_SSH_COMMAND = `ssh${key} -o BatchMode=yes -o StrictHostKeyChecking=accept-new -o UserKnownHostsFile='${known.replace(/'/g, `'\\''`)}'`
  }
  return out
}

/** Run a program; resolves with its exit code and the tail of its output (redacted). */
export function run(
  cmd: string,
  args: string[],
  opts: { cwd?: string; env: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<{ code: number; output: string }> {
  return new Promise((done) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    const keep = (d: Buffer) => {
      output = (output + d.toString('utf8')).slice(-8000)
    }
    child.stdout.on('data', keep)
    child.stderr.on('data', keep)
    const timer = setTimeout(() => {
      output += `\n${cmd} gave up after ${Math.round((opts.timeoutMs ?? GIT_TIMEOUT_MS) / 1000)} s`
      child.kill('SIGKILL')
    }, opts.timeoutMs ?? GIT_TIMEOUT_MS)
    child.on('error', (err) => {
      clearTimeout(timer)
      done({ code: -1, output: redact(`${output}\n${errorMessage(err)}`) })
    })
    child.on('close', (code) => {
      clearTimeout(timer)
      done({ code: code ?? -1, output: redact(output) })
    })
  })
}

const lastLine = (text: string) =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .at(-1) ?? ''

/** The site as the one commit of `branch`, force-pushed to `remote`. */
export async function publishGit(
  siteDir: string,
  serve: Config['serve'],
  env: NodeJS.ProcessEnv,
  workDir: string,
): Promise<PublishOutcome> {
  const target = `${safeRemote(serve.publish_remote)} ${serve.publish_branch}`
  if (!serve.publish_remote) return { ok: false, target, error: '[serve] publish = git needs publish_remote' }
  const gitDir = join(workDir, 'site.git')
  rmSync(gitDir, { recursive: true, force: true })
  mkdirSync(workDir, { recursive: true })
  // GitHub Pages would run Jekyll on the branch (and drop _astro/): .nojekyll says not to.
  writeFileSync(join(siteDir, '.nojekyll'), '')
  const git = (...args: string[]) => run('git', [`--git-dir=${gitDir}`, `--work-tree=${siteDir}`, ...args], { env })
  const steps: string[][] = [
    ['init', '--quiet'],
    ['add', '--all', '.'],
    [
      'commit',
      '--quiet',
      '--no-verify',
      '-m',
      `site: built ${new Date().toISOString().slice(0, 16)}Z by mediastrends serve`,
    ],
    ['push', '--quiet', '--force', serve.publish_remote, `HEAD:refs/heads/${serve.publish_branch}`],
  ]
  try {
    for (const args of steps) {
      const r = await git(...args)
      if (r.code !== 0) {
        const shown = args[0] === 'push' ? `push to ${target}` : args[0]
        return { ok: false, target, error: `git ${shown} failed (exit ${r.code}): ${lastLine(r.output)}` }
      }
    }
    return { ok: true, target }
  } finally {
    rmSync(gitDir, { recursive: true, force: true })
  }
}

/** Make `dest` hold exactly the files of `src` (copied over, stale ones removed). */
export function publishDir(src: string, dest: string): PublishOutcome {
  try {
    mkdirSync(dest, { recursive: true })
    cpSync(src, dest, { recursive: true, force: true })
    const wanted = new Set(readdirSync(src, { recursive: true }).map(String))
    const present = readdirSync(dest, { recursive: true })
      .map(String)
      .sort((a, b) => b.length - a.length)
    for (const f of present) if (!wanted.has(f)) rmSync(join(dest, f), { recursive: true, force: true })
    return { ok: true, target: dest }
  } catch (err) {
    return { ok: false, target: dest, error: `copy to ${dest}: ${errorMessage(err)}` }
  }
}

/**
 * scripts/data-branch.sh `save` or `restore`, run in a small git repository of its own (the
 * script works from a clone whose remote `origin` holds the branch) with the config handed on.
 */
export async function dataBranch(
  action: 'save' | 'restore',
  config: Config,
  env: NodeJS.ProcessEnv,
  workDir: string,
): Promise<PublishOutcome> {
  const serve = config.serve
  const target = `${safeRemote(serve.publish_remote)} ${serve.data_branch}`
  if (!serve.publish_remote) return { ok: false, target, error: '[serve] publish_data needs publish_remote' }
  const repo = join(workDir, 'data.git-work')
  mkdirSync(repo, { recursive: true })
  const plain = (args: string[]) => run('git', args, { cwd: repo, env })
  if (!existsSync(join(repo, '.git'))) {
    const r = await plain(['init', '--quiet'])
    if (r.code !== 0) return { ok: false, target, error: `git init ${repo}: ${lastLine(r.output)}` }
  }
  await plain(['remote', 'remove', 'origin'])
  await plain(['remote', 'add', 'origin', serve.publish_remote])
  const userFile = config.files.at(-1)
  const r = await run('bash', [DATA_BRANCH_SCRIPT, action], {
    cwd: repo,
    env: {
      ...env,
      DATA_REMOTE: 'origin',
      DATA_BRANCH: serve.data_branch,
      MEDIASTRENDS: `${process.execPath} ${join(PACKAGE_ROOT, 'bin', 'mediastrends.mjs')}`,
      MEDIASTRENDS_MODE: config.mode,
      ...(userFile ? { MEDIASTRENDS_DIRCONF: dirname(userFile) } : {}),
    },
  })
  if (r.code !== 0)
    return { ok: false, target, error: `data-branch.sh ${action} failed (exit ${r.code}): ${lastLine(r.output)}` }
  return { ok: true, target }
}

/**
 * The data branch after a build: `save`, preceded once by `restore` (the script saves on top of
 * the commit it restored, never rewriting the branch; a marker file says the restore was done).
 */
export async function saveData(config: Config, env: NodeJS.ProcessEnv, workDir: string): Promise<PublishOutcome> {
  const marker = join(workDir, 'data-restored')
  if (!existsSync(marker)) {
    const r = await dataBranch('restore', config, env, workDir)
    if (!r.ok) return r
    writeFileSync(marker, `${new Date().toISOString()}\n`)
  }
  return dataBranch('save', config, env, workDir)
}

/** Where serve keeps its git work folders: beside the site. */
export const publishWorkDir = (siteDir: string): string => join(siteDir, '.publish')

export const describeTarget = (serve: Config['serve']): string =>
  serve.publish === 'git'
    ? `git ${safeRemote(serve.publish_remote)} ${serve.publish_branch}`
    : serve.publish === 'dir'
      ? `folder ${serve.publish_dir}`
      : 'none'
