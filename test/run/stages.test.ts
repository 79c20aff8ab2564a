/**
 * `mediastrends run` against the real stages and real servers on loopback: a dead indexer and a
 * dead tracker are reported while a live tracker is scraped; `kill -9` of the real CLI in the
 * middle of a scrape, then a second `mediastrends run` that takes over the lock and completes.
 */
import { spawn } from 'node:child_process'
import { createSocket, type Socket } from 'node:dgram'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { stringify } from 'yaml'
import { type LoopbackTracker, startTracker } from '../../devkit/servers/tracker.ts'
import { makeContext } from '../../pipeline/context.ts'
import { fixedClock } from '../../pipeline/core/clock.ts'
import { EXIT_LOCKED, EXIT_PARTIAL_FAILURE } from '../../pipeline/core/errors.ts'
import { closeDb, openDb } from '../../pipeline/db/client.ts'
import { INTERRUPTED, runAll } from '../../pipeline/run/command.ts'
import { lockFileFor, parseLock } from '../../pipeline/run/lock.ts'
import { makeConfigDir } from '../helpers/config.ts'

const ROOT = join(import.meta.dirname, '..', '..')
const NOW = '2026-01-15T12:00:00Z'
const T0 = Date.parse(NOW) / 1000
const cleanups: (() => void | Promise<void>)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

const hash = (n: number) => n.toString(16).padStart(40, '0')

/** A loopback port with nothing listening (TCP). */
async function closedTcpPort(): Promise<number> {
  const s = createServer()
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  const port = (s.address() as { port: number }).port
  await new Promise((r) => s.close(r))
  return port
}

/** A UDP socket on loopback that receives and never answers; `packets` counts what arrived. */
async function silentUdp(): Promise<{ socket: Socket; port: number; packets: () => number }> {
  const socket = createSocket('udp4')
  let n = 0
  socket.on('message', () => n++)
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r))
  cleanups.push(() => new Promise<void>((r) => socket.close(() => r())))
  return { socket, port: socket.address().port, packets: () => n }
}

async function tracker(): Promise<LoopbackTracker> {
  const t = await startTracker()
  cleanups.push(() => t.close())
  return t
}

/** Torrents (status new, movies) linked to the named trackers, written straight to the DB. */
function seed(dbPath: string, trackerNames: string[], n: number): void {
  const db = openDb(dbPath)
  const s = db.$client
  s.transaction(() => {
    for (const name of trackerNames) {
      s.prepare("INSERT INTO trackers (name, scheme, netloc, path) VALUES (?, 'udp', '127.0.0.1:1', '')").run(name)
    }
    for (let i = 1; i <= n; i++) {
      const { lastInsertRowid } = s
        .prepare(
          "INSERT INTO torrents (info_hash, name, pub_date, status, category, added_at) VALUES (?, ?, ?, 'new', 'movies', ?)",
        )
        .run(hash(i), `Some.Movie.${i}.2025.1080p.WEB-DL`, T0 - 3600 * i, T0 - 3600 * i)
      for (const name of trackerNames) {
        s.prepare(
          'INSERT INTO torrent_trackers (torrent_id, tracker_id) SELECT ?, id FROM trackers WHERE name = ?',
        ).run(lastInsertRowid, name)
      }
    }
  })()
  closeDb(db)
}

interface RunRow {
  step: string
  target: string | null
  status: string
  errors: string | null
}

