/**
 * Where the site's inputs come from, resolved at build time (read by astro.config.mjs and the
 * pages). The site reads SQLite and SITE_URL, nothing else:
 * - the database: env MEDIASTRENDS_DB, else data/mediastrends.db;
 * - the public address: env SITE_URL, else the `base_url` the pipeline wrote (`[site] base_url`),
 *   else http://localhost:4321/ (its path becomes Astro's `base`);
 * - the title: the `title` the pipeline wrote (`[site] title`), else "mediastrends".
 * What to show (engine, runs, daily activity) is in the database too (site/lib/data.ts).
 */
import { databasePath, siteRow } from './data.ts'

export interface SiteSettings {
  dbPath: string
  /** Absolute URL of the site's root, ending with "/". */
  siteUrl: string
  title: string
}

export function siteSettings(env: NodeJS.ProcessEnv = process.env): SiteSettings {
  const dbPath = databasePath(env)
  const row = siteRow(dbPath)
  let siteUrl = env.SITE_URL?.trim() || row?.baseUrl || 'http://localhost:4321/'
  if (!siteUrl.endsWith('/')) siteUrl += '/'
  return { dbPath, siteUrl, title: row?.title ?? 'mediastrends' }
}
