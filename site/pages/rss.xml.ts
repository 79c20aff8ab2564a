/** RSS of the latest day charts (movies and series): one item per title and chart date (site/lib/feeds.ts). */
import { chartFeed } from '../lib/feed-view.ts'

export function GET() {
  return new Response(chartFeed(), { headers: { 'Content-Type': 'application/rss+xml; charset=utf-8' } })
}
