/** RSS of the trending movies of the latest run (titles escaped by @astrojs/rss). */
import rss from '@astrojs/rss'
import type { APIContext } from 'astro'
import { feedMedia, overview } from '../lib/data.ts'
import { href, mediaPath, rankChange } from '../lib/format.ts'
import { siteSettings } from '../lib/settings.ts'

export function GET(context: APIContext) {
  const ov = overview()
  const site = new URL(href('/'), context.site ?? siteSettings().siteUrl)
  const pubDate = ov.latest !== null ? new Date(ov.latest * 1000) : undefined
  return rss({
    title: `${siteSettings().title}: trending movies`,
    description: 'Movies ranked by how fast their BitTorrent swarms grow, updated at every run.',
    site,
    items: feedMedia('movie').map((m) => ({
      title: `#${m.rank} ${m.title}${m.year ? ` (${m.year})` : ''}`,
      link: href(mediaPath('movie', m.id)),
      pubDate,
      description: [
        rankChange(m.rank, m.previousRank).label,
        m.genres.length ? m.genres.join(', ') : null,
        m.rating != null ? `rated ${m.rating.toFixed(1)}/10` : null,
        `${m.torrents} torrent${m.torrents === 1 ? '' : 's'}`,
      ]
        .filter(Boolean)
        .join(' · '),
      categories: m.genres,
    })),
    customData: '<language>en</language>',
  })
}
