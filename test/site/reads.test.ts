/**
 * The site only reads: its inputs are the database (MEDIASTRENDS_DB) and SITE_URL, what it shows
 * is what the pipeline wrote (site_settings, media_activity), and no module of site/ imports the
 * pipeline.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { seedSiteDb } from '../../devkit/site/seed-db.ts'
import { databasePath } from '../../site/lib/data.ts'
import { siteSettings } from '../../site/lib/settings.ts'

const ROOT = resolve(import.meta.dirname, '..', '..')
const dir = mkdtempSync(join(tmpdir(), 'mediastrends-site-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const seeded = join(dir, 'seed.db')
const END = Date.UTC(2026, 10, 20, 22) / 1000
seedSiteDb(seeded, { movies: 6, series: 3, torrents: 20, days: 4, runs: 3, end: END })
// Another engine with more rows and a later run: the site must still show the configured one.
{
  const db = new Database(seeded)
  db.prepare(
    `INSERT INTO media_trends (media_id, time, engine, score, rank, torrents)
     SELECT media_id, time + 3600, 'normalized', score, rank, torrents FROM media_trends`,
  ).run()
  db.prepare(
    `INSERT INTO media_trends (media_id, time, engine, score, rank, torrents)
     SELECT media_id, time + 7200, 'normalized', score, rank, torrents FROM media_trends WHERE engine = 'normalized'`,
  ).run()
  db.close()
}
process.env.MEDIASTRENDS_DB = seeded
delete process.env.SITE_URL

describe('site settings', () => {
  it('read MEDIASTRENDS_DB (default data/mediastrends.db), SITE_URL, else what the pipeline wrote', () => {
    expect(databasePath({})).toBe(join(process.cwd(), 'data/mediastrends.db'))
    expect(databasePath({ MEDIASTRENDS_DB: 'x/y.db' })).toBe(resolve('x/y.db'))
    const none = join(dir, 'none.db')
    expect(siteSettings({ MEDIASTRENDS_DB: none })).toEqual({
      dbPath: none,
      siteUrl: 'http://localhost:4321/',
      title: 'mediastrends',
    })
    expect(siteSettings({ MEDIASTRENDS_DB: seeded })).toEqual({
      dbPath: seeded,
      siteUrl: 'http://localhost:4321/', // the seed's base_url
      title: 'mediastrends',
    })
    expect(siteSettings({ MEDIASTRENDS_DB: seeded, SITE_URL: 'https://h.example/p' }).siteUrl).toBe(
      'https://h.example/p/',
    )
  })
})

describe('view models', () => {
  it('show the engine and runs the pipeline chose, and its daily activity', async () => {
    const { homePage, mediaPage, siteView } = await import('../../site/lib/view.ts')
    const db = new Database(seeded, { readonly: true })
    try {
      const site = siteView()
      expect(site).toMatchObject({ engine: 'velocity', latest: END, previous: END - 86_400, hasData: true })
      const home = homePage()
      const top = db
        .prepare(
          `SELECT m.id FROM media_trends mt JOIN media m ON m.id = mt.media_id
           WHERE mt.engine = 'velocity' AND mt.time = ? AND m.kind = 'movie' ORDER BY mt.rank`,
        )
        .all(END) as { id: number }[]
      expect(home.movies.map((m) => m.id)).toEqual(top.map((r) => r.id))
      const first = home.movies[0]
      expect(first).toBeDefined()
      const page = mediaPage('movie', first?.id ?? 0)
      // The latest run's day is not over: left out of the daily figures.
      const today = END - (END % 86_400)
      expect(page.activity).toEqual(
        db
          .prepare(
            'SELECT media_id AS mediaId, day, seeders, leechers, peers, downloads FROM media_activity WHERE media_id = ? AND day < ? ORDER BY day',
          )
          .all(first?.id, today),
      )
      expect(page.activity.length).toBeGreaterThan(2)
      // Sparklines: the day's downloads the pipeline summed (what the charts rank by), the last full day's on the right.
      expect(first?.spark.at(-1)).toBe(page.activity.at(-1)?.downloads ?? 0)
      expect(first?.perDay).toBe(first?.spark.at(-1))
      // Today's chart row of the page is the charts table's.
      const row = db
        .prepare(
          `SELECT rank, value, peak_rank AS peakRank FROM charts WHERE window = 'day' AND media_id = ? ORDER BY time DESC LIMIT 1`,
        )
        .get(first?.id)
      expect(page.today).toMatchObject(row as object)
      expect(() => mediaPage('series', first?.id ?? 0)).toThrow(/not in the database/)
    } finally {
      db.close()
    }
  })
})

describe('site/', () => {
  it('imports nothing of pipeline/ (schema/tables.ts is the contract)', () => {
    const files = readdirSync(join(ROOT, 'site'), { recursive: true })
      .map(String)
      .filter((f) => /\.(ts|astro|mjs|js)$/.test(f))
    expect(files.length).toBeGreaterThan(20)
    const offenders = files.filter((f) =>
      /(from|import)\s*\(?\s*['"][^'"]*\/pipeline\//.test(readFileSync(join(ROOT, 'site', f), 'utf8')),
    )
    expect(offenders).toEqual([])
    expect(readFileSync(join(ROOT, 'site/lib/data.ts'), 'utf8')).toContain("from '../../schema/tables.ts'")
    expect(/pipeline\//.test(readFileSync(join(ROOT, 'astro.config.mjs'), 'utf8'))).toBe(false)
  })
})
