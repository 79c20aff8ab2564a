/** The data branch's save: what `savePartitions` writes for the tables whose days are rewritten. */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { readLines } from '../../pipeline/core/lines.ts'
import { closeDb, openDb } from '../../pipeline/db/client.ts'
import { savePartitions } from '../../pipeline/db/partitions.ts'

const DAY = 86_400
const TODAY = Date.UTC(2026, 0, 15) / 1000 // a Thursday
const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

async function rowsOf(dir: string, files: string[], table: string): Promise<unknown[][]> {
  const out: unknown[][] = []
  for (const f of files.filter((f) => f.startsWith(`${table}/`))) {
    for await (const line of readLines(join(dir, f))) if (line.startsWith('[')) out.push(JSON.parse(line) as unknown[])
  }
  return out
}

describe('savePartitions', () => {
  it('saves the daily activity of closed days only (each day once), the scrapes of today too', async () => {
    const d = mkdtempSync(join(tmpdir(), 'ms-part-'))
    dirs.push(d)
    const db = openDb(join(d, 'db.sqlite'))
    db.$client.exec(`
      INSERT INTO trackers (id, name, scheme, netloc) VALUES (1, 'a', 'udp', 'a:1');
      INSERT INTO torrents (id, info_hash, name, pub_date, added_at) VALUES (1, '${'a'.repeat(40)}', 't', 0, 0);
      INSERT INTO torrent_activity (torrent_id, day, seeders, leechers, peers, downloads) VALUES
        (1, ${TODAY - DAY}, 5, 2, 7, 10), (1, ${TODAY}, 6, 3, 9, 4);
      INSERT INTO stats (torrent_id, time, tracker_id, seeders, leechers, completed) VALUES
        (1, ${TODAY + 3600}, 1, 6, 3, 100);
    `)
    const out = join(d, 'out')
    const r = await savePartitions(db, join(d, 'known'), out, TODAY + 4 * 3600)
    closeDb(db)
    const activity = await rowsOf(out, r.files, 'torrent_activity')
    expect(activity.map((row) => row[2])).toEqual([TODAY - DAY])
    expect((await rowsOf(out, r.files, 'stats')).length).toBe(1)
  })
})
