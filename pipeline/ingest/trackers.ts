/**
 * Which configured trackers announce a torrent: same scheme and host:port (default ports filled
 * in, host case-insensitive); the announce path and query (passkeys) do not matter. Pure.
 */
import type { TrackerConfig } from '../config/schema.ts'

const DEFAULT_PORTS: Record<string, string> = { http: '80', https: '443' }

/** "udp://tracker.example:6969/announce" → "udp://tracker.example:6969"; undefined when unreadable. */
export function trackerKey(url: string): string | undefined {
  let u: URL
  try {
    u = new URL(url.trim())
  } catch {
    return undefined
  }
  const scheme = u.protocol.replace(/:$/, '').toLowerCase()
  if (!['http', 'https', 'udp'].includes(scheme) || !u.hostname) return undefined
  const port = u.port || DEFAULT_PORTS[scheme] || ''
  return `${scheme}://${u.hostname.toLowerCase()}${port ? `:${port}` : ''}`
}

/** The key of a trackers.yaml entry (scheme + netloc). */
export function configKey(t: Pick<TrackerConfig, 'scheme' | 'netloc'>): string | undefined {
  return trackerKey(`${t.scheme}://${t.netloc}/`)
}

export interface TrackerMatcher {
  /** Active configured trackers announcing any of `announce`, each once, in config order. */
  match(announce: string[]): TrackerConfig[]
}

/** Build once per run from the configured trackers; inactive ones never match. */
export function trackerMatcher(trackers: Record<string, TrackerConfig>): TrackerMatcher {
  const byKey = new Map<string, TrackerConfig[]>()
  for (const t of Object.values(trackers)) {
    if (!t.active) continue
    const key = configKey(t)
    if (key) byKey.set(key, [...(byKey.get(key) ?? []), t])
  }
  const order = Object.keys(trackers)
  return {
    match(announce) {
      const found = new Set<TrackerConfig>()
      for (const url of announce) {
        const key = trackerKey(url)
        for (const t of (key && byKey.get(key)) || []) found.add(t)
      }
      return [...found].sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name))
    },
  }
}
