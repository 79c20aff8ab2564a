/**
 * Poster thumbnails: the pages were rendered against the poster cache (site/lib/posters.ts); when
 * Astro has written them, the cache's thumbnails are copied (hard-linked when possible) into
 * DIST/posters/, which the pages link.
 */
import { copyFileSync, linkSync, mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { AstroIntegration } from 'astro'
import { cachedThumbnails, posterCacheDir } from '../lib/posters.ts'

export default function postersIntegration(): AstroIntegration {
  return {
    name: 'mediastrends:posters',
    hooks: {
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
