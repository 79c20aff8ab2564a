import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { loadConfig } from '../../pipeline/config/load.ts'
import { UserError } from '../../pipeline/core/errors.ts'
import { makeConfigDir, type TestConfigDir } from '../helpers/config.ts'

let dirs: TestConfigDir[] = []
afterEach(() => {
  for (const d of dirs) d.cleanup()
  dirs = []
})
const mk = (files: Parameters<typeof makeConfigDir>[0] = {}) => {
  const d = makeConfigDir(files)
  dirs.push(d)
  return d
}
/** The error a load throws: message plus details, as the CLI prints them. */
const loadError = (d: TestConfigDir, env: NodeJS.ProcessEnv = {}): string => {
  try {
    d.load(env)
  } catch (err) {
    expect(err).toBeInstanceOf(UserError)
    const e = err as UserError
    expect(e.exitCode).toBe(2)
    return [e.message, ...e.details].join('\n')
  }
  throw new Error('expected the config to be refused')
}

// The shape of a config of the older Python tool, as its users have them.
const OLD_INI = `[directory]
base=/srv/mediastrends
data=\${base}/data
log=\${base}/logs
sqlite=\${data}/sqlite

[db]
database=sqlite

[sqlite]
path=\${directory:sqlite}/database.db
backup_dir=\${directory:data}

[indexers]
indexer_file=INDEXERS

[trackers]
tracker_file=TRACKERS

[ygg]
scheme=http
domain=ygg.peer2peer.cc
port=8080
netloc=\${domain}:\${port}

[requests]
user_agent=Mozilla/5.0 (X11; Linux x86_64; rv:82.0) Gecko/20100101 Firefox/82.0
batch_size=50

[retry]
tries=10
delay=5

[torrents_manager]
new_delay=3
delta_hours=24
min_date=
max_date=
candidates_status=new,follow

[trends_manager]
min_date=2020-01-01
max_date=
delta_days=31
torrents_status=new,follow
tau=0.2
max_trendings=50
weight_seeders=0.4
weight_completed=0.4
weight_leechers=0.2
lambda=0.8

[jackettapi]
scheme=http
domain=jackett.local
port=9117
netloc=\${domain}:\${port}
path=/api/v2.0/indexers/{indexer}/results/torznab/
apikey=s3cretjackettkey
`
const OLD_INDEXERS = `yggtorrent:
  movies:
    active: true
    action: search
    params:
      cat: 2183
  series:
    active: false
    action: tvsearch
    params:
      cat: 2184
`
const OLD_TRACKERS = `ygg:
  active: true
  scheme: http
  netloc: ygg.peer2peer.cc:8080
  path: /announce
yggudp:
  active: false
  scheme: udp
  netloc: tracker.example.org:6969
`