describe('run with the real stages', () => {
  it('reports a dead indexer and a dead tracker; the live tracker is scraped and scoring runs', async () => {
    const live = await tracker()
    const dead = await silentUdp() // answers nothing: times out
    const deadIndexerPort = await closedTcpPort()
    const dirs = makeConfigDir({
      ini: `timeout = 0.3\nfeed_timeout = 0.3\n[retry]\ntries = 1\ndelay = 0\n[jackettapi]\ndomain = 127.0.0.1\nport = ${deadIndexerPort}\napikey = test-key-123\n`,
      indexers: { deadidx: { movies: { active: true } } },
      trackers: {
        dead: { scheme: 'udp', netloc: `127.0.0.1:${dead.port}` },
        live: { scheme: 'http', netloc: `127.0.0.1:${live.httpPort}`, path: '/announce' },
      },
    })
    cleanups.push(() => dirs.cleanup())
    const dbPath = join(dirs.dir, 'data', 'mediastrends.db')
    seed(dbPath, ['dead', 'live'], 3)
    for (let i = 1; i <= 3; i++) live.populate(hash(i), { seeders: 10 * i, leechers: i, completed: 20 * i })

    const ctx = makeContext({ clock: fixedClock(new Date(NOW)), loadConfig: () => dirs.load() })
    cleanups.push(() => ctx.close())
    const code = await runAll(ctx)
    expect(code).toBe(EXIT_PARTIAL_FAILURE)

    const rows = ctx.db().$client.prepare('SELECT step, target, status, errors FROM runs ORDER BY id').all() as RunRow[]
    const status = (step: string, target: string | null = null) =>
      rows.find((r) => r.step === step && r.target === target)?.status
    expect(rows.map((r) => [r.step, r.target])).toEqual([
      ['run', null],
      ['torrents add', 'deadidx/movies'],
      ['torrents stats', 'dead'],
      ['torrents stats', 'live'],
      ['torrents trends compute', null],
      ['torrents status', null],
      ['movies compute', null],
      ['series compute', null],
      ['site data', null],
    ])
    expect(status('run')).toBe('failed')
    expect(status('torrents add', 'deadidx/movies')).toBe('failed')
    expect(status('torrents stats', 'dead')).toBe('failed')
    expect(JSON.parse(rows.find((r) => r.target === 'dead')?.errors ?? '[]').join('\n')).toContain('dead')
    expect(status('torrents stats', 'live')).toBe('ok')
    expect(status('torrents trends compute')).toBe('ok')
    expect(status('torrents status')).toBe('ok')
    // The API key never reaches the runs table.
    expect(JSON.stringify(rows)).not.toContain('test-key-123')

    const got = ctx
      .db()
      .$client.prepare(
        "SELECT t.info_hash h, s.seeders, s.leechers, s.completed FROM stats s JOIN torrents t ON t.id = s.torrent_id JOIN trackers k ON k.id = s.tracker_id WHERE k.name = 'live' ORDER BY h",
      )
      .all()
    expect(got).toEqual([1, 2, 3].map((i) => ({ h: hash(i), seeders: 10 * i, leechers: i, completed: 20 * i })))
    expect(existsSync(lockFileFor(dbPath))).toBe(false)
  })

  it('kill -9 of `mediastrends run` mid-scrape: the next run takes over the lock and completes', async () => {
    const live = await tracker()
    const silent = await silentUdp()
    const trackersYaml = (port: number) => stringify({ swarm: { scheme: 'udp', netloc: `127.0.0.1:${port}` } })
    const dirs = makeConfigDir({
      ini: 'timeout = 20\n[retry]\ntries = 3\ndelay = 1\n',
      trackers: trackersYaml(silent.port),
    })
    cleanups.push(() => dirs.cleanup())
    const dbPath = join(dirs.dir, 'data', 'mediastrends.db')
    seed(dbPath, ['swarm'], 5)
    for (let i = 1; i <= 5; i++) live.populate(hash(i), { seeders: i, leechers: 2 * i, completed: 3 * i })

    const cli = (): { done: Promise<{ code: number | null; signal: string | null; stderr: string }> } & {
      kill(): void
      stderr(): string
    } => {
      const child = spawn(
        process.execPath,
        [join(ROOT, 'bin/mediastrends.mjs'), '-f', dirs.dir, '-m', dirs.mode, '--now', NOW, 'run'],
        { cwd: dirs.dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, MEDIASTRENDS_MODE: '' } },
      )
      cleanups.push(() => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
      })
      let err = ''
      child.stderr?.on('data', (d) => {
        err += String(d)
      })
      child.stdout?.resume()
      const done = new Promise<{ code: number | null; signal: string | null; stderr: string }>((r) =>
        child.once('close', (code, signal) => r({ code, signal, stderr: err })),
      )
      return { done, kill: () => child.kill('SIGKILL'), stderr: () => err }
    }

    // 1. A run whose scrape hangs on a tracker that never answers: kill it once the scrape is sent.
    const first = cli()
    let exited = false
    void first.done.then(() => {
      exited = true
    })
    for (let i = 0; i < 600 && silent.packets() === 0 && !exited; i++) await new Promise((r) => setTimeout(r, 50))
    expect(silent.packets(), first.stderr()).toBeGreaterThan(0)
    const lock = parseLock(readFileSync(lockFileFor(dbPath), 'utf8'))
    // A second `mediastrends run` meanwhile is refused: exit code 3, naming the holder.
    const concurrent = await cli().done
    expect(concurrent.code).toBe(EXIT_LOCKED)
    expect(concurrent.stderr).toContain(`another run holds the lock: pid ${lock?.pid} on `)
    expect(concurrent.stderr).toContain(`lock file: ${lockFileFor(dbPath)}`)
    first.kill()
    const killed = await first.done
    expect(killed.signal).toBe('SIGKILL')

    const raw = new Database(dbPath, { readonly: true })
    expect(raw.pragma('integrity_check', { simple: true })).toBe('ok')
    expect(raw.prepare('SELECT step, status FROM runs ORDER BY id').all()).toEqual([
      { step: 'run', status: 'running' },
      { step: 'torrents stats', status: 'running' },
    ])
    raw.close()

    // 2. The tracker is back (same name, now a live loopback tracker): the next run completes.
    writeFileSync(join(dirs.dir, 'trackers.yaml'), trackersYaml(live.udpPort))
    const second = cli()
    const { code, stderr } = await second.done
    expect(code).not.toBe(EXIT_LOCKED)
    expect(stderr).toContain(`taking over a stale run lock (process ${lock?.pid} on ${lock?.host} is gone)`)

    const db = new Database(dbPath, { readonly: true })
    cleanups.push(() => {
      db.close()
    })
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok')
    const rows = db.prepare('SELECT step, target, status, errors FROM runs ORDER BY id').all() as RunRow[]
    expect(rows.slice(0, 2).map((r) => [r.step, r.status, JSON.parse(r.errors ?? '[]')])).toEqual([
      ['run', 'failed', [INTERRUPTED]],
      ['torrents stats', 'failed', [INTERRUPTED]],
    ])
    expect(rows.slice(2).map((r) => [r.step, r.target])).toEqual([
      ['run', null],
      ['torrents stats', 'swarm'],
      ['torrents trends compute', null],
      ['torrents status', null],
      ['movies compute', null],
      ['series compute', null],
      ['site data', null],
    ])
    expect(rows.filter((r) => r.status === 'running')).toEqual([])
    const byStep = (s: string) => rows.slice(2).find((r) => r.step === s)?.status
    expect(byStep('torrents stats')).toBe('ok')
    expect(byStep('torrents trends compute')).toBe('ok')
    expect(code).toBe(rows.slice(2).every((r) => r.status === 'ok') ? 0 : EXIT_PARTIAL_FAILURE)
    expect(db.prepare('SELECT count(*) n, sum(seeders) s FROM stats').get()).toEqual({ n: 5, s: 15 })
    expect(existsSync(lockFileFor(dbPath))).toBe(false)
  })
})
