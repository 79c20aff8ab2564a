/**
 * The sticky JSON lists (/lists/movies-top10.json …): movies in the mdblist shape (Radarr,
 * Kometa), series in Sonarr's custom-list shape with Kometa's keys. A list with nothing in it is
 * not written (a missing list fails an *arr sync; an empty one would clean the user's library).
 */
import type { APIContext } from 'astro'
import { sticky } from '../../lib/feed-view.ts'
import { jsonBody, LISTS, radarrList, sonarrList } from '../../lib/feeds.ts'

export function getStaticPaths() {
  return LISTS.map((l) => ({ params: { list: l.slug }, props: l }))
}

export function GET({ props }: APIContext<(typeof LISTS)[number]>) {
  const items = sticky(props.kind, props.size)
  const body = jsonBody(props.kind === 'movie' ? radarrList(items) : sonarrList(items))
  return new Response(body, { headers: { 'Content-Type': 'application/json' } })
}
