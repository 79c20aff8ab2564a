/**
 * The real `mediastrends serve` process on the loopback set-up of the demo (a real tracker and a
 * Torznab server from devkit/servers): the real pipeline and the real site build, two scheduled
 * cycles seconds apart, the site and /healthz served, then SIGTERM: exit 0, the lock released, no
 * step left 'running'.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { startTorznabServer, type TorznabItemSpec } from '../../devkit/servers/torznab.ts'
import { startTracker } from '../../devkit/servers/tracker.ts'
import { makeTorrent } from '../../devkit/torrent-file.ts'
import { acquireLock, lockFileFor } from '../../pipeline/run/lock.ts'
import { makeConfigDir } from '../helpers/config.ts'

const ROOT = join(import.meta.dirname, '..', '..')
const cleanups: (() => void | Promise<void>)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

const RELEASES = [
  { name: 'Neon.Orchard.2026.1080p.WEB-DL.DDP5.1.H.264-FLUX', seeders: 900, leechers: 300, completed: 5000 },
  { name: 'The.Silent.Harbor.2026.2160p.WEB-DL.DV.HDR.H.265-GROUP', seeders: 500, leechers: 120, completed: 2500 },
  { name: 'Glass.Meridian.2025.720p.BluRay.x264-SPARKS', seeders: 80, leechers: 10, completed: 400 },
]

async function until(what: string, cond: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  const t0 = Date.now()
  while (!(await cond())) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 200))
  }
}

describe('mediastrends serve (real process, real pipeline)', () => {
  it('runs two cycles seconds apart, serves the site and /healthz, and stops cleanly on SIGTERM', async () => {
    const tracker = await startTracker()
    cleanups.push(() => tracker.close())
    const now = Math.floor(Date.now() / 1000)
    const items: TorznabItemSpec[] = RELEASES.map((r, i) => {
      const t = makeTorrent({ name: r.name, announce: [tracker.httpAnnounce], creationDate: now - 86_400 })
      tracker.populate(t.infoHash, { seeders: r.seeders + i, leechers: r.leechers, completed: r.completed })
      return {
        title: r.name,
        pubDate: now - 3600 * (i + 2),
        size: 4_000_000_000,
        categories: [2000],
        seeders: r.seeders,
        leechers: r.leechers,
        grabs: r.completed,
        download: { torrent: t.bytes },
      }
    })
    const torznab = await startTorznabServer({
      flavor: 'jackett',
      apikey: 'k3y-for-tests',
      indexers: { demo: { items } },
    })
    cleanups.push(() => torznab.close())
    const dirs = makeConfigDir({
      ini: `${torznab.iniSection()}
[site]
base_url = http://127.0.0.1/
[serve]
interval = 3s
min_interval = 0
jitter = 0
host = 127.0.0.1
port = 0
`,
      indexers: { demo: { movies: { active: true, action: 'search', params: { cat: 2000 } } } },
      trackers: {
        'demo-http': { active: true, scheme: 'http', netloc: `127.0.0.1:${tracker.httpPort}`, path: '/announce' },
      },
    })
    cleanups.push(() => dirs.cleanup())
    const dbPath = join(dirs.dir, 'data', 'mediastrends.db')

    const child: ChildProcess = spawn(
      process.execPath,
      [join(ROOT, 'bin', 'mediastrends.mjs'), '-f', dirs.dir, '-m', dirs.mode, 'serve'],
      {
        cwd: dirs.dir,
        env: { ...process.env, MEDIASTRENDS_DIRCONF: '', SITE_URL: '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    let output = ''
    child.stdout?.on('data', (d) => {
      output += d
    })
    child.stderr?.on('data', (d) => {
      output += d
    })
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)))
    cleanups.push(() => {
      if (child.exitCode === null) child.kill('SIGKILL')
    })

    await until('the server', () => /at (http:\/\/127\.0\.0\.1:\d+)\//.test(output), 30_000)
    const url = output.match(/at (http:\/\/127\.0\.0\.1:\d+)\//)?.[1] ?? ''
    const builds = () => output.match(/site built: \d+ pages/g)?.length ?? 0
    await until('two cycles with their builds', () => builds() >= 2, 240_000)
    expect(output).not.toContain('k3y-for-tests')

    const db = new Database(dbPath, { readonly: true })
    cleanups.push(() => {
      db.close()
    })
    const runRows = db.prepare("SELECT started_at, status FROM runs WHERE step = 'run' ORDER BY id").all() as {
      started_at: number
      status: string
    }[]
    expect(runRows.length).toBeGreaterThanOrEqual(2)
    expect(runRows.slice(0, 2).map((r) => r.status)).toEqual(['ok', 'ok'])
    const gap = (runRows[1]?.started_at ?? 0) - (runRows[0]?.started_at ?? 0)
    expect(gap).toBeGreaterThanOrEqual(3)
    const scraped = db.prepare("SELECT count(*) n FROM runs WHERE step = 'torrents stats' AND status = 'ok'").get() as {
      n: number
    }
    expect(scraped.n).toBeGreaterThanOrEqual(2)

    const home = await fetch(`${url}/`)
    expect(home.status).toBe(200)
    expect(home.headers.get('content-type')).toBe('text/html; charset=utf-8')
    const html = await home.text()
    expect(html).toContain('Neon Orchard')
    expect((await fetch(`${url}/no/such/page/`)).status).toBe(404)
    const hz = await fetch(`${url}/healthz`)
    expect(hz.status).toBe(200)
    const h = (await hz.json()) as { status: string; lastRun: { status: string }; lastBuild: { ok: boolean } }
    expect(h.lastBuild.ok).toBe(true)
    expect(['ok', 'degraded']).toContain(h.status)

    // SIGTERM wherever it lands (waiting, mid-run or mid-build): a clean stop.
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
    expect(output).toMatch(/SIGTERM: stopping/)
    const running = db.prepare("SELECT count(*) n FROM runs WHERE status = 'running'").get() as { n: number }
    expect(running.n).toBe(0)
    expect(existsSync(lockFileFor(dbPath))).toBe(false)
    acquireLock(lockFileFor(dbPath)).release()
  }, 300_000)
})
