/**
 * `movies import-imdb FILE…`: the IMDb non-commercial datasets (https://datasets.imdbws.com/)
 * streamed into `imdb_titles`, gzip or plain TSV, any order of files:
 * - title.ratings.tsv(.gz) (tconst, averageRating, numVotes) is read first into memory (~1.5 M
 *   small rows) and joined onto the titles;
 * - title.basics.tsv(.gz) (tconst, titleType, primaryTitle, originalTitle, isAdult, startYear,
 *   endYear, runtimeMinutes, genres): only movie, tvMovie, tvSeries and tvMiniSeries are kept,
 *   with `norm_title` = normaliseTitle(primaryTitle), the grouping normaliser.
 * - title.akas.tsv(.gz) (titleId, ordering, title, region, language, types, attributes,
 *   isOriginalTitle; ~50 M rows, sorted by titleId): read after the basics, only the akas of titles
 *   in `imdb_titles` are kept, normalised, into `imdb_akas` (tconst, norm_title) — the title's
 *   other names ("Les Sept Samouraïs", "Shichinin no samurai" for tt0047478), each once, those equal
 *   to its primary or original normalised title left out. A title's akas are replaced as a whole.
 * A ratings file alone updates the ratings of titles already imported. Rows are upserted in
 * batches of 5,000 per transaction: a re-run is idempotent, an interrupted run loses nothing
 * already written. Cached IMDb look-ups are dropped at the end (old misses may be hits now).
 */
import { existsSync, statSync } from 'node:fs'
import { eq, sql } from 'drizzle-orm'
import { imdbTitles, metadataCache } from '../../schema/tables.ts'
import type { StepResult } from '../context.ts'
import { UserError } from '../core/errors.ts'
import { readLines } from '../core/lines.ts'
import type { Logger } from '../core/log.ts'
import { type Db, tx } from '../db/client.ts'
import { IMDB_MOVIE_TYPES, IMDB_SERIES_TYPES } from './metadata.ts'
import { normaliseTitle } from './parse.ts'

const KEEP_TYPES = new Set<string>([...IMDB_MOVIE_TYPES, ...IMDB_SERIES_TYPES])
const BATCH = 5000
const PROGRESS_EVERY = 1_000_000
/** SQLite page cache during an import, in KiB (64 MB; the default is 2 MB). */
const IMPORT_CACHE_KIB = 64 * 1024

type FileKind = 'basics' | 'ratings' | 'akas'
type ImdbTitle = typeof imdbTitles.$inferSelect

const nul = (v: string | undefined): string | null => (v === undefined || v === '\\N' || v === '' ? null : v)
const int = (v: string | undefined): number | null => {
  const s = nul(v)
  return s !== null && /^\d+$/.test(s) ? Number(s) : null
}

/** The lines of a dataset file; a fault says what an interrupted import keeps. */
async function* lines(file: string): AsyncGenerator<string> {
  try {
    yield* readLines(file)
  } catch (err) {
    if (err instanceof UserError) throw new UserError(`${err.message}; rows before the fault are kept`)
    throw err
  }
}

async function header(file: string): Promise<FileKind> {
  for await (const line of lines(file)) {
    const cols = line.split('\t')
    if (cols[0] === 'tconst' && cols.includes('titleType') && cols.includes('primaryTitle')) return 'basics'
    if (cols[0] === 'tconst' && cols.includes('averageRating')) return 'ratings'
    if (cols[0] === 'titleId' && cols.includes('title') && cols.includes('ordering')) return 'akas'
    break
  }
  throw new UserError(
    `${file}: not an IMDb dataset this command reads (expected the header of title.basics.tsv, title.ratings.tsv or title.akas.tsv)`,
  )
}

