/**
 * Plex-Watchlist-shaped RSS (/lists/plex-top10.xml, /lists/plex-top50.xml): the sticky top N of
 * movies (`<category>movie</category>`, read by Radarr) and series (`show`, read by Sonarr) in
 * one feed. Not written when empty.
 */
import type { APIContext } from 'astro'
import { plexFeed } from '../../lib/feed-view.ts'
import { PLEX_SIZES } from '../../lib/feeds.ts'

export function getStaticPaths() {
  return PLEX_SIZES.map((size) => ({ params: { list: `plex-top${size}` }, props: { size } }))
}

export function GET({ props }: APIContext<{ size: number }>) {
  return new Response(plexFeed(props.size), {
    headers: { 'Content-Type': 'application/rss+xml; charset=utf-8' },
  })
}
