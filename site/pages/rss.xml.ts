/** RSS of the latest day charts (movies and series): one item per title and chart date (site/lib/feeds.ts). */
import type { APIContext } from 'astro'
import { chartFeed } from '../lib/feed-view.ts'

export function GET(context: APIContext) {
  return new Response(chartFeed(context.site), { headers: { 'Content-Type': 'application/rss+xml; charset=utf-8' } })
}