export async function importImdbFiles(db: Db, files: string[], log: Logger): Promise<StepResult> {
  if (files.length === 0)
    throw new UserError('movies import-imdb: give title.basics.tsv.gz, title.ratings.tsv.gz and/or title.akas.tsv.gz')
  const kinds = new Map<string, FileKind>()
  for (const f of files) {
    if (!existsSync(f) || !statSync(f).isFile()) throw new UserError(`${f}: no such file`)
    kinds.set(f, await header(f))
  }
  // A larger page cache while importing: the title indexes (norm_title…) are written in random
  // order, and with SQLite's default 2 MB cache each insert would re-read index pages. (The akas
  // index, the big one, is rebuilt at the end of the akas instead: see importAkas.)
  const c = db.$client
  const cacheSize = c.pragma('cache_size', { simple: true }) as number
  c.pragma(`cache_size = -${IMPORT_CACHE_KIB}`)
  try {
    return await importFiles(db, kinds, log)
  } finally {
    c.pragma(`cache_size = ${cacheSize}`)
  }
}

async function importFiles(db: Db, kinds: Map<string, FileKind>, log: Logger): Promise<StepResult> {
  const counts: Record<string, number> = { lines: 0, titles: 0, ratings: 0, skipped: 0, malformed: 0 }
  const errors: string[] = []
  const ratings = new Map<string, [number, number | null]>()

  for (const [f, kind] of kinds) {
    if (kind !== 'ratings') continue
    log.info(`${f}: reading ratings`)
    let first = true
    for await (const line of lines(f)) {
      if (first) {
        first = false
        continue
      }
      counts.lines = (counts.lines ?? 0) + 1
      const [tconst, avg, votes] = line.split('\t')
      const rating = nul(avg) === null ? Number.NaN : Number(avg)
      if (!tconst || !/^tt\d+$/.test(tconst) || !Number.isFinite(rating)) {
        counts.malformed = (counts.malformed ?? 0) + 1
        continue
      }
      ratings.set(tconst, [rating, int(votes)])
    }
    counts.ratings = ratings.size
    log.info(`${f}: ${ratings.size} ratings`)
  }

  const ph = sql.placeholder
  const upsert = db
    .insert(imdbTitles)
    .values({
      tconst: ph('tconst'),
      type: ph('type'),
      primaryTitle: ph('primaryTitle'),
      originalTitle: ph('originalTitle'),
      normTitle: ph('normTitle'),
      normOriginal: ph('normOriginal'),
      startYear: ph('startYear'),
      endYear: ph('endYear'),
      genres: ph('genres'),
      rating: ph('rating'),
      votes: ph('votes'),
    })
    .onConflictDoUpdate({
      target: imdbTitles.tconst,
      set: {
        type: sql`excluded.type`,
        primaryTitle: sql`excluded.primary_title`,
        originalTitle: sql`excluded.original_title`,
        normTitle: sql`excluded.norm_title`,
        normOriginal: sql`excluded.norm_original`,
        startYear: sql`excluded.start_year`,
        endYear: sql`excluded.end_year`,
        genres: sql`excluded.genres`,
        rating: sql`COALESCE(excluded.rating, ${imdbTitles.rating})`,
        votes: sql`COALESCE(excluded.votes, ${imdbTitles.votes})`,
      },
    })
    .prepare()
  let sawBasics = false
  for (const [f, kind] of kinds) {
    if (kind !== 'basics') continue
    sawBasics = true
    log.info(`${f}: importing titles`)
    let cols: Record<string, number> = {}
    let batch: ImdbTitle[] = []
    const flush = () => {
      if (batch.length === 0) return
      const rows = batch
      batch = []
      tx(db, () => {
        for (const r of rows) upsert.run(r)
      })
    }
    let n = 0
    for await (const line of lines(f)) {
      if (n++ === 0) {
        cols = Object.fromEntries(line.split('\t').map((name, i) => [name, i]))
        continue
      }
      counts.lines = (counts.lines ?? 0) + 1
      if (n % PROGRESS_EVERY === 0) log.info(`${f}: ${n} lines, ${counts.titles} titles kept`)
      // The real files have titleType second: a line of a kind not kept (90 %) is not split.
      if (cols.titleType === 1) {
        const a = line.indexOf('\t')
        const b = a < 0 ? -1 : line.indexOf('\t', a + 1)
        if (b > 0 && !KEEP_TYPES.has(line.slice(a + 1, b))) {
          counts.skipped = (counts.skipped ?? 0) + 1
          continue
        }
      }
      const v = line.split('\t')
      const get = (name: string) => v[cols[name] ?? -1]
      const tconst = get('tconst')
      const type = get('titleType')
      const primary = nul(get('primaryTitle'))
      if (!tconst || !/^tt\d+$/.test(tconst) || !type || v.length < 4) {
        counts.malformed = (counts.malformed ?? 0) + 1
        continue
      }
      if (!KEEP_TYPES.has(type)) {
        counts.skipped = (counts.skipped ?? 0) + 1
        continue
      }
      const norm = primary ? normaliseTitle(primary) : ''
      if (!primary || !norm) {
        counts.malformed = (counts.malformed ?? 0) + 1
        continue
      }
      const r = ratings.get(tconst)
      const original = nul(get('originalTitle'))
      const normOriginal = original ? normaliseTitle(original) : ''
      batch.push({
        tconst,
        type,
        primaryTitle: primary,
        originalTitle: original,
        normTitle: norm,
        normOriginal: normOriginal && normOriginal !== norm ? normOriginal : null,
        startYear: int(get('startYear')),
        endYear: int(get('endYear')),
        genres: nul(get('genres')),
        rating: r?.[0] ?? null,
        votes: r?.[1] ?? null,
      })
      counts.titles = (counts.titles ?? 0) + 1
      if (batch.length >= BATCH) flush()
    }
    flush()
    log.info(`${f}: ${counts.titles} titles kept`)
  }
  if (!sawBasics && ratings.size > 0) {
    // Ratings alone: update titles already imported.
    const set = db
      .update(imdbTitles)
      .set({ rating: sql`${ph('rating')}`, votes: sql`${ph('votes')}` })
      .where(eq(imdbTitles.tconst, ph('tconst')))
      .prepare()
    const entries = [...ratings.entries()]
    let updated = 0
    for (let i = 0; i < entries.length; i += BATCH) {
      const part = entries.slice(i, i + BATCH)
      tx(db, () => {
        for (const [tconst, [rating, votes]] of part) {
          updated += set.run({ tconst, rating, votes } satisfies Pick<ImdbTitle, 'tconst' | 'rating' | 'votes'>).changes
        }
      })
    }
    counts.ratingsUpdated = updated
  }
  for (const [f, kind] of kinds) if (kind === 'akas') await importAkas(db, f, counts, log)
  db.delete(metadataCache).where(eq(metadataCache.provider, 'imdb')).run()
  if ((counts.malformed ?? 0) > 0) log.warn(`${counts.malformed} malformed line(s) skipped`)
  return { counts, errors, ok: true }
}

