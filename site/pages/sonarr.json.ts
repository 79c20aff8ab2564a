/**
 * Sonarr (Custom Lists) and Kometa: the series of the top 20 at any run of the last 7 days,
 * `{title, tvdbId, tmdbId, imdbId}` with snake_case twins (site/lib/feeds.ts). No file when empty.
 */

import { sticky } from '../lib/feed-view.ts'
import { DEFAULT_SIZE, jsonBody, sonarrList } from '../lib/feeds.ts'

export function GET() {
  return new Response(jsonBody(sonarrList(sticky('series', DEFAULT_SIZE))), {
    headers: { 'Content-Type': 'application/json' },
  })
}