describe('config: the older tool’s files', () => {
  it('loads an old ini + indexers.yaml + trackers.yaml unchanged', () => {
    const d = mk({ indexers: OLD_INDEXERS, trackers: OLD_TRACKERS })
    const text = OLD_INI.replace('INDEXERS', join(d.dir, 'indexers.yaml')).replace(
      'TRACKERS',
      join(d.dir, 'trackers.yaml'),
    )
    writeFileSync(d.iniFile, text)
    const c = d.load()
    expect(c.directory.logs).toBe('/srv/mediastrends/logs') // old key "log"
    expect(c.sqlite.path).toBe('/srv/mediastrends/data/sqlite/database.db')
    expect(c.sqlite.backup_dir).toBe('/srv/mediastrends/data')
    expect(c.requests.user_agent).toBe('Mozilla/5.0 (X11; Linux x86_64; rv:82.0) Gecko/20100101 Firefox/82.0')
    expect(c.retry).toEqual({ tries: 10, delay: 5 })
    expect(c.trends_manager.min_date?.toISOString()).toBe('2020-01-01T00:00:00.000Z')
    expect(c.trends_manager.max_date).toBeUndefined()
    expect(c.trends_manager.tau).toBe(0.2)
    expect(c.torrents_manager.candidates_status).toEqual(['new', 'follow'])
    expect(c.jackettapi.netloc).toBe('jackett.local:9117')
    expect(c.jackettapi.apikey).toBe('s3cretjackettkey')
    expect(c.indexers.entries.yggtorrent?.categories.movies).toEqual({
      key: 'movies',
      active: true,
      action: 'search',
      params: { cat: '2183' },
    })
    expect(c.indexers.entries.yggtorrent?.categories.series?.active).toBe(false)
    expect(c.trackers.entries.ygg).toEqual({
      name: 'ygg',
      active: true,
      scheme: 'http',
      netloc: 'ygg.peer2peer.cc:8080',
      path: '/announce',
    })
    expect(c.trackers.entries.yggudp?.path).toBe('')
    expect(c.files[1]).toBe(d.iniFile)
  })

  it('uses the package defaults when the user file sets nothing', () => {
    const d = mk()
    const c = d.load()
    expect(c.trends_manager).toMatchObject({
      engine: 'nowcast',
      delta_days: 31,
      tau: 0.2,
      max_trendings: 50,
      lambda: 0.8,
    })
    expect(c.torrents_manager.new_delay).toBe(3)
    expect(c.requests.batch_size).toBe(50)
    expect(c.sqlite.path).toBe(join(d.dir, 'data', 'mediastrends.db')) // relative to the config file
    expect(c.indexers.entries).toEqual({})
  })

  it('interpolates ${key} and ${section:key}, and $$ is a dollar', () => {
    const d = mk({
      ini: '[tmdb]\nlanguage = fr-FR\n[site]\ntitle = costs $$5 in ${tmdb:language}\nbase_url = https://${title}.invalid/',
    })
    expect(() => d.load()).toThrow(/base_url: expected a URL/)
    const e = mk({ ini: '[site]\ntitle = costs $$5 in ${tmdb:language}' })
    expect(e.load().site.title).toBe('costs $5 in en-US')
  })

  it("reads dates without a zone as UTC, whatever the machine's time zone (like --now)", () => {
    const tz = process.env.TZ
    process.env.TZ = 'Europe/Paris'
    try {
      const d = mk({ ini: '[trends_manager]\nmax_date = 2026-01-31 12:00\nmin_date = 2026-01-01T00:00+02:00' })
      const c = d.load()
      expect(c.trends_manager.max_date?.toISOString()).toBe('2026-01-31T12:00:00.000Z')
      expect(c.trends_manager.min_date?.toISOString()).toBe('2025-12-31T22:00:00.000Z')
    } finally {
      if (tz === undefined) delete process.env.TZ
      else process.env.TZ = tz
    }
  })

  it('environment variables MEDIASTRENDS__SECTION__KEY override the files', () => {
    const d = mk()
    const c = d.load({ MEDIASTRENDS__RETRY__TRIES: '7', MEDIASTRENDS__TMDB__APIKEY: 'tmdbkey123' })
    expect(c.retry.tries).toBe(7)
    expect(c.tmdb.apikey).toBe('tmdbkey123')
  })

  it('finds the user file in -f, then $MEDIASTRENDS_DIRCONF, then the current directory', () => {
    const a = mk()
    const b = mk({ ini: '[retry]\ntries = 9' })
    const base = { mode: 'test', cwd: a.dir, home: a.dir, systemDirs: [] }
    expect(loadConfig({ ...base, env: { MEDIASTRENDS_DIRCONF: b.dir } }).retry.tries).toBe(9)
    expect(loadConfig({ ...base, env: {} }).retry.tries).toBe(3)
    expect(loadConfig({ ...base, configDir: a.dir, env: { MEDIASTRENDS_DIRCONF: b.dir } }).retry.tries).toBe(3)
    expect(
      loadConfig({ ...base, env: { MEDIASTRENDS_MODE: 'test', MEDIASTRENDS_DIRCONF: b.dir }, mode: undefined })
        .files[1],
    ).toBe(b.iniFile)
  })
})

