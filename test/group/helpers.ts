/** Test helpers for the group stage: fill a database with torrents and a trend run, capture output. */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { vi } from 'vitest'
import type { Context } from '../../pipeline/context.ts'
import { importImdb } from '../../pipeline/group/command.ts'
import type { TestContext } from '../helpers/config.ts'

export interface SeedTorrent {
  name: string
  category?: 'movies' | 'series' | 'unknown'
  imdb?: string
  tmdb?: number
  tvdb?: number
  score: number
}

export const hashOf = (name: string): string => {
  let h = 0n
  for (const ch of name) h = (h * 131n + BigInt(ch.codePointAt(0) ?? 0)) % 2n ** 160n
  return h.toString(16).padStart(40, '0').slice(-40)
}

/** Insert torrents (if new) and one trend run at `time` (Unix seconds) for `engine`. */
export function seedTrendRun(
  ctx: Context,
  items: SeedTorrent[],
  time: number,
  engine = 'nowcast',
): Map<string, number> {
  const c = ctx.db().$client
  const ids = new Map<string, number>()
  const upsert = c.prepare(
    `INSERT INTO torrents (info_hash, name, pub_date, category, imdb_id, tmdb_id, tvdb_id, added_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (info_hash) DO UPDATE SET name = excluded.name RETURNING id`,
  )
  const trend = c.prepare(
    'INSERT INTO trends (torrent_id, time, engine, score, rank, trending) VALUES (?, ?, ?, ?, ?, ?)',
  )
  c.transaction(() => {
    const sorted = [...items].sort((a, b) => b.score - a.score)
    sorted.forEach((t, i) => {
      const { id } = upsert.get(
        hashOf(t.name),
        t.name,
        time - 86_400,
        t.category ?? 'unknown',
        t.imdb ?? null,
        t.tmdb ?? null,
        t.tvdb ?? null,
        time - 86_400,
      ) as { id: number }
      ids.set(t.name, id)
      trend.run(id, time, engine, t.score, i + 1, i < 10 ? 1 : 0)
    })
  })()
  return ids
}

/** Run `fn` with stdout and stderr captured (returned as text). */
export async function capture<T>(fn: () => Promise<T>): Promise<{ result: T; stdout: string; stderr: string }> {
  let stdout = ''
  let stderr = ''
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk)
    return true
  })
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk)
    return true
  })
  try {
    const result = await fn()
    return { result, stdout, stderr }
  } finally {
    o.mockRestore()
    e.mockRestore()
  }
}

/** Write small IMDb dataset files (gzip) into `dir`; returns their paths. */
export function writeImdbDatasets(
  dir: string,
  titles: [tconst: string, type: string, primary: string, original: string, year: number | null, genres: string][],
  ratings: [tconst: string, rating: number, votes: number][],
): { basics: string; ratings: string } {
  const basics = join(dir, 'title.basics.tsv.gz')
  const rfile = join(dir, 'title.ratings.tsv.gz')
  const head = 'tconst\ttitleType\tprimaryTitle\toriginalTitle\tisAdult\tstartYear\tendYear\truntimeMinutes\tgenres'
  const lines = titles.map(([t, type, p, o, y, g]) =>
    [t, type, p, o, '0', y ?? '\\N', '\\N', '100', g || '\\N'].join('\t'),
  )
  writeFileSync(basics, gzipSync(`${head}\n${lines.join('\n')}\n`))
  writeFileSync(rfile, gzipSync(`tconst\taverageRating\tnumVotes\n${ratings.map((r) => r.join('\t')).join('\n')}\n`))
  return { basics, ratings: rfile }
}

/**
 * Parasite learns its IMDb id: the basics file names tt6751668, and a run at `time` scores the
 * title-keyed release again beside one that carries the id, so the next `movies compute` merges.
 */
export async function parasiteLearnsItsId(ctx: TestContext, time: number): Promise<void> {
  const files = writeImdbDatasets(ctx.dirs.dir, [['tt6751668', 'movie', 'Parasite', 'Gisaengchung', 2019, 'Drama']], [])
  await capture(() => importImdb(ctx, [files.basics]))
  seedTrendRun(
    ctx,
    [
      { name: 'Parasite.2019.1080p.BluRay.x264-FGT', category: 'movies', score: 5 },
      { name: 'Gisaengchung.2019.KOREAN.720p', category: 'movies', imdb: 'tt6751668', score: 4 },
    ],
    time,
  )
}
