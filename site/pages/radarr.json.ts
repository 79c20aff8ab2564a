/**
 * Radarr (Custom Lists, StevenLu Custom) and Kometa: the movies of the top 20 at any run of the
 * last 7 days, in the mdblist shape (site/lib/feeds.ts). No file when the list is empty.
 */

import { sticky } from '../lib/feed-view.ts'
import { DEFAULT_SIZE, jsonBody, radarrList } from '../lib/feeds.ts'

export function GET() {
  return new Response(jsonBody(radarrList(sticky('movie', DEFAULT_SIZE))), {
    headers: { 'Content-Type': 'application/json' },
  })
}
