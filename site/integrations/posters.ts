/**
 * Poster thumbnails: before the pages render, every poster missing from the cache is fetched (a
 * few at a time; site/lib/posters.ts); the pages are rendered against the cache; when
 * Astro has written them, the cache's thumbnails are copied (hard-linked when possible) into
 * DIST/posters/, which the pages link.
 */
import { copyFileSync, linkSync, mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { AstroIntegration } from 'astro'
import { posterUrls } from '../lib/data.ts'
import { cachedThumbnails, posterCacheDir, prefetchPosters } from '../lib/posters.ts'

export default function postersIntegration(): AstroIntegration {
  return {
    name: 'mediastrends:posters',
    hooks: {
      // Pages render one at a time: fetch the missing posters first, several at once.
      'astro:build:start': async ({ logger }) => {
        const t0 = performance.now()
        const r = await prefetchPosters(posterUrls())
        logger.info(`${r.ok} posters ready, ${r.failed} missing, in ${((performance.now() - t0) / 1000).toFixed(1)} s`)
      },
      'astro:build:done': ({ dir, logger }) => {
        const from = posterCacheDir()
        const to = join(fileURLToPath(dir), 'posters')
        mkdirSync(to, { recursive: true })
        const files = cachedThumbnails(from)
        for (const f of files) {
          rmSync(join(to, f), { force: true })
          try {
            linkSync(join(from, f), join(to, f))
          } catch {
            copyFileSync(join(from, f), join(to, f))
          }
        }
        logger.info(`${files.length} poster thumbnails from ${from}`)
      },
    },
  }
}
