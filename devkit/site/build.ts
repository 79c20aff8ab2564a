/**
 * Build the site from a given database into a given directory (astro build + pagefind), the same
 * way `npm run build` does. Used by the Playwright global setup and by the site benchmark.
 */
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'

export const ROOT = join(import.meta.dirname, '..', '..')

export interface BuildResult {
  astroSeconds: number
  pagefindSeconds: number
}

export function buildSite(dbPath: string, outDir: string, env: NodeJS.ProcessEnv = {}): BuildResult {
  const fullEnv: NodeJS.ProcessEnv = {
    ...process.env,
    MEDIASTRENDS_DB: dbPath,
    ASTRO_TELEMETRY_DISABLED: '1',
    SITE_URL: 'http://127.0.0.1/',
    ...env,
  }
  delete fullEnv.MEDIASTRENDS_MODE
  const run = (what: string, args: string[]) => {
    const t0 = performance.now()
    const r = spawnSync(process.execPath, args, { cwd: ROOT, env: fullEnv, encoding: 'utf8', maxBuffer: 256 << 20 })
    if (r.status !== 0) {
      throw new Error(
        `${what} failed (exit ${r.status}):\n${(r.stderr || '').slice(-4000)}\n${(r.stdout || '').slice(-4000)}`,
      )
    }
    return (performance.now() - t0) / 1000
  }
  const astroSeconds = run('astro build', [join(ROOT, 'node_modules/astro/astro.js'), 'build', '--outDir', outDir])
  const pagefindSeconds = run('pagefind', [
    join(ROOT, 'node_modules/pagefind/lib/runner/bin.cjs'),
    '--site',
    outDir,
    '--silent',
  ])
  return { astroSeconds, pagefindSeconds }
}
