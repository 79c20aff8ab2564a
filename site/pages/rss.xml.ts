/** RSS of the trending movies of the latest run (titles escaped by @astrojs/rss). */
import rss from '@astrojs/rss'
import type { APIContext } from 'astro'
import { href, mediaPath, rankChange } from '../lib/format.ts'
import { feed } from '../lib/view.ts'

export function GET(context: APIContext) {
  const { title, siteUrl, latest, items } = feed('movie')
  const site = new URL(href('/'), context.site ?? siteUrl)
  const pubDate = latest !== null ? new Date(latest * 1000) : undefined
  return rss({
    title: `${title}: trending movies`,
    description: 'Movies ranked by how fast their BitTorrent swarms grow, updated at every run.',
    site,
    items: items.map((m) => ({
      title: `#${m.rank} ${m.title}${m.year ? ` (${m.year})` : ''}`,
      link: href(mediaPath('movie', m.id)),
      pubDate,
      description: [
        rankChange(m.rank, m.previousRank).label,
        m.genres?.length ? m.genres.join(', ') : null,
        m.rating != null ? `rated ${m.rating.toFixed(1)}/10` : null,
        `${m.torrents} torrent${m.torrents === 1 ? '' : 's'}`,
      ]
        .filter(Boolean)
        .join(' · '),
      categories: m.genres ?? [],
    })),
    customData: '<language>en</language>',
  })
}
