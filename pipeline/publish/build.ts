/**
 * Building the site (Astro's programmatic `build()`; Pagefind runs inside it, see
 * site/integrations/pagefind.ts) and previewing a built one (Astro's `preview()`).
 *
 * The site reads only the database and its public URL, handed over as MEDIASTRENDS_DB and
 * SITE_URL (site/lib/settings.ts). One build per process: Astro imports the pages it renders as
 * modules, and a second build of the same pages in the same process would get the first one's.
 */
import { readdirSync } from 'node:fs'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The package root: where astro.config.mjs is and dist/ goes by default. */
export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

export interface BuildOptions {
  dbPath: string
  /** The site's public URL (its path becomes the base of every link). */
  siteUrl: string
  outDir: string
  /** Astro's log level (default 'warn': not one line per page). */
  logLevel?: 'debug' | 'info' | 'warn' | 'error' | 'silent'
}

export interface BuildResult {
  seconds: number
  /** HTML pages written. */
  pages: number
}

export async function buildSite(opts: BuildOptions): Promise<BuildResult> {
  const t0 = performance.now()
  const { build } = await import('astro')
  const keep = {
    MEDIASTRENDS_DB: process.env.MEDIASTRENDS_DB,
    SITE_URL: process.env.SITE_URL,
    ASTRO_TELEMETRY_DISABLED: process.env.ASTRO_TELEMETRY_DISABLED,
  }
  const cwd = process.cwd()
  const outDir = resolve(opts.outDir)
  Object.assign(process.env, { MEDIASTRENDS_DB: resolve(opts.dbPath), SITE_URL: opts.siteUrl })
  process.env.ASTRO_TELEMETRY_DISABLED = '1'
  // Astro stages a build outside the working directory in ./.astro/ and removes that folder after:
  // the package's own, not one that happens to be where the command was typed.
  process.chdir(PACKAGE_ROOT)
  try {
    await build({ root: PACKAGE_ROOT, outDir, logLevel: opts.logLevel ?? 'warn' })
  } finally {
    process.chdir(cwd)
    for (const [k, v] of Object.entries(keep)) {
      if (v === undefined) delete process.env[k]
      else process.env[k] = v
    }
  }
  const pages = readdirSync(outDir, { recursive: true }).filter((f) => String(f).endsWith('.html')).length
  return { seconds: (performance.now() - t0) / 1000, pages }
}

export interface Preview {
  url: string
  /** Resolves when the server stops. */
  closed(): Promise<void>
  stop(): Promise<void>
}

/** Serve a built site (404.html for missing pages) on `host:port` (port 0: any free port). */
export async function previewSite(
  outDir: string,
  opts: { base?: string; host?: string; port?: number; logLevel?: BuildOptions['logLevel'] } = {},
): Promise<Preview> {
  const { preview } = await import('astro')
  const host = opts.host ?? '127.0.0.1'
  const server = await preview({
    root: PACKAGE_ROOT,
    configFile: false,
    srcDir: './site',
    outDir: resolve(outDir),
    base: opts.base ?? '/',
    server: { host, port: opts.port ?? 0 },
    logLevel: opts.logLevel ?? 'warn',
  })
  // Astro's static preview server also hands over its http.Server (not in the public type): with
  // port 0 it is where the port chosen is.
  const http = (server as typeof server & { server?: Server }).server
  const port = (http?.address() as AddressInfo | null)?.port ?? server.port
  return { url: `http://${host}:${port}`, closed: () => server.closed(), stop: () => server.stop() }
}
