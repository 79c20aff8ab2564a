/** Shared set-up of the ingest tests: a Torznab server on loopback and a config pointing at it. */
import type { Context } from '../../pipeline/core/context.ts'
import type { TorznabServer } from '../../pipeline/testing/torznab-server.ts'
import { testContext } from '../helpers/config.ts'

export const APIKEY = 'ingest-test-apikey-7f3a9c21'
export const NOW = '2026-11-24T18:00:00Z'
export const NOW_S = Date.parse(NOW) / 1000

export const YGG = 'http://tracker.ygg.example:8080'
export const OPEN = 'udp://open.example:6969'

export const TRACKERS = {
  ygg: { active: true, scheme: 'http', netloc: 'tracker.ygg.example:8080', path: '/announce' },
  open: { active: true, scheme: 'udp', netloc: 'open.example:6969', path: '/announce' },
  off: { active: false, scheme: 'udp', netloc: 'off.example:1337', path: '' },
}

/**
 * A context whose [jackettapi] points at `srv`, with short timeouts (0.5 s, 2 tries, 50 ms
 * back-off) so failure paths stay quick.
 */
export function ingestContext(
  srv: TorznabServer,
  indexers: unknown,
  opts: { now?: string; apikey?: string; extraIni?: string } = {},
): Context & { dirs: { dir: string; cleanup(): void } } {
  const section = srv.iniSection().replace(/^apikey = .*$/m, `apikey = ${opts.apikey ?? APIKEY}`)
  // makeConfigDir's ini text ends inside [requests]: these first keys land there.
  const ini = `timeout = 0.5\nconcurrency = 4\n[retry]\ntries = 2\ndelay = 0.05\n${section}${opts.extraIni ?? ''}`
  return testContext({ ini, trackers: TRACKERS, indexers }, opts.now ?? NOW)
}

/** Every row of every table as one string (to prove the API key is nowhere in the database). */
export function dumpDb(ctx: Context): string {
  const s = ctx.db().$client
  const tables = s.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]
  return tables.map((t) => JSON.stringify(s.prepare(`SELECT * FROM "${t.name}"`).all())).join('\n')
}

export function rowCounts(ctx: Context): Record<string, number> {
  const s = ctx.db().$client
  const out: Record<string, number> = {}
  for (const t of ['trackers', 'torrents', 'torrent_trackers', 'status_history', 'indexer_stats']) {
    out[t] = (s.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n
  }
  return out
}

/** Capture everything written to stderr (where the loggers write) while `fn` runs. */
export async function captureStderr<T>(fn: () => Promise<T>): Promise<{ result: T; stderr: string }> {
  const chunks: string[] = []
  const original = process.stderr.write.bind(process.stderr)
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'))
    return (original as (...a: unknown[]) => boolean)(chunk, ...rest)
  }) as typeof process.stderr.write
  try {
    const result = await fn()
    return { result, stderr: chunks.join('') }
  } finally {
    process.stderr.write = original
  }
}
