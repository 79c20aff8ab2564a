/**
 * The local demo end to end, short: one simulated day (two scrapes) with the real tracker, the real
 * Torznab server, the real pipeline and the real site build. The flash-crowd titles of the sample
 * catalogue must top the ranking, in the database and on the built home page.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { loadCatalogue } from '../../devkit/demo/catalogue.ts'
import { demo, PACKAGE_ROOT } from '../../devkit/demo/command.ts'

const dir = mkdtempSync(join(tmpdir(), 'mediastrends-demo-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const flashMovies = [
  ...new Set(
    loadCatalogue()
      .filter((i) => i.flashTop && i.category < 3000)
      .map((i) => i.name.split(/\.\d{4}\./)[0]?.replace(/\./g, ' ')),
  ),
]

describe('mediastrends demo', () => {
  it('runs the real pipeline over a simulated day and builds a site ranking the flash crowds first', async () => {
    const lines: string[] = []
    const write = process.stdout.write
    process.stdout.write = ((chunk: string) => {
      lines.push(String(chunk))
      return true
    }) as typeof process.stdout.write
    let code: number
    try {
      code = await demo({ days: 1, scrapesPerDay: 2, dir, build: true, serve: false })
    } finally {
      process.stdout.write = write
    }
    expect(code).toBe(0)
    const text = lines.join('')
    expect(text).toMatch(/day 1\/1 \(\d{4}-\d{2}-\d{2}\): 43 torrents, \d+ announces/)
    expect(text).toContain('site built:')

    const db = new Database(join(dir, 'demo.db'), { readonly: true })
    try {
      const counts = db
        .prepare(
          `SELECT (SELECT count(*) FROM torrents) torrents, (SELECT count(*) FROM stats) stats,
                  (SELECT count(DISTINCT tracker_id) FROM stats) trackers, (SELECT count(*) FROM runs WHERE status != 'ok') failed`,
        )
        .get() as Record<string, number>
      expect(counts.torrents).toBe(43)
      expect(counts.trackers).toBe(2) // scraped over HTTP and over UDP
      expect(counts.stats).toBeGreaterThan(43 * 2)
      expect(counts.failed).toBe(0)
      const top = db
        .prepare(
          `SELECT m.title FROM media_trends mt JOIN media m ON m.id = mt.media_id
           WHERE m.kind = 'movie' AND mt.time = (SELECT max(time) FROM media_trends) ORDER BY mt.rank LIMIT ?`,
        )
        .all(flashMovies.length) as { title: string }[]
      expect(top.map((m) => m.title).sort()).toEqual([...flashMovies].sort())
    } finally {
      db.close()
    }

    // The built home page lists the flash-crowd movies before any other movie.
    const home = readFileSync(join(PACKAGE_ROOT, 'dist', 'index.html'), 'utf8')
    const firstOther = Math.min(
      ...loadCatalogue()
        .filter((i) => !i.flashTop && i.category < 3000)
        .map((i) => home.indexOf(i.name.split(/\.\d{4}\./)[0]?.replace(/\./g, ' ') ?? '§'))
        .filter((i) => i >= 0),
    )
    for (const title of flashMovies) {
      const at = home.indexOf(title ?? '§')
      expect(at, `${title} on the home page`).toBeGreaterThanOrEqual(0)
      expect(at, `${title} before the other movies`).toBeLessThan(firstOther)
    }
    expect(existsSync(join(PACKAGE_ROOT, 'dist', 'pagefind'))).toBe(true)
  }, 240_000)
})
