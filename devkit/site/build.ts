/**
 * Build the site from a given database into a given directory the way `mediastrends site build`
 * does (pipeline/publish/build.ts: Astro's build() with Pagefind inside), in a child process of
 * its own: one Astro build per process (see build.ts). Used by the Playwright global setup and by
 * the site benchmark.
 *
 *   node --import tsx devkit/site/build.ts --db FILE --out DIR [--site URL] [--verbose]
 */
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { buildSite, PACKAGE_ROOT } from '../../pipeline/publish/build.ts'

export interface BuildResult {
  seconds: number
  /** Pagefind's own time, from its log line (null when it did not say). */
  pagefindSeconds: number | null
  /** Poster thumbnails copied into dist/ (null when the log did not say). */
  posters: number | null
  /** CPU time of the build process, Pagefind's binary apart (null when it did not say). */
  cpuSeconds: number | null
}

export async function buildSiteApart(
  dbPath: string,
  outDir: string,
  siteUrl = 'http://127.0.0.1/',
  env: NodeJS.ProcessEnv = {},
): Promise<BuildResult> {
  const t0 = performance.now()
  // Asynchronous, so a loopback server of this process (posters) can answer the build.
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      fileURLToPath(import.meta.url),
      '--db',
      dbPath,
      '--out',
      outDir,
      '--site',
      siteUrl,
      '--verbose',
    ],
    { cwd: PACKAGE_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d) => {
    stdout = (stdout + d).slice(-1_000_000)
  })
  child.stderr.on('data', (d) => {
    stderr = (stderr + d).slice(-1_000_000)
  })
  const status = await new Promise<number | null>((r) => child.on('close', r))
  if (status !== 0) {
    throw new Error(`site build failed (exit ${status}):\n${stderr.slice(-4000)}\n${stdout.slice(-4000)}`)
  }
  const pf = /pages indexed in ([\d.]+) s/.exec(stdout + stderr)
  const posterLog = /(\d+) poster thumbnails/.exec(stdout + stderr)
  const cpu = /build cpu: ([\d.]+) s/.exec(stdout + stderr)
  return {
    seconds: (performance.now() - t0) / 1000,
    pagefindSeconds: pf ? Number(pf[1]) : null,
    posters: posterLog ? Number(posterLog[1]) : null,
    cpuSeconds: cpu ? Number(cpu[1]) : null,
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      db: { type: 'string' },
      out: { type: 'string' },
      site: { type: 'string', default: 'http://127.0.0.1/' },
      verbose: { type: 'boolean', default: false },
    },
  })
  if (!values.db || !values.out) {
    console.error('usage: node --import tsx devkit/site/build.ts --db FILE --out DIR [--site URL] [--verbose]')
    process.exit(2)
  }
  buildSite({
    dbPath: values.db,
    outDir: values.out,
    siteUrl: values.site,
    logLevel: values.verbose ? 'info' : 'warn',
  })
    .then(() => {
      // CPU time of this process (Pagefind's own binary is apart): a figure less swayed than the
      // wall clock by other work on a shared machine.
      const u = process.cpuUsage()
      console.log(`build cpu: ${((u.user + u.system) / 1e6).toFixed(1)} s`)
    })
    .catch((err) => {
      console.error(err)
      process.exit(1)
    })
}
