/**
 * The status lifecycle (`torrents status`):
 * - `new` while now < pub_date + new_delay days;
 * - then `follow` when the torrent trends in the latest trend run (of the configured engine),
 *   else `unfollow`;
 * - a `follow` torrent that does not trend in the latest run becomes `unfollow`;
 * - `unfollow` is final (no longer scraped, never scored again).
 * When the engine never ran, nothing can be judged: torrents stay as they are.
 */
import type { TorrentStatus } from '../../schema/tables.ts'

export interface StatusInput {
  status: TorrentStatus
  pubDate: number
}

/** The next status of one torrent. `trending` is undefined when there is no trend run yet. */
export function nextStatus(
  t: StatusInput,
  now: number,
  newDelayDays: number,
  trending: boolean | undefined,
): TorrentStatus {
  if (t.status === 'unfollow') return 'unfollow'
  if (t.status === 'new' && now < t.pubDate + newDelayDays * 86_400) return 'new'
  if (trending === undefined) return t.status
  return trending ? 'follow' : 'unfollow'
}