describe('config: every bad input is one clear error naming file and key', () => {
  it('missing MODE', () => {
    const d = mk()
    expect(() => loadConfig({ env: {}, cwd: d.dir, home: d.dir, systemDirs: [] })).toThrow(
      /no MODE given: pass -m MODE or set MEDIASTRENDS_MODE/,
    )
  })

  it('missing config file names the directories searched', () => {
    const d = mk()
    expect(() => loadConfig({ mode: 'prod', env: {}, cwd: d.dir, home: d.dir, systemDirs: [] })).toThrow(
      new RegExp(`no mediastrends\\.prod\\.ini found \\(mode "prod"\\); looked in: ${d.dir}`),
    )
  })

  it('unreadable config file', () => {
    const d = mk({ mode: 'x' })
    const dir = join(d.dir, 'sub')
    mkdirSync(join(dir, 'mediastrends.bad.ini'), { recursive: true }) // a directory: cannot be read as a file
    expect(() => loadConfig({ mode: 'bad', configDir: dir, env: {}, cwd: d.dir, home: d.dir, systemDirs: [] })).toThrow(
      /mediastrends\.bad\.ini: cannot read the config file: EISDIR/,
    )
  })

  it('-f that is not a directory', () => {
    const d = mk()
    expect(() => loadConfig({ mode: 'test', configDir: join(d.dir, 'nope'), env: {}, systemDirs: [] })).toThrow(
      /-f\/--config-dir .*nope: not a directory/,
    )
  })

  it('unknown key, with file and line', () => {
    const d = mk({ ini: '[requests]\ncolour = blue' })
    expect(loadError(d)).toBe(`${d.iniFile}:5: [requests] colour: unknown key`)
  })

  it('unknown section', () => {
    const d = mk({ ini: '[trackerz]\nfoo = 1' })
    expect(loadError(d)).toMatch(new RegExp(`^${d.iniFile}:5: \\[trackerz\\]: unknown section`))
  })

  it('bad number', () => {
    const d = mk({ ini: '[retry]\ntries = three' })
    expect(loadError(d)).toBe(`${d.iniFile}:5: [retry] tries: expected a whole number (got "three")`)
  })

  it('nowcast windows that contradict each other name the key', () => {
    const d = mk({ ini: '[trends_manager]\nnowcast_recent_min_hours = 12\nnowcast_recent_max_hours = 6' })
    expect(loadError(d)).toMatch(
      new RegExp(
        `^${d.iniFile}:5: \\[trends_manager\\] nowcast_recent_min_hours: must not exceed nowcast_recent_max_hours \\(6\\)`,
      ),
    )
  })

  it('number out of range', () => {
    const d = mk({ ini: '[trends_manager]\ntau = 1.5' })
    expect(loadError(d)).toMatch(new RegExp(`^${d.iniFile}:5: \\[trends_manager\\] tau: .*1.*\\(got "1.5"\\)$`))
  })

  it('bad date', () => {
    const d = mk({ ini: '[trends_manager]\nmax_date = 31/01/2026' })
    expect(loadError(d)).toBe(
      `${d.iniFile}:5: [trends_manager] max_date: expected an ISO date (2026-01-31) or datetime, or nothing (got "31/01/2026")`,
    )
  })

  it('bad status list and bad enum', () => {
    const d = mk({ ini: '[trends_manager]\ntorrents_status = new,folow\nengine = magic' })
    const msg = loadError(d)
    expect(msg).toMatch(/^2 problems in the configuration:/)
    expect(msg).toContain(`${d.iniFile}:5: [trends_manager] torrents_status:`)
    expect(msg).toContain(`${d.iniFile}:6: [trends_manager] engine:`)
  })

  it('interpolation of a missing key', () => {
    const d = mk({ ini: '[sqlite]\npath = ${directory:nowhere}/x.db' })
    expect(loadError(d)).toBe(
      `${d.iniFile}:5: [sqlite] path: \${directory:nowhere} refers to a key that does not exist`,
    )
  })

  it('a line that is not key = value', () => {
    const d = mk({ ini: '[requests]\njust some words' })
    expect(loadError(d)).toBe(`${d.iniFile}:5: cannot read this line as "key = value" or "[section]": just some words`)
  })

  it('YAML syntax error', () => {
    const d = mk({ trackers: 'ygg:\n  active: true\n  scheme: [http\n' })
    expect(loadError(d)).toMatch(new RegExp(`^${d.dir}/trackers\\.yaml:\\d+:\\d+: YAML syntax error`))
  })

  it('tracker entry without netloc', () => {
    const d = mk({ trackers: 'ygg:\n  active: true\n  scheme: http\n  path: /announce\n' })
    expect(loadError(d)).toBe(`${d.dir}/trackers.yaml:2: ygg.netloc: expected host:port`)
  })

  it('tracker netloc with a scheme, and a bad scheme', () => {
    const d = mk({
      trackers: 'a:\n  scheme: http\n  netloc: http://x.org:80\nb:\n  scheme: wss\n  netloc: x.org:443\n',
    })
    const msg = loadError(d)
    expect(msg).toContain(`${d.dir}/trackers.yaml:3: a.netloc: expected host:port (no scheme, no path)`)
    expect(msg).toContain(`${d.dir}/trackers.yaml:5: b.scheme: expected "http", "https" or "udp"`)
  })

  it('indexers.yaml with an unknown action is an error naming the key (an unknown category only warns)', () => {
    const d = mk({ indexers: 'ygg:\n  films:\n    active: true\nrarbg:\n  movies:\n    action: download\n' })
    const msg = loadError(d)
    expect(msg).toContain(`${d.dir}/indexers.yaml:6: rarbg.movies.action:`)
    expect(msg).not.toContain('films')
  })
})
