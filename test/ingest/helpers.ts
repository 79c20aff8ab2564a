/** Shared set-up of the ingest tests: a Torznab server on loopback and a config pointing at it. */

import type { TorznabServer } from '../../devkit/servers/torznab.ts'
import type { Context } from '../../pipeline/context.ts'
import { type TestContext, testContext } from '../helpers/config.ts'

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
): TestContext {
  const section = srv.iniSection().replace(/^apikey = .*$/m, `apikey = ${opts.apikey ?? APIKEY}`)
  // makeConfigDir's ini text ends inside [requests]: these first keys land there.
  const ini = `timeout = 0.5\nfeed_timeout = 0.5\nconcurrency = 4\n[retry]\ntries = 2\ndelay = 0.05\n${section}${opts.extraIni ?? ''}`
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
