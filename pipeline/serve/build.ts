/**
 * Building the site for `mediastrends serve`: `mediastrends site build --out DIR` in a child
 * process (Astro builds once per process: a second build in the same process would get the first
 * one's pages, see publish/build.ts), into a new folder of `site_dir`, then swapped in at once.
 *
 *   site_dir/current        → a symbolic link to the build being served (replaced atomically)
 *   site_dir/build-<stamp>/ the builds; the one served and the one before it are kept
 *
 * The child takes the run lock itself (`site build` is a step): the caller must not hold it.
 */
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readlinkSync, renameSync, rmSync, symlinkSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { errorMessage } from '../core/errors.ts'
import { redact } from '../core/log.ts'
import { PACKAGE_ROOT } from '../publish/build.ts'

export const CLI = join(PACKAGE_ROOT, 'bin', 'mediastrends.mjs')

export interface BuildOutcome {
  ok: boolean
  /** The new build's folder (when ok). */
  dir?: string
  pages?: number
  error?: string
  seconds: number
}

/** The build being served, or undefined when there is none yet. */
export function currentBuild(siteDir: string): string | undefined {
  const link = join(siteDir, 'current')
  try {
    const target = resolve(siteDir, readlinkSync(link))
    return existsSync(join(target, 'index.html')) ? target : undefined
  } catch {
    return undefined
  }
}

/** Point site_dir/current at `dir` (rename of a new link over the old one: atomic). */
export function swapIn(siteDir: string, dir: string): void {
  const tmp = join(siteDir, `.current.${process.pid}`)
  rmSync(tmp, { force: true })
  symlinkSync(dir.startsWith(`${siteDir}/`) ? dir.slice(siteDir.length + 1) : dir, tmp)
  renameSync(tmp, join(siteDir, 'current'))
  // Keep the build served and the newest other one; remove older builds and failed leftovers.
  const builds = readdirSync(siteDir)
    .filter((f) => f.startsWith('build-'))
    .sort()
  const keep = new Set([dir, join(siteDir, builds.filter((b) => join(siteDir, b) !== dir).at(-1) ?? '')])
  for (const b of builds) if (!keep.has(join(siteDir, b))) rmSync(join(siteDir, b), { recursive: true, force: true })
}

export interface ChildBuildOptions {
  siteDir: string
  /** Global CLI options to hand on (-f DIR, -m MODE, -v…). */
  cliArgs: string[]
  env?: NodeJS.ProcessEnv
  /** Lines of the child's stderr are passed here (already redacted). */
  onLine?: (line: string) => void
  /** Called with the child, so a forced stop can end it. */
  onChild?: (kill: () => void) => void
}

/** Build into a new folder with the CLI's `site build`, and swap it in when it succeeded. */
export async function buildInChild(opts: ChildBuildOptions): Promise<BuildOutcome> {
  const t0 = performance.now()
  mkdirSync(opts.siteDir, { recursive: true })
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '')
  let dir = join(opts.siteDir, `build-${stamp}`)
  for (let i = 1; existsSync(dir); i++) dir = join(opts.siteDir, `build-${stamp}-${i}`)
  const seconds = () => Math.round((performance.now() - t0) / 100) / 10
  const args = [CLI, ...opts.cliArgs, '--json', 'site', 'build', '--out', dir]
  const result = await new Promise<{ code: number | null; stdout: string; stderr: string[] }>((done) => {
    // Its own process group: a Ctrl-C meant for serve must not kill the build mid-write.
    const child = spawn(process.execPath, args, {
      env: opts.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    })
    opts.onChild?.(() => child.kill('SIGTERM'))
    let stdout = ''
    const stderr: string[] = []
    let partial = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      if (stdout.length < 1_000_000) stdout += d
    })
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      partial += d
      const lines = partial.split('\n')
      partial = lines.pop() ?? ''
      for (const l of lines) {
        const line = redact(l)
        stderr.push(line)
        if (stderr.length > 50) stderr.shift()
        opts.onLine?.(line)
      }
    })
    child.on('error', (err) => done({ code: -1, stdout, stderr: [...stderr, errorMessage(err)] }))
    child.on('close', (code) => done({ code, stdout, stderr }))
  })
  let summary: { ok?: boolean; counts?: { pages?: number }; errors?: string[] } = {}
  for (const line of result.stdout.split('\n').reverse()) {
    try {
      const v = JSON.parse(line)
      if (v && v.step === 'site build') {
        summary = v
        break
      }
    } catch {
      // not the JSON line
    }
  }
  if (result.code === 0 && summary.ok && existsSync(join(dir, 'index.html'))) {
    swapIn(opts.siteDir, dir)
    return { ok: true, dir, pages: summary.counts?.pages, seconds: seconds() }
  }
  rmSync(dir, { recursive: true, force: true })
  const why =
    summary.errors?.[0] ??
    result.stderr.filter((l) => /error|failed/i.test(l)).at(-1) ??
    result.stderr.at(-1) ??
    `exit code ${result.code}`
  return { ok: false, error: redact(`site build: ${why}`), seconds: seconds() }
}