/**
 * title.akas.tsv → imdb_akas, streamed: the file is sorted by titleId, so the akas of one title are
 * consecutive lines; they are collected (a few dozen at most), normalised, de-duplicated and
 * written when the next title starts. Titles not imported (episodes, shorts…) are skipped from an
 * in-memory set of the imported tconsts (numbers: ~1 M of them in ~40 MB), so the ~50 M lines cost
 * one split each and no database read. Out-of-order lines still work (a title's akas seen again
 * are added to those already stored, not replaced).
 */
async function importAkas(db: Db, f: string, counts: Record<string, number>, log: Logger): Promise<void> {
  log.info(`${f}: importing alternative titles`)
  const c = db.$client
  const kept = new Set<number>()
  for (const r of c.prepare('SELECT tconst FROM imdb_titles').raw().iterate() as IterableIterator<[string]>)
    kept.add(Number(r[0].slice(2)))
  if (kept.size === 0) {
    log.warn(`${f}: no IMDb titles imported yet, so no alternative title is kept: give title.basics.tsv.gz too`)
    return
  }
  // Millions of rows in random norm_title order: the index is dropped and rebuilt once sorted at
  // the end (minutes faster, and no large page cache). Should the import be cut short, the next
  // import or the next imdbResolver() rebuilds it (ensureAkasIndex).
  c.exec(`DROP INDEX IF EXISTS ${AKAS_INDEX}`)
  try {
    await readAkas(db, f, kept, counts, log)
  } finally {
    log.info(`${f}: indexing the alternative titles`)
    ensureAkasIndex(db)
  }
}

