/** Import counts on a chunk mixing new rows, unchanged rows, a missing parent and a malformed line. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { closeDb, openDb } from '../../pipeline/db/client.ts'
import { header, importNdjson } from '../../pipeline/db/ndjson.ts'

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})
const H = 'a'.repeat(40)
const stat = (hash: string, time: number, seeders: number) =>
  JSON.stringify(['stats', hash, time, 'ygg', seeders, 1, 2])

describe('import counts', () => {
  it('counts new, unchanged and bad lines exactly, on a fresh database and again', async () => {
    const d = mkdtempSync(join(tmpdir(), 'ms-counts-'))
    dirs.push(d)
    const cols = (JSON.parse(header()) as { columns: Record<string, string[]> }).columns
    expect(cols.stats).toEqual(['torrent_id', 'time', 'tracker_id', 'seeders', 'leechers', 'completed'])
    const good = [stat(H, 100, 1), stat(H, 200, 2), stat(H, 300, 3)]
    const db = openDb(join(d, 'db.sqlite'))
    db.$client.exec(`INSERT INTO trackers (name, scheme, netloc) VALUES ('ygg', 'udp', 'ygg:1');
      INSERT INTO torrents (info_hash, name, pub_date, added_at) VALUES ('${H}', 't', 0, 0)`)
    const clean = join(d, 'clean.ndjson')
    writeFileSync(clean, [header(), ...good].join('\n'))
    const first = await importNdjson(db, clean)
    expect([first.imported, first.unchanged, first.bad]).toEqual([3, 0, 0])
    const again = await importNdjson(db, clean)
    expect([again.imported, again.unchanged, again.bad]).toEqual([0, 3, 0])
    // one changed value, one new row, one unknown torrent, one malformed line
    const mixed = join(d, 'mixed.ndjson')
    writeFileSync(
      mixed,
      [
        header(),
        stat(H, 100, 9),
        stat(H, 200, 2),
        stat(H, 400, 4),
        stat('b'.repeat(40), 100, 1),
        '["stats", oops',
        stat(H, 300, 3),
      ].join('\n'),
    )
    const m = await importNdjson(db, mixed)
    expect([m.imported, m.unchanged, m.bad]).toEqual([2, 2, 2])
    expect(m.problems.map((p) => p.line).sort()).toEqual([5, 6])
    expect(db.$client.prepare('SELECT time, seeders FROM stats ORDER BY time').raw().all()).toEqual([
      [100, 9],
      [200, 2],
      [300, 3],
      [400, 4],
    ])
    closeDb(db)
  })
})
