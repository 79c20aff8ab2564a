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
    /** The start of the reply's body (at most ERROR_BODY_BYTES), for Torznab <error> replies. */
    readonly body?: string,
    /** The reply's Retry-After, in ms (429, 503). */
    readonly retryAfterMs?: number,
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
      const body = await readText(res, ERROR_BODY_BYTES).catch(() => '')
      const wait = retryAfterMs(res.headers.get('retry-after'))
      if (wait !== undefined) {
        if (wait > (policy.maxRetryAfterMs ?? 60_000)) {
          throw new AbortError(
            new HttpError(
              `${what}: HTTP ${res.status}, Retry-After ${wait / 1000}s is too long`,
              url,
              res.status,
              body,
              wait,
            ),
          )
        }
        extraWait = wait
      }
      policy.log?.debug(`${what}: HTTP ${res.status} (attempt ${n}/${policy.tries})`)
      throw new HttpError(`${what}: HTTP ${res.status} ${res.statusText}`.trim(), url, res.status, body, wait)
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
    throw new HttpError(`${e.message}; gave up after ${attempts} attempt(s)`, e.url, e.status, e.body, e.retryAfterMs)
  }
}

/** The body was longer than the caller accepts. */
export class TooLarge extends Error {
  override name = 'TooLarge'
}

/** How much of an error reply's body is kept (a Torznab <error> is a line). */
export const ERROR_BODY_BYTES = 64 * 1024

/**
 * The body, read as a stream and refused past `max` bytes even when the server sent no
 * Content-Length (chunked): memory stays bounded whatever the server sends. Throws TooLarge.
 */
export async function readCapped(res: Response, max: number, what: string): Promise<Uint8Array> {
  const length = Number(res.headers.get('content-length') ?? 0)
  if (length > max) {
    await res.body?.cancel().catch(() => {})
    throw new TooLarge(`${what} of ${length} bytes is larger than the ${max} bytes accepted`)
  }
  if (!res.body) return new Uint8Array(await res.arrayBuffer())
  const chunks: Uint8Array[] = []
  let size = 0
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength
    // Leaving the loop cancels the stream: the rest is never downloaded.
    if (size > max) throw new TooLarge(`${what} is larger than the ${max} bytes accepted (cut there)`)
    chunks.push(chunk)
  }
  const out = new Uint8Array(size)
  let at = 0
  for (const c of chunks) {
    out.set(c, at)
    at += c.byteLength
  }
  return out
}

/** The start of a body as text: at most `max` bytes, the rest not downloaded. */
async function readText(res: Response, max: number): Promise<string> {
  if (!res.body) return ''
  const chunks: Uint8Array[] = []
  let size = 0
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    chunks.push(chunk.subarray(0, Math.max(0, max - size)))
    size += chunk.byteLength
    if (size >= max) break
  }
  return new TextDecoder().decode(Buffer.concat(chunks))
}
