/** Radarr "StevenLu Custom" list: [{title, imdb_id, poster_url}] of the trending movies with an IMDb id. */
import { posterUrl } from '../lib/format.ts'
import { feed } from '../lib/view.ts'

export function GET() {
  const list = feed('movie')
    .items.filter((m) => m.imdbId && /^tt\d+$/.test(m.imdbId))
    .map((m) => ({ title: m.title, imdb_id: m.imdbId, poster_url: posterUrl(m) }))
  return new Response(JSON.stringify(list, null, 1), { headers: { 'Content-Type': 'application/json' } })
}
