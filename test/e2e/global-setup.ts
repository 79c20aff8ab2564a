/**
 * Playwright global setup: seed a database in a temp dir (posters from a loopback poster server,
 * torrent pages kept 3 days after their last scrape), build the site from it once, build a second
 * site from an empty database, preview both on 127.0.0.1 (Astro's preview(), free ports), and hand
 * the URLs and paths to the tests through the environment. The teardown stops the servers and
 * removes the dir.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildSiteApart } from '../../devkit/site/build.ts'
import { startPosterServer } from '../../devkit/site/posters.ts'
import { seedSiteDb } from '../../devkit/site/seed-db.ts'
import { previewSite } from '../../pipeline/publish/build.ts'
import { E2E_TORRENT_PAGE_DAYS } from './fixtures.ts'

export default async function globalSetup(): Promise<() => Promise<void>> {
  const dir = mkdtempSync(join(tmpdir(), 'mediastrends-e2e-'))
  const db = join(dir, 'seed.db')
  const emptyDb = join(dir, 'empty.db')
  const posters = await startPosterServer()
  seedSiteDb(db, { posterBase: posters.url, torrentPageDays: E2E_TORRENT_PAGE_DAYS })
  seedSiteDb(emptyDb, { empty: true })
  const out = join(dir, 'dist')
  const emptyOut = join(dir, 'dist-empty')
  try {
    await buildSiteApart(db, out)
    await buildSiteApart(emptyDb, emptyOut)
  } finally {
    await posters.stop()
  }
  const site = await previewSite(out)
  const empty = await previewSite(emptyOut)
  process.env.E2E_DIR = dir
  process.env.E2E_DB = db
  process.env.E2E_DIST = out
  process.env.E2E_URL = site.url
  process.env.E2E_EMPTY_URL = empty.url
  return async () => {
    await site.stop()
    await empty.stop()
    if (!process.env.E2E_KEEP) rmSync(dir, { recursive: true, force: true })
  }
}
