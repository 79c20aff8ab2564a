/**
 * `mediastrends demo`: the whole product on one machine, with no keys and no network.
 *
 * 1. Starts a real BitTorrent tracker (bittorrent-tracker's Server, HTTP + UDP) and a Torznab
 *    server (Jackett's shape) on 127.0.0.1, serving the bundled sample catalogue
 *    (data/samples/demo-catalogue.json) as .torrent files that announce the local tracker.
 * 2. Writes a config of its own under `--dir` (default data/demo): a separate database that never
 *    touches the user's.
 * 3. Simulates N days: at each scrape time the swarms are moved to the simulator's state
 *    (devkit/sim) by real announces, then the real pipeline runs at that time (`--now`): ingest,
 *    scrapes over HTTP and UDP, trends, status, movies, series.
 * 4. Builds the site from the demo database into dist/ and says where it is (`--serve` previews it).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { stringify } from 'yaml'
import { loadConfig } from '../../pipeline/config/load.ts'
import { makeContext } from '../../pipeline/context.ts'
import { fixedClock, isoSeconds } from '../../pipeline/core/clock.ts'
import { EXIT_PARTIAL_FAILURE, errorMessage, UserError } from '../../pipeline/core/errors.ts'
import { logger, out, setLogLevel } from '../../pipeline/core/log.ts'
import { closeDb, type Db, openDb } from '../../pipeline/db/client.ts'
import { buildSite, PACKAGE_ROOT, previewSite } from '../../pipeline/publish/build.ts'
import { runPipeline } from '../../pipeline/run/command.ts'
import { planSteps } from '../../pipeline/run/steps.ts'
import { startTorznabServer, type TorznabItemSpec } from '../servers/torznab.ts'
import { startTracker } from '../servers/tracker.ts'
import { makeTorrent } from '../torrent-file.ts'
import { type DemoRelease, demoReleases, loadCatalogue } from './catalogue.ts'
import { applyPlans, SwarmDriver } from './driver.ts'
import { dressDemoMedia } from './posters.ts'

export interface DemoOptions {
  days: number
  scrapesPerDay: number
  serve: boolean
  build: boolean
  dir: string
}

const log = logger('demo')
const DAY = 86_400
const APIKEY = 'demo-local-key'
const INDEXER = 'demo'
export const DEFAULT_DEMO_DIR = 'data/demo'
/** Where `--serve` previews the site (and so the site's address, unless SITE_URL says otherwise). */
const PREVIEW = { host: 'localhost', port: 4321 }

export { PACKAGE_ROOT }

export function demoIni(torznabIni: string): string {
  return `# Written by \`mediastrends demo\`: the demo's own config; your files are never read or changed.
[directory]
base = .
data = .
sqlite = .

[sqlite]
path = \${directory:sqlite}/demo.db

[requests]
user_agent = mediastrends-demo
timeout = 5
feed_timeout = 5

[retry]
tries = 2
delay = 0.2

[trends_manager]
# a larger trending fraction than the default 0.2, so a few dozen releases show a fuller ranking
tau = 0.5

${torznabIni}
`
}

function validate(opts: DemoOptions): void {
  if (!Number.isInteger(opts.days) || opts.days < 1 || opts.days > 60) {
    throw new UserError(`demo --days: expected a whole number of days from 1 to 60, got "${opts.days}"`)
  }
  if (!Number.isInteger(opts.scrapesPerDay) || opts.scrapesPerDay < 1 || opts.scrapesPerDay > 48) {
    throw new UserError(`demo --scrapes-per-day: expected a whole number from 1 to 48, got "${opts.scrapesPerDay}"`)
  }
}

/** A feed item as Jackett would send it, with the indexer's own (rounded) swarm numbers at `t`. */
function itemFor(r: DemoRelease, torrent: Uint8Array, t: number): TorznabItemSpec {
  const truth = r.swarm.truth(t)
  return {
    title: r.name,
    pubDate: r.pubDate,
    size: r.size,
    categories: [r.category],
    seeders: Math.round(truth.seeders),
    leechers: Math.round(truth.leechers),
    grabs: Math.round(truth.completed),
    download: { torrent },
  }
}

