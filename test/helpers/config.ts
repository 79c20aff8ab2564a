/**
 * Test helpers: a real config directory in a temp folder (ini + trackers.yaml + indexers.yaml),
 * loaded through the real loader, and a context whose clock is fixed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach } from 'vitest'
import { stringify } from 'yaml'
import { loadConfig } from '../../pipeline/config/load.ts'
import type { Config } from '../../pipeline/config/schema.ts'
import { type Context, makeContext } from '../../pipeline/context.ts'
import { fixedClock } from '../../pipeline/core/clock.ts'
import { memoryLog } from '../../pipeline/core/log.ts'

export interface ConfigFiles {
  /** Extra ini text appended to the user file (sections and keys). */
  ini?: string
  /** trackers.yaml content: an object (stringified) or raw text. */
  trackers?: unknown
  /** indexers.yaml content: an object (stringified) or raw text. */
  indexers?: unknown
  mode?: string
}

export interface TestConfigDir {
  dir: string
  mode: string
  iniFile: string
  load(env?: NodeJS.ProcessEnv): Config
  cleanup(): void
}

export function makeConfigDir(files: ConfigFiles = {}): TestConfigDir {
  const dir = mkdtempSync(join(tmpdir(), 'mediastrends-test-'))
  const mode = files.mode ?? 'test'
  const iniFile = join(dir, `mediastrends.${mode}.ini`)
  writeFileSync(iniFile, `# test config\n[requests]\nuser_agent = mediastrends-test\n${files.ini ?? ''}\n`)
  const write = (name: string, content: unknown) => {
    if (content === undefined) return
    writeFileSync(join(dir, name), typeof content === 'string' ? content : stringify(content))
  }
  write('trackers.yaml', files.trackers)
  write('indexers.yaml', files.indexers)
  return {
    dir,
    mode,
    iniFile,
    load: (env: NodeJS.ProcessEnv = {}) =>
      loadConfig({ mode, configDir: dir, env, cwd: dir, home: dir, systemDirs: [] }),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  }
}

export type TestContext = Context & { dirs: TestConfigDir; logs: ReturnType<typeof memoryLog> }

/**
 * A context on a fresh config dir (database under DIR/data), clock fixed at `now`, logging into
 * memory: tests assert on `ctx.logs.lines` / `ctx.logs.text()`.
 */
export function testContext(files: ConfigFiles = {}, now = '2026-01-15T12:00:00Z'): TestContext {
  const dirs = makeConfigDir(files)
  const logs = memoryLog()
  const ctx = makeContext({ clock: fixedClock(new Date(now)), loadConfig: () => dirs.load(), log: logs.log })
  return Object.assign(ctx, { dirs, logs })
}

/**
 * `const context = contextsPerTest()` at the top of a test file: `context(files?)` makes a test
 * context, closed and its folder removed after each test.
 */
export function contextsPerTest(): (files?: ConfigFiles, now?: string) => TestContext {
  const made: TestContext[] = []
  afterEach(() => {
    for (const c of made.splice(0)) {
      c.close()
      c.dirs.cleanup()
    }
  })
  return (files = {}, now) => {
    const c = testContext(files, now)
    made.push(c)
    return c
  }
}
