/**
 * The demo's first impression: its fictional titles get a locally drawn poster and plausible
 * details (genres, a rating, an overview), written into the demo database before the site is
 * built. The posters go straight into the site's poster cache (site/lib/posters.ts) under
 * addresses of the reserved `.invalid` domain, so the build finds them there and never goes out.
 * The details say they are the demo's (metadata_source = 'demo'): no TMDB or IMDb notice applies.
 */
import { dirname, join } from 'node:path'
import Database from 'better-sqlite3'
import { posterKey, writeThumbnails } from '../../site/lib/posters.ts'
import { posterImage } from '../site/posters.ts'

const GENRES = ['Drama', 'Thriller', 'Sci-Fi', 'Comedy', 'Mystery', 'Action', 'Animation', 'Crime', 'Romance']
const LANGS = ['en', 'en', 'en', 'fr', 'ko', 'es']

function hash(s: string): number {
  let h = 2166136261
  for (const c of s) h = Math.imul(h ^ (c.codePointAt(0) ?? 0), 16777619) >>> 0
  return h
}

/** Fill the demo's movies and series with posters and details; returns how many were dressed. */
export async function dressDemoMedia(dbPath: string): Promise<number> {
  const cache = join(dirname(dbPath), 'poster-cache')
  const db = new Database(dbPath)
  try {
    const rows = db.prepare('SELECT id, kind, title, year FROM media').all() as {
      id: number
      kind: string
      title: string
      year: number | null
    }[]
    const update = db.prepare(
      `UPDATE media SET poster_url = ?, genres = ?, rating = ?, votes = ?, overview = ?, language = COALESCE(language, ?),
         metadata_source = 'demo' WHERE id = ?`,
    )
    for (const m of rows) {
      const h = hash(m.title)
      const url = `https://posters.demo.invalid/${m.kind}/${encodeURIComponent(m.title)}.png`
      await writeThumbnails(cache, posterKey(url), await posterImage(m.title, h % 97))
      const genres = [GENRES[h % GENRES.length], GENRES[(h >>> 8) % GENRES.length]].filter(
        (g, i, a): g is string => g !== undefined && a.indexOf(g) === i,
      )
      const what = m.kind === 'movie' ? 'film' : 'series'
      update.run(
        url,
        JSON.stringify(genres),
        Math.round((5.5 + (h % 35) / 10) * 10) / 10,
        1000 + (h % 250_000),
        `A fictional ${(genres[0] ?? 'drama').toLowerCase()} ${what} of the demo catalogue${m.year ? `, from ${m.year}` : ''}: its swarms are simulated on this machine.`,
        LANGS[(h >>> 4) % LANGS.length],
        m.id,
      )
    }
    return rows.length
  } finally {
    db.close()
  }
}
