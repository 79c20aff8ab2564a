/**
 * HTTP GET with a timeout, bounded retries with exponential back-off (p-retry) and Retry-After
 * honoured within the budget. When every attempt failed it throws one HttpError whose message says
 * so ("…; gave up after 3 attempt(s)"): the caller reports it, once. Used by ingest (Torznab,
 * .torrent downloads) and group (TMDB). Scrapers have their own loops (collect/).
 *
 * URLs are redacted (registered secrets → ***) in every message.
 */
import pRetry, { AbortError } from 'p-retry'
import { errorMessage } from './errors.ts'
import { type Logger, redact } from './log.ts'

export interface HttpPolicy {
  /** Per attempt, in ms. */
  timeoutMs: number
  /** Attempts in all (1 = no retry). */
  tries: number
  /** First back-off delay in ms (doubles each retry). */
  delayMs: number
  /** Longest Retry-After we wait, in ms (longer: give up). */
  maxRetryAfterMs?: number
  userAgent: string
  /** Retries are logged at debug level; giving up is not logged here (the error says it). */
  log?: Logger
}

export class HttpError extends Error {
  constructor(
    message: string,
    readonly url: string,
    readonly status?: number,
    readonly body?: string,
  ) {
    super(redact(message))
    this.name = 'HttpError'
  }
}

const RETRYABLE = new Set([408, 425, 429, 500, 502, 503, 504])

/** Seconds or an HTTP date → ms; undefined when absent or unreadable. */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000
  const t = Date.parse(value)
  return Number.isNaN(t) ? undefined : Math.max(0, t - now)
}

export interface GetOptions {
  headers?: Record<string, string>
  /** Follow redirects (default) or return 3xx responses as they are ('manual'). */
  redirect?: 'follow' | 'manual'
  /** What is being fetched, for log lines ("feed of yggtorrent/movies"). */
  what?: string
}

/**
 * GET `url`. Resolves with the Response for 2xx/3xx and for non-retryable 4xx (the caller reads
 * the body: a Torznab <error> comes with any status). Rejects with HttpError when every attempt
 * failed (network error, timeout, 5xx, 429).
 */
export async function httpGet(url: string, policy: HttpPolicy, opts: GetOptions = {}): Promise<Response> {
  const what = opts.what ?? redact(url)
  let extraWait = 0
  let attempts = 0
  const attempt = async (n: number): Promise<Response> => {
    attempts = n
    if (extraWait > 0) {
      await new Promise((r) => setTimeout(r, extraWait))
      extraWait = 0
    }
    let res: Response
    try {
      res = await fetch(url, {
        headers: { 'user-agent': policy.userAgent, ...opts.headers },
        redirect: opts.redirect ?? 'follow',
        signal: AbortSignal.timeout(policy.timeoutMs),
      })
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } }
      const why =
        e.name === 'TimeoutError' ? `timed out after ${policy.timeoutMs} ms` : (e.cause?.code ?? errorMessage(e))
      throw new HttpError(`${what}: ${why}`, url)
    }
    if (RETRYABLE.has(res.status)) {
      const body = await res.text().catch(() => '')
      const wait = retryAfterMs(res.headers.get('retry-after'))
      if (wait !== undefined) {
        if (wait > (policy.maxRetryAfterMs ?? 60_000)) {
          throw new AbortError(
            new HttpError(
              `${what}: HTTP ${res.status}, Retry-After ${wait / 1000}s is too long`,
              url,
              res.status,
              body,
            ),
          )
        }
        extraWait = wait
      }
      policy.log?.debug(`${what}: HTTP ${res.status} (attempt ${n}/${policy.tries})`)
      throw new HttpError(`${what}: HTTP ${res.status} ${res.statusText}`.trim(), url, res.status, body)
    }
    return res
  }
  try {
    return await pRetry(attempt, {
      retries: Math.max(0, policy.tries - 1),
      minTimeout: policy.delayMs,
      factor: 2,
      randomize: false,
      onFailedAttempt: (err) => {
        if (err.retriesLeft > 0) policy.log?.debug(`${redact(err.message)}; retrying (${err.retriesLeft} left)`)
      },
    })
  } catch (err) {
    const e = err instanceof HttpError ? err : new HttpError(`${what}: ${errorMessage(err)}`, url)
    throw new HttpError(`${e.message}; gave up after ${attempts} attempt(s)`, e.url, e.status, e.body)
  }
}