export async function demo(opts: DemoOptions): Promise<number> {
  validate(opts)
  const t0 = performance.now()
  // The default lives in the package's data/; a --dir given by the user is relative to where they are.
  const dir = opts.dir === DEFAULT_DEMO_DIR ? join(PACKAGE_ROOT, DEFAULT_DEMO_DIR) : resolve(opts.dir)
  mkdirSync(dir, { recursive: true })
  for (const f of ['demo.db', 'demo.db-wal', 'demo.db-shm', 'demo.db.lock']) rmSync(join(dir, f), { force: true })

  const items = loadCatalogue()
  const end = Math.floor(Date.now() / 1000 / 3600) * 3600
  const start = end - opts.days * DAY
  const releases = demoReleases(items, start, opts.days)

  const tracker = await startTracker()
  const torrents = new Map<string, Uint8Array>()
  for (const r of releases) {
    const t = makeTorrent({
      name: r.name,
      length: r.size,
      announce: [[tracker.httpAnnounce], [tracker.udpAnnounce]],
      creationDate: r.pubDate,
    })
    r.infoHash = t.infoHash
    torrents.set(r.name, t.bytes)
  }
  let visibleUntil = start
  const torznab = await startTorznabServer({
    flavor: 'jackett',
    apikey: APIKEY,
    indexers: {
      [INDEXER]: {
        title: 'mediastrends demo indexer',
        items: (q) => {
          const cats = (q.get('cat') ?? '').split(',').filter(Boolean).map(Number)
          return releases
            .filter((r) => r.pubDate <= visibleUntil)
            .filter(
              (r) => cats.length === 0 || cats.some((c) => Math.floor(c / 1000) === Math.floor(r.category / 1000)),
            )
            .sort((a, b) => b.pubDate - a.pubDate)
            .map((r) => itemFor(r, torrents.get(r.name) ?? new Uint8Array(), visibleUntil))
        },
      },
    },
  })

  let db: Db | undefined
  try {
    writeFileSync(
      join(dir, 'mediastrends.demo.ini'),
      demoIni(torznab.iniSection().replace(/apikey\s*=.*/, `apikey = ${APIKEY}`)),
    )
    writeFileSync(
      join(dir, 'indexers.yaml'),
      stringify({
        [INDEXER]: {
          movies: { active: true, action: 'search', params: { cat: 2000 } },
          series: { active: true, action: 'tvsearch', params: { cat: 5000 } },
        },
      }),
    )
    writeFileSync(
      join(dir, 'trackers.yaml'),
      stringify({
        'demo-http': { active: true, scheme: 'http', netloc: `127.0.0.1:${tracker.httpPort}`, path: '/announce' },
        'demo-udp': { active: true, scheme: 'udp', netloc: `127.0.0.1:${tracker.udpPort}`, path: '' },
      }),
    )
    const config = loadConfig({ mode: 'demo', configDir: dir, env: {}, cwd: dir, home: dir, systemDirs: [] })
    db = openDb(config.sqlite.path)
    const shared = db
    const drivers = new Map(releases.map((r) => [r.name, new SwarmDriver(r.infoHash)]))
    out(
      `demo: ${releases.length} releases, ${opts.days} simulated day(s) × ${opts.scrapesPerDay} scrapes, tracker ${tracker.httpAnnounce} + ${tracker.udpAnnounce}, indexer ${torznab.origin}`,
    )

    let failures = 0
    const every = Math.floor(DAY / opts.scrapesPerDay)
    for (let day = 0; day < opts.days; day++) {
      const dayStart = performance.now()
      let announces = 0
      let last: Awaited<ReturnType<typeof runPipeline>> | undefined
      for (let k = 1; k <= opts.scrapesPerDay; k++) {
        const t = start + day * DAY + k * every
        visibleUntil = t
        const plans = releases
          .filter((r) => r.pubDate <= t)
          .map((r) => {
            const truth = r.swarm.truth(t)
            return drivers.get(r.name)?.plan(truth) ?? []
          })
        announces += await applyPlans(tracker, plans)
        const ctx = makeContext({
          clock: fixedClock(new Date(t * 1000)),
          loadConfig: () => config,
          openDb: () => shared,
        })
        const previous = setLogLevel(1) // the pipeline's own progress lines would drown the demo's
        try {
          last = await runPipeline(ctx, planSteps(config))
        } finally {
          setLogLevel(previous)
        }
        if (!last.ok) {
          failures++
          for (const s of last.steps.filter((x) => !x.ok))
            log.warn(`${isoSeconds(t)} ${s.step}: ${s.errors[0] ?? 'failed'}`)
        }
      }
      const c = last?.counts ?? {}
      const trending = (
        shared.$client
          .prepare('SELECT count(*) n FROM trends WHERE time = (SELECT max(time) FROM trends) AND trending = 1')
          .get() as { n: number }
      ).n
      const torrentsKnown = (shared.$client.prepare('SELECT count(*) n FROM torrents').get() as { n: number }).n
      out(
        `day ${day + 1}/${opts.days} (${isoSeconds(start + (day + 1) * DAY).slice(0, 10)}): ${torrentsKnown} torrents, ${announces} announces, ${c.answered ?? 0} scraped, ${trending} trending — ${((performance.now() - dayStart) / 1000).toFixed(1)} s`,
      )
    }
    const top = shared.$client
      .prepare(
        `SELECT m.title, m.year, mt.rank FROM media_trends mt JOIN media m ON m.id = mt.media_id
         WHERE m.kind = 'movie' AND mt.time = (SELECT max(time) FROM media_trends) ORDER BY mt.rank LIMIT 5`,
      )
      .all() as { title: string; year: number | null; rank: number }[]
    if (top.length)
      out(`trending movies: ${top.map((m) => `${m.rank}. ${m.title}${m.year ? ` (${m.year})` : ''}`).join(', ')}`)
    closeDb(shared)
    db = undefined
    await Promise.all([tracker.close(), torznab.close()])

    const dbPath = config.sqlite.path
    if (opts.build) {
      out(`posters and details for ${await dressDemoMedia(dbPath)} demo titles …`)
      out('building the site from the demo database …')
      // The pipeline's `site data` step ran in every simulated run: the site's tables are there.
      const siteUrl = process.env.SITE_URL?.trim() || `http://${PREVIEW.host}:${PREVIEW.port}/`
      const dist = join(PACKAGE_ROOT, 'dist')
      try {
        await buildSite({ dbPath, siteUrl, outDir: dist })
      } catch (err) {
        throw new UserError(`demo: the site build failed: ${errorMessage(err)}`, { exitCode: 1 })
      }
      out(`site built: ${join(dist, 'index.html')} (${((performance.now() - t0) / 1000).toFixed(0)} s in all)`)
      if (opts.serve) {
        const server = await previewSite(dist, { base: new URL(siteUrl).pathname, ...PREVIEW })
        out(`previewing at ${server.url}${new URL(siteUrl).pathname} (Ctrl-C to stop) …`)
        await server.closed()
      } else out('preview it with: npx mediastrends demo --serve   (or: npx astro preview)')
    }
    out(`demo database: ${dbPath}`)
    return failures ? EXIT_PARTIAL_FAILURE : 0
  } finally {
    if (db) closeDb(db)
    await Promise.allSettled([tracker.close(), torznab.close()])
  }
}
