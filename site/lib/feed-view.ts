/**
 * The feeds' view: chart rows read through data.ts, shaped by the pure builders of feeds.ts.
 * The routes in site/pages (radarr.json, sonarr.json, rss.xml, lists/*) only call these.
 */
import { chartRows, type Kind, latestChartTime } from './data.ts'
import {
  type ChannelInfo,
  chartRss,
  DAY,
  type ListItem,
  type PlexEntry,
  plexRss,
  type RssEntry,
  STICKY_DAYS,
  stickyList,
} from './feeds.ts'
import { mediaPath } from './format.ts'
import { siteSettings } from './settings.ts'

/** Items in the chart RSS, per kind: the latest day chart's top. */
export const RSS_SIZE = 20

/** The site's absolute root with its base path (SITE_URL, else the pipeline's base_url), ending with "/". */
export const siteRoot = (): URL => new URL(siteSettings().siteUrl)

/** Absolute URL of a path of the site ('/movie/3/'), under its base: what astro.config's site + base make. */
export const absolute = (path: string): string => new URL(path.replace(/^\/+/, ''), siteRoot()).href

/** The sticky list of one kind: the top `size` of the day chart at any run of the 7 days to the latest chart. */
export function sticky(kind: Kind, size: number): ListItem[] {
  const latest = latestChartTime('day', kind)
  if (latest === null) return []
  return stickyList(chartRows('day', kind, latest - STICKY_DAYS * DAY + 1, latest, size), latest, size)
}

function info(title: string, description: string, self: string): ChannelInfo {
  const latest = Math.max(latestChartTime('day', 'movie') ?? 0, latestChartTime('day', 'series') ?? 0)
  return {
    title: `${siteSettings().title}: ${title}`,
    link: siteRoot().href,
    description,
    self: absolute(self),
    time: latest || null,
  }
}

/** The Plex-Watchlist-shaped RSS of both kinds' sticky top `size`; null when both lists are empty. */
export function plexFeed(size: number): string | null {
  const entries: PlexEntry[] = (['movie', 'series'] as const).flatMap((kind) =>
    sticky(kind, size).map((item) => ({ kind, item, link: absolute(mediaPath(kind, item.media.id)) })),
  )
  return plexRss(
    info(
      `top ${size} movies and series of the last ${STICKY_DAYS} days`,
      `Every movie and series in the top ${size} at any run of the last ${STICKY_DAYS} days, as a Plex Watchlist RSS feed for Radarr and Sonarr.`,
      `/lists/plex-top${size}.xml`,
    ),
    entries,
  )
}

/** The chart RSS: the latest day chart of movies and of series, one item per title and chart date. */
export function chartFeed(): string {
  const entries: RssEntry[] = (['movie', 'series'] as const).flatMap((kind) => {
    const latest = latestChartTime('day', kind)
    if (latest === null) return []
    return chartRows('day', kind, latest, latest, RSS_SIZE).map((entry) => ({
      kind,
      entry,
      link: absolute(mediaPath(kind, entry.media.id)),
    }))
  })
  return chartRss(
    info(
      'trending movies and series',
      'Movies and series ranked by what BitTorrent swarms download, updated at every run.',
      '/rss.xml',
    ),
    entries,
  )
}
