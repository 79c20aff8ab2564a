/** A small, complete dataset in every exported table, written with plain SQL (no stage code). */
import type { Db } from '../../pipeline/db/client.ts'

export function insertSample(db: Db, opts: { hashPrefix?: string; baseTime?: number } = {}): void {
  const p = opts.hashPrefix ?? 'a'
  const t0 = opts.baseTime ?? 1_767_225_600 // 2026-01-01T00:00:00Z
  const h = (n: number) => `${p}${String(n).padStart(39, '0')}`
  const s = db.$client
  s.transaction(() => {
    s.prepare(
      "INSERT INTO trackers (name, scheme, netloc, path) VALUES ('ygg', 'http', 'ygg.example:8080', '/announce'), ('open', 'udp', 'open.example:6969', '')",
    ).run()
    const tr = s.prepare('SELECT id, name FROM trackers').all() as { id: number; name: string }[]
    const tid = (n: string) => tr.find((x) => x.name === n)?.id
    const ins = s.prepare(
      `INSERT INTO torrents (info_hash, name, pub_date, size, status, category, feed_category, indexer, imdb_id, tmdb_id, added_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, 'ygg', ?, ?, ?)`,
    )
    const names = [
      ['Dune.Part.Two.2024.2160p.WEB-DL.DDP5.1.Atmos.HDR.H.265-FLUX', 'movies', 2000, 'tt15239678', 693134],
      ['The.Last.of.Us.S02E03.1080p.WEB.H264-SuccessfulCrab', 'series', 5000, null, null],
      ['<script>alert(1)</script>.2025.1080p', 'movies', 2000, null, null],
    ] as const
    names.forEach(([name, cat, feedCat, imdb, tmdb], i) => {
      ins.run(
        h(i + 1),
        name,
        t0 + i * 3600,
        1_000_000_000 + i,
        i === 2 ? 'follow' : 'new',
        cat,
        feedCat,
        imdb,
        tmdb,
        t0 + i * 3600,
      )
    })
    const tor = s.prepare('SELECT id FROM torrents ORDER BY id').all() as { id: number }[]
    for (const { id } of tor) {
      s.prepare("INSERT INTO status_history (torrent_id, time, status) VALUES (?, ?, 'new')").run(id, t0)
      s.prepare('INSERT INTO torrent_trackers (torrent_id, tracker_id) VALUES (?, ?), (?, ?)').run(
        id,
        tid('ygg'),
        id,
        tid('open'),
      )
      for (let k = 0; k < 4; k++) {
        s.prepare(
          'INSERT INTO stats (torrent_id, time, tracker_id, seeders, leechers, completed) VALUES (?, ?, ?, ?, ?, ?)',
        ).run(id, t0 + k * 21600, tid('ygg'), 10 * id + k, 5 + k, k === 0 ? null : 100 * id + k)
      }
      s.prepare(
        "INSERT INTO indexer_stats (torrent_id, time, indexer, seeders, leechers, grabs) VALUES (?, ?, 'ygg', 12, 3, 40)",
      ).run(id, t0)
      s.prepare(
        "INSERT INTO trends (torrent_id, time, engine, score, rank, trending) VALUES (?, ?, 'nowcast', ?, ?, ?)",
      ).run(id, t0 + 86400, 100 / id, id, id === 1 ? 1 : 0)
    }
    s.prepare(
      `INSERT INTO media (kind, key, title, year, imdb_id, genres, rating, metadata_source, updated_at)
       VALUES ('movie', 'imdb:tt15239678', 'Dune: Part Two', 2024, 'tt15239678', '["Science Fiction","Adventure"]', 8.5, 'feed', ?)`,
    ).run(t0)
    const media = s.prepare('SELECT id FROM media').get() as { id: number }
    s.prepare(`INSERT INTO torrent_media (torrent_id, media_id, release) VALUES (?, ?, '{"resolution":"2160p"}')`).run(
      tor[0]?.id,
      media.id,
    )
    s.prepare(
      "INSERT INTO media_trends (media_id, time, engine, score, rank, torrents) VALUES (?, ?, 'nowcast', 100, 1, 1)",
    ).run(media.id, t0 + 86400)
    s.prepare(
      "INSERT INTO metadata_cache (provider, query, result, fetched_at) VALUES ('tmdb', 'find:tt15239678', '{\"id\":693134}', ?), ('tmdb', 'search:movie:nothing:2020', NULL, ?)",
    ).run(t0, t0)
    s.prepare(
      `INSERT INTO runs (step, target, clock, started_at, ended_at, status, counts, errors) VALUES ('torrents add', 'ygg/movies', ?, ?, ?, 'ok', '{"kept":3}', '[]')`,
    ).run(t0, t0, t0 + 5)
  })()
}

/** Every row of every table, sorted, for comparisons. */
export function dumpAll(db: Db, tables: string[]): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {}
  for (const t of tables) {
    const rows = db.$client.prepare(`SELECT * FROM "${t}"`).all()
    out[t] = rows.map((r) => JSON.stringify(r)).sort()
  }
  return out
}
