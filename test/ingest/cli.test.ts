/** `mediastrends torrents add` as a user runs it: a child process against a loopback Torznab server. */
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTorznabServer, type TorznabServer } from '../../devkit/servers/torznab.ts'
import { makeTorrent } from '../../devkit/torrent-file.ts'
import { makeConfigDir, type TestConfigDir } from '../helpers/config.ts'
import { APIKEY, NOW, TRACKERS, YGG } from './helpers.ts'

const BIN = join(import.meta.dirname, '../../bin/mediastrends.mjs')

function run(dir: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    // async spawn: the server lives in this process and must keep answering
    const child = spawn(process.execPath, [BIN, '-f', dir, '-m', 'test', ...args], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', HOME: dir },
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => {
      stdout += d
    })
    child.stderr.on('data', (d) => {
      stderr += d
    })
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

describe('mediastrends torrents add', () => {
  let srv: TorznabServer
  let dir: TestConfigDir
  const t1 = makeTorrent({ name: 'Cli.Movie.One.2026.1080p', announce: [`${YGG}/announce`] })
  const t2 = makeTorrent({ name: 'Cli.Movie.Two.2026.1080p', announce: [`${YGG}/announce`] })

  beforeAll(async () => {
    srv = await startTorznabServer({
      flavor: 'jackett',
      apikey: APIKEY,
      indexers: {
        ygg: {
          items: [
            { title: t1.name, categories: [2000], seeders: 3, leechers: 1, download: { torrent: t1.bytes } },
            { title: t2.name, categories: [2000], download: { torrent: t2.bytes } },
          ],
        },
        broken: { items: [], fault: { error: { code: 429, description: 'Request limit reached' } } },
      },
    })
    dir = makeConfigDir({
      ini: `timeout = 2\n[retry]\ntries = 1\n${srv.iniSection()}`,
      trackers: TRACKERS,
      indexers: { ygg: { movies: { action: 'search', params: { cat: 2000 } } }, broken: { movies: {} } },
    })
  })
  afterAll(async () => {
    dir?.cleanup()
    await srv?.close()
  })

  it('stores the torrents, prints the counts, exits 0; a second run adds nothing', async () => {
    const r = await run(dir.dir, ['--now', NOW, 'torrents', 'add', '-c', 'movies', '-i', 'ygg'])
    expect(r.stderr).not.toContain(APIKEY)
    expect(r.code).toBe(0)
    expect(r.stdout.trim()).toBe(
      'torrents add: ok (feeds 1, feeds_failed 0, fetched 2, kept 2, skipped 0, duplicates 0, failed 0, downloads 2, remembered 0)',
    )
    const again = await run(dir.dir, ['--now', NOW, '--json', 'torrents', 'add', '-c', 'movies', '-i', 'ygg'])
    expect(again.code).toBe(0)
    expect(JSON.parse(again.stdout).counts).toMatchObject({ kept: 0, duplicates: 2 })
  })

  it('exits 1 when a feed fails, with the Torznab code and description on stderr', async () => {
    const r = await run(dir.dir, ['--now', NOW, 'torrents', 'add', '-c', 'movies'])
    expect(r.code).toBe(1)
    expect(r.stdout).toMatch(/^torrents add: FAILED \(feeds 2, feeds_failed 1, fetched 2, kept 0,/)
    expect(r.stderr).toMatch(/feed broken\/movies: Torznab error 429: Request limit reached/)
    expect(r.stderr).not.toContain(APIKEY)
  })

  it('exits 2 naming indexers.yaml for an unknown indexer', async () => {
    const r = await run(dir.dir, ['torrents', 'add', '-i', 'nope'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/indexers\.yaml: no indexer "nope" \(indexers: ygg, broken\)/)
  })
})
