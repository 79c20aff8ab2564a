import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { countVerbosity, joinCommandWords, legacyArgs } from '../../pipeline/cli.ts'
import { acquireLock, lockFileFor } from '../../pipeline/run/lock.ts'
import { TABLES } from '../../schema/tables.ts'
import { makeConfigDir } from '../helpers/config.ts'

const BIN = join(import.meta.dirname, '../../bin/mediastrends.mjs')
const dir = makeConfigDir({
  ini: '[jackettapi]\napikey = verysecretapikey\n[retry]\ntries = 4',
  trackers: { ygg: { active: true, scheme: 'http', netloc: 'ygg.example:8080', path: '/announce' } },
})
afterAll(() => dir.cleanup())

function run(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: dir.dir,
    env: { PATH: process.env.PATH ?? '', HOME: dir.dir, ...env },
    encoding: 'utf8',
    timeout: 30_000,
  })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

describe('command line', () => {
  it('--help lists every group', () => {
    const r = run(['--help'])
    expect(r.code).toBe(0)
    for (const cmd of [
      'database create',
      'database backup save',
      'database export <file>',
      'config show',
      'torrents add',
      'torrents stats',
      'torrents trends compute',
      'torrents status',
      'movies compute',
      'series get',
      'site data',
      'site build',
      'run',
      'demo',
    ]) {
      expect(r.stdout).toContain(cmd)
    }
  })

  it('config show prints the merged values, names the file, and masks secrets', () => {
    const r = run(['config', 'show'], { MEDIASTRENDS_MODE: 'test', MEDIASTRENDS_DIRCONF: dir.dir })
    expect(r.code).toBe(0)
    expect(r.stdout).toContain(`files read (later wins):`)
    expect(r.stdout).toContain(dir.iniFile)
    expect(r.stdout).toContain('retry.tries = 4') // from the user file
    expect(r.stdout).toContain('trends_manager.tau = 0.2') // from the defaults
    expect(r.stdout).toContain('trackers.entries.ygg.netloc = ygg.example:8080')
    expect(r.stdout).toContain('jackettapi.apikey = ***')
    expect(r.stdout + r.stderr).not.toContain('verysecretapikey')
    const json = run(['--json', '-m', 'test', '-f', dir.dir, 'config', 'show'])
    expect(JSON.parse(json.stdout)).toMatchObject({ mode: 'test', retry: { tries: 4 }, jackettapi: { apikey: '***' } })
  })

  it('a config error is one line on stderr and exit 2, without a stack', () => {
    const bad = makeConfigDir({ ini: '[retry]\ntries = many' })
    try {
      const r = run(['-f', bad.dir, '-m', 'test', 'config', 'show'])
      expect(r.code).toBe(2)
      expect(r.stdout).toBe('')
      expect(r.stderr).toContain(`${bad.iniFile}:5: [retry] tries: expected a whole number (got "many")`)
      expect(r.stderr).not.toMatch(/\n\s+at /)
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
    } finally {
      bad.cleanup()
    }
  })

  it('missing MODE and unknown commands exit 2', () => {
    expect(run(['config', 'show']).code).toBe(2)
    const r = run(['torrents', 'fly'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('unknown command "torrents fly"; try: mediastrends torrents add')
  })

  it('database create and export through the CLI, with --json and --now', () => {
    const env = { MEDIASTRENDS_MODE: 'test', MEDIASTRENDS_DIRCONF: dir.dir }
    const c = run(['--json', 'database', 'create'], env)
    expect(c.code).toBe(0)
    expect(JSON.parse(c.stdout)).toEqual({
      path: join(dir.dir, 'data', 'mediastrends.db'),
      tables: Object.keys(TABLES).length,
    })
    const b = run(['--now', '2026-03-04T05:06:07Z', 'database', 'backup', 'save'], env)
    expect(b.stdout).toContain('mediastrends.2026-03-04T05-06-07Z.db')
    const file = join(dir.dir, 'out.ndjson')
    writeFileSync(file, '')
    const e = run(['database', 'export', file], env)
    expect(e.code).toBe(0)
    expect(e.stdout).toContain(`exported 0 rows to ${file}`)
  })
})

describe('the run lock', () => {
  it('commands that rewrite the database are refused while a run holds the lock (exit 3)', () => {
    const env = { MEDIASTRENDS_MODE: 'test', MEDIASTRENDS_DIRCONF: dir.dir }
    expect(run(['database', 'create'], env).code).toBe(0)
    const lock = acquireLock(lockFileFor(join(dir.dir, 'data', 'mediastrends.db')), { command: 'test run' })
    try {
      for (const args of [
        ['database', 'reset', '--no-backup'],
        ['database', 'backup', 'load'],
        ['torrents', 'status'],
      ]) {
        const r = run(args, env)
        expect(r.code, args.join(' ')).toBe(3)
        expect(r.stderr).toMatch(/another run holds the lock/)
      }
    } finally {
      lock.release()
    }
  })
})

describe("the older tool's command lines", () => {
  it('are rewritten to ours: nargs lists, -di/-dx, renamed options', () => {
    expect(legacyArgs(['torrents', 'stats', '-c', 'movies', 'series', '--tracker-name', 'ygg'])).toEqual([
      'torrents',
      'stats',
      '-c',
      'movies',
      '-c',
      'series',
      '--tracker',
      'ygg',
    ])
    expect(legacyArgs(['torrents', 'trends', 'get', '-di', '202601010000', '-dx', '202601020000'])).toEqual([
      'torrents',
      'trends',
      'get',
      '--mindate',
      '202601010000',
      '--maxdate',
      '202601020000',
    ])
    expect(legacyArgs(['database', 'reset', 'table', '--tables', 'stats', 'trends', '--no-backup'])).toEqual([
      'database',
      'reset',
      'table',
      '--table',
      'stats',
      '--table',
      'trends',
      '--no-backup',
    ])
  })

  it('work end to end: database reset table/db and backup load -d YYYYMMDD-HHMM', () => {
    const env = { MEDIASTRENDS_MODE: 'test', MEDIASTRENDS_DIRCONF: dir.dir }
    expect(run(['--now', '2026-05-06T07:08:00Z', 'database', 'backup', 'save'], env).code).toBe(0)
    const t = run(['database', 'reset', 'table', '-t', 'stats', 'torrent', '--no-backup'], env)
    expect(t.stderr).toBe('')
    expect(t.stdout).toContain('emptied: stats, torrents')
    const l = run(['database', 'backup', 'load', '-d', '20260506-0708'], env)
    expect(l.code).toBe(0)
    expect(l.stdout).toContain('mediastrends.2026-05-06T07-08-00Z.db')
    const d = run(['database', 'reset', 'db', '--no-backup'], env)
    expect(d.code).toBe(0)
    expect(d.stdout).toContain('database reset:')
  })
})

describe('argument helpers', () => {
  it('counts -v, -vv and --verbose', () => {
    expect(countVerbosity(['-v', 'run'])).toBe(1)
    expect(countVerbosity(['-vvv', '--verbose', 'run'])).toBe(4)
    expect(countVerbosity(['run', '--', '-vv'])).toBe(0)
  })
  it('joins multi-word commands after global options', () => {
    const names = new Set(['database backup save', 'torrents add', 'torrents trends get'])
    expect(joinCommandWords(['-m', 'prod', '-v', 'database', 'backup', 'save'], names)).toEqual([
      '-m',
      'prod',
      '-v',
      'database backup save',
    ])
    expect(joinCommandWords(['torrents', 'add', '-c', 'movies'], names)).toEqual(['torrents add', '-c', 'movies'])
    expect(joinCommandWords(['--now', '2026-01-01', 'torrents', 'trends', 'get'], names)).toEqual([
      '--now',
      '2026-01-01',
      'torrents trends get',
    ])
  })
})
