/** Sonarr "Custom Lists" import: [{title, tvdbId, tmdbId, imdbId}] of the trending series with any id. */
import { feed } from '../lib/view.ts'

export function GET() {
  const list = feed('series')
    .items.filter((m) => m.tvdbId != null || m.tmdbId != null || m.imdbId != null)
    .map((m) => ({ title: m.title, tvdbId: m.tvdbId, tmdbId: m.tmdbId, imdbId: m.imdbId }))
  return new Response(JSON.stringify(list, null, 1), { headers: { 'Content-Type': 'application/json' } })
}
