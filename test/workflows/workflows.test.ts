/**
 * The GitHub Actions workflows: each passes @action-validator/cli (the schema of workflow files),
 * plus checks the schema cannot make: no `${{ }}` expansion inside shell scripts (script
 * injection; values go through `env:`), secrets only in the step that needs them, valid cron
 * lines, actions pinned to a major version, and the publishing invariants (data saved even when
 * the run fails, never when the restore failed; one publish at a time, never cancelled).
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'

const ROOT = join(import.meta.dirname, '..', '..')
const DIR = join(ROOT, '.github/workflows')
const VALIDATOR = join(ROOT, 'node_modules/@action-validator/cli/cli.mjs')
const files = readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f))

interface Step {
  name?: string
  id?: string
  uses?: string
  run?: string
  if?: string
  env?: Record<string, string>
  with?: Record<string, unknown>
}
interface Job {
  steps?: Step[]
  permissions?: Record<string, string>
  needs?: string | string[]
  environment?: { name: string }
  container?: string
}
interface Workflow {
  on: Record<string, unknown>
  permissions?: Record<string, string>
  concurrency?: { group: string; 'cancel-in-progress': boolean }
  jobs: Record<string, Job>
}

const load = (f: string) => parse(readFileSync(join(DIR, f), 'utf8')) as Workflow
const validate = (file: string) => spawnSync(process.execPath, [VALIDATOR, file], { encoding: 'utf8' })
const steps = (w: Workflow) => Object.values(w.jobs).flatMap((j) => j.steps ?? [])

describe('workflow files', () => {
  it('exist: ci.yml and publish.yml', () => {
    expect(files.sort()).toEqual(['ci.yml', 'publish.yml'])
  })

  it.each(files)('%s passes action-validator', (f) => {
    const r = validate(join(DIR, f))
    expect(`${r.stdout}${r.stderr}`.trim()).toBe('')
    expect(r.status).toBe(0)
  })

  it('action-validator does fail a broken workflow (so the check above means something)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mediastrends-wf-'))
    try {
      const bad = join(dir, 'bad.yml')
      writeFileSync(
        bad,
        'name: bad\non: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    stepz:\n      - run: echo\n',
      )
      const r = validate(bad)
      expect(r.status).not.toBe(0)
      expect(r.stdout + r.stderr).toContain("Additional property 'stepz' is not allowed")
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it.each(files)('%s expands no ${{ }} inside shell scripts (values go through env:)', (f) => {
    for (const s of steps(load(f))) expect(s.run ?? '', `step "${s.name ?? s.run}"`).not.toContain('${{')
  })

  it.each(files)('%s pins every action to a major version', (f) => {
    for (const s of steps(load(f))) if (s.uses) expect(s.uses).toMatch(/^[\w.-]+\/[\w./-]+@v\d+$/)
  })

  it.each(files)('%s gives the default token read-only rights, more only per job', (f) => {
    expect(load(f).permissions).toEqual({ contents: 'read' })
  })
})

describe('ci.yml', () => {
  const w = load('ci.yml')
  it('runs on push and pull requests: installs Debian Chromium, npm ci, lints the workflows, npm test', () => {
    expect(Object.keys(w.on)).toEqual(expect.arrayContaining(['push', 'pull_request']))
    const runs = steps(w)
      .map((s) => s.run ?? '')
      .join('\n')
    expect(w.jobs.test?.container).toMatch(/^node:22-bookworm/)
    expect(runs).toMatch(/apt-get install -y[^\n]* chromium/)
    expect(runs).toContain('npm ci')
    expect(runs).toContain('action-validator')
    expect(steps(w).at(-1)?.run).toBe('npm test')
  })
})

describe('publish.yml', () => {
  const w = load('publish.yml')
  const all = steps(w)
  const byName = (re: RegExp) => {
    const s = all.find((x) => re.test(x.name ?? ''))
    if (!s) throw new Error(`no step named ${re}`)
    return s
  }

  it('runs on a valid schedule and by hand, one at a time, never cancelled', () => {
    const cron = (w.on.schedule as { cron: string }[]).map((c) => c.cron)
    expect(cron.length).toBeGreaterThan(0)
    const field = (max: number) => (v: string) =>
      v.split(',').every((part) => {
        const m = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part)
        if (!m) return false
        const nums = [m[2], m[3], m[4]].filter((x) => x !== undefined).map(Number)
        return nums.every((n) => n <= max)
      })
    const limits = [59, 23, 31, 12, 6]
    for (const c of cron) {
      const parts = c.split(/\s+/)
      expect(parts).toHaveLength(5)
      for (const [i, p] of parts.entries()) expect(field(limits[i] ?? 0)(p), `${c}: field ${i + 1}`).toBe(true)
    }
    expect(w.on).toHaveProperty('workflow_dispatch')
    expect(w.concurrency).toEqual({ group: 'publish', 'cancel-in-progress': false })
  })

  it('restores, runs, saves, builds and deploys in that order', () => {
    const order = [
      /npm ci/,
      /data-branch\.sh restore/,
      /mediastrends\.mjs run/,
      /data-branch\.sh save/,
      /mediastrends\.mjs site build/,
      /upload-pages-artifact/,
    ]
    const text = all.map((s) => `${s.run ?? ''} ${s.uses ?? ''}`)
    const at = order.map((re) => text.findIndex((t) => re.test(t)))
    expect(at.every((i) => i >= 0)).toBe(true)
    expect([...at].sort((a, b) => a - b)).toEqual(at)
    expect(w.jobs.update?.permissions).toEqual({ contents: 'write' })
    expect(w.jobs.deploy?.needs).toBe('update')
    expect(w.jobs.deploy?.permissions).toEqual({ pages: 'write', 'id-token': 'write' })
    expect(w.jobs.deploy?.environment?.name).toBe('github-pages')
    expect(w.jobs.deploy?.steps?.map((s) => s.uses)).toEqual(['actions/deploy-pages@v4'])
  })

  it('saves the data even when the run failed, but never after a failed restore', () => {
    expect(byName(/^Restore the data from/).id).toBe('restore')
    const cond = "${{ always() && steps.restore.outcome == 'success' }}"
    expect(byName(/^Save the new rows/).if).toBe(cond)
    expect(byName(/^Save the database cache/).if).toBe(cond)
  })

  it('builds the site (site data, then Astro) for the address of the Pages step', () => {
    expect(byName(/^Configure Pages/).id).toBe('pages')
    const build = byName(/^Build the site/)
    expect(build.run).toBe('node bin/mediastrends.mjs site build')
    expect(build.env).toEqual({ SITE_URL: '${{ steps.pages.outputs.base_url }}/' })
  })

  it('passes secrets only to the pipeline run, through env', () => {
    const withSecrets = all.filter((s) => JSON.stringify(s).includes('secrets.'))
    expect(withSecrets.map((s) => s.name)).toEqual(['Run the pipeline'])
    expect(byName(/^Run the pipeline/).env).toEqual({
      JACKETT_URL: '${{ secrets.JACKETT_URL }}',
      JACKETT_API_KEY: '${{ secrets.JACKETT_API_KEY }}',
      TMDB_API_KEY: '${{ secrets.TMDB_API_KEY }}',
    })
  })

  it('turns JACKETT_URL into the [jackettapi] keys as the run step does', () => {
    const run = byName(/^Run the pipeline/).run ?? ''
    const script = /node -e '([\s\S]*?)'\)/.exec(run)?.[1]
    expect(script).toBeDefined()
    const env = (url: string) => {
      const r = spawnSync(process.execPath, ['-e', script ?? ''], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH, JACKETT_URL: url },
      })
      expect(r.status).toBe(0)
      return Object.fromEntries(
        r.stdout
          .trim()
          .split('\n')
          .map((l) => [
            l.slice(0, l.indexOf('=')).replace('MEDIASTRENDS__JACKETTAPI__', ''),
            l.slice(l.indexOf('=') + 1),
          ]),
      )
    }
    expect(env('http://jackett.example.org:9117')).toEqual({
      SCHEME: 'http',
      DOMAIN: 'jackett.example.org',
      PORT: '9117',
      NETLOC: 'jackett.example.org:9117',
    })
    expect(env('https://example.org/jackett/')).toEqual({
      SCHEME: 'https',
      DOMAIN: 'example.org',
      PORT: '443',
      NETLOC: 'example.org:443',
      PATH: '/jackett/api/v2.0/indexers/{indexer}/results/torznab/',
    })
  })
})
