/** The `trackers` rows mirror trackers.yaml, by name: written by ingest and collect alike. */

import { trackers } from '../../schema/tables.ts'
import type { TrackerConfig } from '../config/schema.ts'
import type { Db } from './client.ts'

/** Insert or update these trackers.yaml entries (one transaction, nested in the caller's if any); name → id. */
export function upsertTrackers(db: Db, list: readonly TrackerConfig[]): Map<string, number> {
  return db.$client.transaction(() => {
    const ids = new Map<string, number>()
    for (const t of list) {
      const row = db
        .insert(trackers)
        .values({ name: t.name, scheme: t.scheme, netloc: t.netloc, path: t.path })
        .onConflictDoUpdate({ target: trackers.name, set: { scheme: t.scheme, netloc: t.netloc, path: t.path } })
        .returning({ id: trackers.id })
        .get()
      ids.set(t.name, row.id)
    }
    return ids
  })()
}
