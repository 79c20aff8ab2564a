/**
 * Where the site's inputs come from, resolved once at build time (read by astro.config.mjs and by
 * site/lib/data.ts):
 * - the database: env MEDIASTRENDS_DB, else the config's `[sqlite] path` when MEDIASTRENDS_MODE is
 *   set, else data/mediastrends.db;
 * - the public address: env SITE_URL, else `[site] base_url` when MEDIASTRENDS_MODE is set;
 * - the title: `[site] title` (default "mediastrends");
 * - the trend engine shown: env MEDIASTRENDS_ENGINE, else the most frequent one in the database.
 */
import { resolve } from 'node:path'
import { loadConfig } from '../../pipeline/config/load.ts'

export interface SiteSettings {
  dbPath: string
  /** Absolute URL of the site's root, ending with "/". */
  siteUrl: string
  title: string
  engine: string | undefined
  /** Where the settings came from, for the build log. */
  source: string
}

let cached: SiteSettings | undefined

export function siteSettings(env: NodeJS.ProcessEnv = process.env): SiteSettings {
  if (cached && env === process.env) return cached
  let dbPath = resolve('data/mediastrends.db')
  let siteUrl = 'http://localhost:4321/'
  let title = 'mediastrends'
  let source = 'defaults'
  if (env.MEDIASTRENDS_MODE?.trim()) {
    const config = loadConfig({ env })
    dbPath = config.sqlite.path
    siteUrl = config.site.base_url
    title = config.site.title
    source = `config mode "${config.mode}"`
  }
  if (env.MEDIASTRENDS_DB?.trim()) {
    dbPath = resolve(env.MEDIASTRENDS_DB.trim())
    source += ', $MEDIASTRENDS_DB'
  }
  if (env.SITE_URL?.trim()) siteUrl = env.SITE_URL.trim()
  if (!siteUrl.endsWith('/')) siteUrl += '/'
  const engine = env.MEDIASTRENDS_ENGINE?.trim() || undefined
  const s = { dbPath, siteUrl, title, engine, source }
  if (env === process.env) cached = s
  return s
}
