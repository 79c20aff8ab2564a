/**
 * `site data`: write what the site reads (its settings from the config and the trend runs, daily
 * activity per torrent and per movie/series, this run's day/week/rising charts); a step of
 * `mediastrends run`.
 * `site build [--out DIR]`: the same refresh, then the site built from the database.
 */
import { join, resolve } from 'node:path'
import type { Context, StepResult } from '../context.ts'
import { errorMessage } from '../core/errors.ts'
import { runNeeds } from '../db/command.ts'
import { buildSite, PACKAGE_ROOT } from './build.ts'
import { refreshSite } from './store.ts'
import { packWeeks } from './weeks.ts'

export async function siteData(ctx: Context): Promise<StepResult> {
  const config = ctx.config()
  const t0 = performance.now()
  const counts = refreshSite(
    ctx.db(),
    {
      title: config.site.title,
      baseUrl: config.site.base_url,
      engine: config.trends_manager.engine,
      torrentPageDays: config.site.torrent_page_days,
    },
    ctx.clock.nowSeconds(),
  )
  // Closed weeks packed for the next restore (past what this config's runs read again).
  const packed = packWeeks(ctx.db(), ctx.clock.nowSeconds(), await runNeeds(ctx))
  ctx
    .log('site')
    .info(
      `site data: daily activity of ${counts.torrents} torrent(s) and ${counts.media} movie(s)/series recomputed, ${counts.charts.charts} chart(s) of ${counts.charts.rows} row(s) written` +
        (packed.weeks ? `, ${packed.weeks} closed week(s) packed (${packed.rows} row(s))` : '') +
        ` in ${Math.round(performance.now() - t0)} ms`,
    )
  // Named apart from other steps' counts: `mediastrends run` adds them up by name.
  return { counts: { activity_torrents: counts.torrents, activity_media: counts.media }, errors: [], ok: true }
}

export interface SiteBuildOptions {
  /** Output directory (default: dist/ of the package). */
  out?: string
  /** Where SITE_URL is read (it wins over `[site] base_url`). */
  env?: NodeJS.ProcessEnv
}

export async function siteBuild(ctx: Context, opts: SiteBuildOptions = {}): Promise<StepResult> {
  const data = await siteData(ctx)
  const config = ctx.config()
  const outDir = opts.out ? resolve(opts.out) : join(PACKAGE_ROOT, 'dist')
  let siteUrl = (opts.env ?? process.env).SITE_URL?.trim() || config.site.base_url
  if (!siteUrl.endsWith('/')) siteUrl += '/'
  const log = ctx.log('site')
  try {
    const r = await buildSite({
      dbPath: config.sqlite.path,
      siteUrl,
      outDir,
      logLevel: ctx.verbosity >= 1 ? 'info' : 'warn',
    })
    log.info(`site built: ${r.pages} pages for ${siteUrl} in ${r.seconds.toFixed(1)} s → ${outDir}`)
    return { counts: { ...data.counts, pages: r.pages }, errors: [], ok: true }
  } catch (err) {
    return { counts: data.counts, errors: [`astro build (${outDir}): ${errorMessage(err)}`], ok: false }
  }
}