/** The index of imdb_akas on norm_title (migration 0008), dropped while akas are imported. */
const AKAS_INDEX = 'imdb_akas_norm_idx'
export function ensureAkasIndex(db: Db): void {
  try {
    db.$client.exec(`CREATE INDEX IF NOT EXISTS ${AKAS_INDEX} ON imdb_akas (norm_title)`)
  } catch {
    // A read-only database: the index is there unless an import was cut short; look-ups still work.
  }
}

async function readAkas(
  db: Db,
  f: string,
  kept: Set<number>,
  counts: Record<string, number>,
  log: Logger,
): Promise<void> {
  const c = db.$client
  const own = c.prepare('SELECT norm_title, norm_original FROM imdb_titles WHERE tconst = ?').raw()
  const clear = c.prepare('DELETE FROM imdb_akas WHERE tconst = ?')
  const insert = c.prepare('INSERT OR IGNORE INTO imdb_akas (tconst, norm_title) VALUES (?, ?)')
  const done = new Set<number>() // titles whose akas were replaced in this run
  let pending: [string, string[]][] = []
  let pendingRows = 0
  let current = ''
  let titles: string[] = []
  const flushPending = () => {
    if (pending.length === 0) return
    const part = pending
    pending = []
    pendingRows = 0
    tx(db, () => {
      for (const [tconst, list] of part) {
        const mine = own.get(tconst) as [string, string | null] | undefined
        if (!mine) continue
        const num = Number(tconst.slice(2))
        if (!done.has(num)) {
          clear.run(tconst)
          done.add(num)
        }
        const seen = new Set<string>(mine[1] ? [mine[0], mine[1]] : [mine[0]])
        for (const t of list) {
          const norm = normaliseTitle(t)
          if (!norm || seen.has(norm)) continue
          seen.add(norm)
          counts.akas = (counts.akas ?? 0) + insert.run(tconst, norm).changes
        }
      }
    })
  }
  const endTitle = () => {
    if (current && titles.length > 0) {
      pending.push([current, titles])
      pendingRows += titles.length
      if (pendingRows >= BATCH) flushPending()
    }
    titles = []
  }
  let titleCol = 2
  let last = '' // the tconst of the previous line, kept or not
  let n = 0
  counts.akas = counts.akas ?? 0
  for await (const line of lines(f)) {
    if (n++ === 0) {
      titleCol = line.split('\t').indexOf('title')
      continue
    }
    if (line === '') continue
    counts.lines = (counts.lines ?? 0) + 1
    if (n % PROGRESS_EVERY === 0) log.info(`${f}: ${n} lines, ${counts.akas} alternative titles kept`)
    // titleId is the first column (checked by header()): no split of the lines of titles not kept.
    const tab = line.indexOf('\t')
    const tconst = tab > 0 ? line.slice(0, tab) : line
    if (tconst !== last) {
      endTitle()
      last = tconst
      current = ''
      if (!/^tt\d+$/.test(tconst)) counts.malformed = (counts.malformed ?? 0) + 1
      else if (kept.has(Number(tconst.slice(2)))) current = tconst
    }
    if (!current) continue
    const v = line.split('\t')
    const title = nul(v[titleCol])
    if (v.length < 3) counts.malformed = (counts.malformed ?? 0) + 1
    else if (title) titles.push(title)
  }
  endTitle()
  flushPending()
  log.info(`${f}: ${counts.akas} alternative titles kept for ${done.size} titles`)
}
