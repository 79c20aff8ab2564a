/**
 * The older tool's own example files (its README, cut out byte for byte; only the placeholders
 * replaced with loopback values and relative paths) load unchanged, and the shapes they use are
 * accepted beside today's: a top-level `indexers:` / `trackers:` key, `True`, an empty `path:`,
 * category names other than movies/series mapped by their Torznab cat or skipped with a warning.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { main } from '../../pipeline/cli.ts'
import { loadConfig } from '../../pipeline/config/load.ts'
import { UserError } from '../../pipeline/core/errors.ts'
import { makeConfigDir, type TestConfigDir } from '../helpers/config.ts'

const FIXTURES = join(import.meta.dirname, '../fixtures/legacy')
const cleanup: (() => void)[] = []
afterEach(() => {
  for (const c of cleanup.splice(0)) c()
})
function legacyDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mediastrends-legacy-'))
  cpSync(FIXTURES, dir, { recursive: true })
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}
const load = (dir: string) =>
  loadConfig({ mode: 'legacy', configDir: dir, env: {}, cwd: dir, home: dir, systemDirs: [] })
const mk = (files: Parameters<typeof makeConfigDir>[0]): TestConfigDir => {
  const d = makeConfigDir(files)
  cleanup.push(() => d.cleanup())
  return d
}

describe('the older tool’s example files', () => {
  it('load unchanged: its ini defaults, its indexers.yaml and trackers.yaml', () => {
    const dir = legacyDir()
    const c = load(dir)
    expect(c.warnings).toEqual([])
    expect(c.trackers.entries).toEqual({
      tracker_1: { name: 'tracker_1', active: true, scheme: 'http', netloc: '127.0.0.1:6969', path: '' },
      tracker_2: { name: 'tracker_2', active: true, scheme: 'udp', netloc: '127.0.0.1:6970', path: '' },
    })
    // cat_1 (cat 2000) and cat_2 (cat 5000) are read as the movies and series feeds
    expect(c.indexers.entries.indexer_1).toEqual({
      trackers: [],
      categories: {
        movies: { key: 'cat_1', active: true, action: 'search', params: { cat: '2000' } },
        series: { key: 'cat_2', active: true, action: 'search', params: { cat: '5000' } },
      },
    })
    expect(c.indexers.entries.indexer_2?.categories).toEqual({
      movies: { key: 'movies', active: true, action: 'search', params: {} },
    })
    expect(c.sqlite.path).toBe(join(dir, 'data', 'database.db'))
    expect(c.retry).toEqual({ tries: 10, delay: 5 })
    expect(c.requests.batch_size).toBe(50)
    expect(c.requests.user_agent).toMatch(/^mediastrends\//) // empty in the example: our default
    expect(c.jackettapi.netloc).toBe('127.0.0.1:9117')
    expect(c.jackettapi.path).toBe('api/v2.0/indexers/{indexer}/results/torznab/api')
    expect(c.trends_manager).toMatchObject({
      weight_seeders: 0.4,
      weight_completed: 0.4,
      weight_leechers: 0.2,
      lambda: 0.8,
    })
  })

  it('the CLI reads them (`config show` and a `torrents stats` with its own tracker names)', async () => {
    const dir = legacyDir()
    const env = { ...process.env }
    try {
      process.env.MEDIASTRENDS_MODE = 'legacy'
      process.env.MEDIASTRENDS_DIRCONF = dir
      expect(await main(['config', 'show'])).toBe(0)
      expect(await main(['database', 'create'])).toBe(0)
      // the trackers exist but nothing is followed yet: nothing to scrape, and no error
      expect(await main(['torrents', 'stats', '-c', 'movies', '-t', 'tracker_1'])).toBe(0)
    } finally {
      process.env = env
    }
  })
})

describe('indexers.yaml and trackers.yaml shapes', () => {
  it('today’s unwrapped shape still loads, and a category is mapped by its cat or skipped with one warning', () => {
    const d = mk({
      trackers: 'ygg:\n  scheme: http\n  netloc: ygg.example:8080\n  path: /announce\n',
      indexers: [
        'ygg:',
        '  trackers: [ygg]',
        '  films:',
        '    params: {cat: "2000,2040"}',
        '  music:',
        '    params: {cat: 3000}',
        '  mixed:',
        '    params: {cat: "2000,5000"}',
        '  site:',
        '    params: {cat: 102183}',
        '  movies:',
        '    params: {cat: 2010}',
        '',
      ].join('\n'),
    })
    const c = d.load()
    const ygg = c.indexers.entries.ygg
    expect(ygg?.trackers).toEqual(['ygg'])
    expect(ygg?.categories.movies?.key).toBe('films') // first in the file wins
    expect(ygg?.categories.series).toBeUndefined()
    const file = join(d.dir, 'indexers.yaml')
    expect(c.warnings).toEqual([
      expect.stringMatching(new RegExp(`^${file}:5: ygg.music: category "music" skipped: .*cat \\(3000\\)`)),
      expect.stringMatching(new RegExp(`^${file}:7: ygg.mixed: category "mixed" skipped: .*cat \\(2000,5000\\)`)),
      expect.stringMatching(new RegExp(`^${file}:9: ygg.site: category "site" skipped`)),
      `${file}:11: ygg.movies: category "movies" skipped: ygg.films already gives the movies feed`,
    ])
  })

  it('problems in a file with the top-level key name the key as written, on its line', () => {
    const d = mk({ trackers: 'trackers:\n  a:\n    active: True\n    scheme: wss\n    netloc: x.org:1\n    path:\n' })
    expect(() => d.load()).toThrow(
      `${join(d.dir, 'trackers.yaml')}:4: trackers.a.scheme: expected "http", "https" or "udp"`,
    )
  })

  it('an indexer naming a tracker trackers.yaml does not have is an error naming both', () => {
    const d = mk({
      trackers: { ygg: { scheme: 'udp', netloc: 'a.example:1' } },
      indexers: 'x:\n  trackers: [yyg]\n  movies: {}\n',
    })
    expect(() => d.load()).toThrow(
      `${join(d.dir, 'indexers.yaml')}:2: x.trackers: no tracker "yyg" in trackers.yaml (ygg)`,
    )
  })

  it('a tracker_file or indexer_file that is set but missing is an error naming the file; the default may be missing', () => {
    const d = mk({ ini: '[trackers]\ntracker_file = nowhere/trackers.yaml\n[indexers]\nindexer_file = idx.yaml\n' })
    let err: unknown
    try {
      d.load()
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(UserError)
    const text = [(err as UserError).message, ...(err as UserError).details].join('\n')
    expect((err as UserError).exitCode).toBe(2)
    expect(text).toContain(
      `${join(d.dir, 'nowhere/trackers.yaml')}: the trackers file does not exist (${d.iniFile}:5: [trackers] tracker_file)`,
    )
    expect(text).toContain(
      `${join(d.dir, 'idx.yaml')}: the indexers file does not exist (${d.iniFile}:7: [indexers] indexer_file)`,
    )
    // no file at the default place, nothing set: an empty list, no error
    const e = mk({})
    expect(e.load().trackers.entries).toEqual({})
    // an empty value means "no file"
    const f = mk({ ini: '[trackers]\ntracker_file =\n' })
    expect(f.load().trackers.tracker_file).toBe('')
  })

  it('a missing tracker file set in the config fails `torrents stats` with exit 2', async () => {
    const d = mk({ ini: '[trackers]\ntracker_file = missing.yaml\n' })
    writeFileSync(join(d.dir, 'unused'), '')
    expect(await main(['-m', d.mode, '-f', d.dir, 'torrents', 'stats'])).toBe(2)
  })
})
