/**
 * Posters at build time: each medium's poster URL (http or https only) is fetched once, resized
 * with sharp (it comes with Astro) to two local WebP thumbnails, and kept in a cache directory
 * between builds (POSTER_CACHE, default `poster-cache/` beside the database, so data/poster-cache/
 * by default). The pages link the local files (copied into dist/posters/ when the build is done,
 * site/integrations/pagefind.ts), so no page hotlinks a third party and a poster that failed is
 * the placeholder, never a broken image.
 *
 * Fetches: 10 s timeout, 8 MB cap, two retries with backoff, 4 at a time; a poster that cannot be
 * had is remembered as missing for a day (a `.miss` file) and said once in the build log.
 */
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { databasePath } from './data.ts'

/** Thumbnail sizes (CSS pixels × 2 for sharp screens): list rows and the grid / the media page. */
export const SIZES = { small: [92, 138], big: [320, 480] } as const
export type PosterSize = keyof typeof SIZES

const TIMEOUT_MS = 10_000
const MAX_BYTES = 8 << 20
const RETRIES = 2
const MISS_TTL_S = 86_400
const CONCURRENCY = 4

export function posterCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.POSTER_CACHE?.trim() || join(dirname(databasePath(env)), 'poster-cache')
}

/** The cache's file name stem for a poster URL. */
export function posterKey(url: string): string {
  return createHash('sha1').update(url).digest('hex').slice(0, 20)
}

export const posterFile = (key: string, size: PosterSize): string => `${key}-${SIZES[size][0]}.webp`

/** Only http(s) URLs are fetched. */
export function fetchableUrl(u: string | null | undefined): string | null {
  const s = u?.trim()
  if (!s) return null
  try {
    const url = new URL(s)
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null
  } catch {
    return null
  }
}

const pending = new Map<string, Promise<string | null>>()
let active = 0
const queue: (() => void)[] = []
async function limited<T>(fn: () => Promise<T>): Promise<T> {
  if (active >= CONCURRENCY) await new Promise<void>((r) => queue.push(r))
  active++
  try {
    return await fn()
  } finally {
    active--
    queue.shift()?.()
  }
}

async function download(url: string): Promise<Buffer> {
  let last: unknown
  for (let attempt = 0; attempt <= RETRIES; attempt++) {
    if (attempt) await new Promise((r) => setTimeout(r, 500 * 2 ** (attempt - 1)))
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS), redirect: 'follow' })
      if (res.status === 404 || res.status === 410)
        throw Object.assign(new Error(`HTTP ${res.status}`), { final: true })
      if (!res.ok) throw new Error(`HTTP ${res.status}`)
      const len = Number(res.headers.get('content-length') ?? 0)
      if (len > MAX_BYTES) throw Object.assign(new Error(`larger than ${MAX_BYTES} bytes`), { final: true })
      const chunks: Uint8Array[] = []
      let size = 0
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        size += chunk.length
        if (size > MAX_BYTES) throw Object.assign(new Error(`larger than ${MAX_BYTES} bytes`), { final: true })
        chunks.push(chunk)
      }
      return Buffer.concat(chunks)
    } catch (err) {
      last = err
      if ((err as { final?: boolean }).final) break
    }
  }
  throw last
}

/** Write the two thumbnails of an image (atomically: temp file, then rename). */
export async function writeThumbnails(dir: string, key: string, image: Buffer): Promise<void> {
  const { default: sharp } = await import('sharp')
  mkdirSync(dir, { recursive: true })
  for (const size of Object.keys(SIZES) as PosterSize[]) {
    const [w, h] = SIZES[size]
    const out = await sharp(image, { limitInputPixels: 50_000_000 })
      .resize(w, h, { fit: 'cover' })
      .webp({ quality: size === 'small' ? 55 : 70 })
      .toBuffer()
    const file = join(dir, posterFile(key, size))
    writeFileSync(`${file}.tmp`, out)
    renameSync(`${file}.tmp`, file)
  }
}

/**
 * The poster's cache key once its thumbnails are in the cache (fetched now when needed), or null
 * (no usable URL, or it could not be fetched or decoded).
 */
export function poster(rawUrl: string | null | undefined): Promise<string | null> {
  const url = fetchableUrl(rawUrl)
  if (!url) return Promise.resolve(null)
  const known = pending.get(url)
  if (known) return known
  const p = (async () => {
    const dir = posterCacheDir()
    const key = posterKey(url)
    if (existsSync(join(dir, posterFile(key, 'big')))) return key
    const miss = join(dir, `${key}.miss`)
    if (existsSync(miss) && Date.now() / 1000 - statSync(miss).mtimeMs / 1000 < MISS_TTL_S) return null
    try {
      await limited(async () => writeThumbnails(dir, key, await download(url)))
      return key
    } catch (err) {
      console.warn(`[site] poster ${url}: ${(err as Error).message}; showing a placeholder`)
      mkdirSync(dir, { recursive: true })
      writeFileSync(miss, '')
      return null
    }
  })()
  pending.set(url, p)
  return p
}

/** Fetch every poster not in the cache yet, 4 at a time (before the pages render, one by one). */
export async function prefetchPosters(urls: (string | null)[]): Promise<{ ok: number; failed: number }> {
  const keys = await Promise.all(urls.filter((u): u is string => !!fetchableUrl(u)).map((u) => poster(u)))
  return { ok: keys.filter(Boolean).length, failed: keys.filter((k) => !k).length }
}

/** Every thumbnail in the cache (copied into dist/posters/ after the build). */
export function cachedThumbnails(dir = posterCacheDir()): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir).filter((f) => f.endsWith('.webp'))
}
