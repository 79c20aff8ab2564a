/**
 * `mediastrends site build` through the CLI: the site data refreshed from the config, then the
 * site built by Astro (with Pagefind) from the config's database into --out, for SITE_URL when
 * set (it wins over [site] base_url); recorded in the runs table like any step.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { seedSiteDb } from '../../devkit/site/seed-db.ts'
import { makeConfigDir } from '../helpers/config.ts'

const BIN = join(import.meta.dirname, '../../bin/mediastrends.mjs')
const dir = makeConfigDir({ ini: '[site]\ntitle = Trends\nbase_url = https://example.net/trends/\n' })
afterAll(() => dir.cleanup())

describe('site build', () => {
  it('refreshes the site data from the config and builds the site for SITE_URL into --out', () => {
    const db = join(dir.dir, 'data', 'mediastrends.db')
    seedSiteDb(db, { movies: 4, series: 2, torrents: 8, days: 3, runs: 2 })
    const out = join(dir.dir, 'site')
    const r = spawnSync(process.execPath, [BIN, 'site', 'build', '--out', 'site'], {
      cwd: dir.dir,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: dir.dir,
        MEDIASTRENDS_MODE: dir.mode,
        MEDIASTRENDS_DIRCONF: dir.dir,
        SITE_URL: 'http://127.0.0.1:9/p',
      },
      encoding: 'utf8',
      timeout: 120_000,
    })
    expect(r.stderr).not.toMatch(/error/i)
    expect(r.status).toBe(0)
    expect(r.stdout).toMatch(/^site build: ok \(activity_torrents 0, activity_media 0, pages \d+\)$/m)
    const home = readFileSync(join(out, 'index.html'), 'utf8')
    expect(home).toContain('<title>Trends: trending movies and series</title>') // [site] title
    expect(home).toContain('<link rel="canonical" href="http://127.0.0.1:9/p/">') // SITE_URL wins
    expect(home).toContain('href="/p/about/"')
    expect(existsSync(join(out, 'pagefind', 'pagefind-ui.js'))).toBe(true)
    expect(existsSync(join(dir.dir, '.astro'))).toBe(false) // nothing staged where the command ran
    const check = new Database(db, { readonly: true })
    try {
      expect(check.prepare('SELECT title, base_url FROM site_settings').get()).toEqual({
        title: 'Trends',
        base_url: 'https://example.net/trends/',
      })
      expect(check.prepare("SELECT status FROM runs WHERE step = 'site build'").all()).toEqual([{ status: 'ok' }])
    } finally {
      check.close()
    }
  }, 150_000)
})
