/**
 * Search index: Pagefind's Node API run when Astro has written the pages (as Starlight does), so
 * `astro build` alone gives a complete site. The index goes to DIST/pagefind/.
 */
import { fileURLToPath } from 'node:url'
import type { AstroIntegration } from 'astro'
import * as pagefind from 'pagefind'

/** A Pagefind answer with errors becomes one exception naming them. */
function check<T extends { errors: string[] }>(what: string, r: T): T {
  if (r.errors.length) throw new Error(`pagefind ${what}: ${r.errors.join('; ')}`)
  return r
}

export default function pagefindIntegration(): AstroIntegration {
  return {
    name: 'mediastrends:pagefind',
    hooks: {
      'astro:build:done': async ({ dir, logger }) => {
        const t0 = performance.now()
        try {
          const { index } = check('index', await pagefind.createIndex({}))
          if (!index) throw new Error('pagefind: no index')
          const { page_count } = check('indexing', await index.addDirectory({ path: fileURLToPath(dir) }))
          check('writing', await index.writeFiles({ outputPath: fileURLToPath(new URL('./pagefind/', dir)) }))
          logger.info(`${page_count} pages indexed in ${((performance.now() - t0) / 1000).toFixed(1)} s`)
        } finally {
          await pagefind.close()
        }
      },
    },
  }
}
