/**
 * BEP 48 HTTP scraper: `…/announce` → `…/scrape`, repeated `info_hash` parameters, batches of at
 * most min([requests] batch_size, 64) hashes, keep-alive (fetch's pooled connections), the config's
 * user agent. Each batch is retried within [retry] on timeouts, network errors, 5xx, non-bencode
 * bodies and tracker `failure reason`s.
 */
import pRetry, { AbortError } from 'p-retry'
import { HttpError, httpGet } from '../core/http.ts'
import type { Logger } from '../core/log.ts'
import {
  httpBatchSize,
  httpScrapeUrl,
  parseHttpScrape,
  ScrapeError,
  type ScrapeReply,
  scrapeUrlFor,
} from './protocol.ts'

export interface HttpOptions {
  /** Per attempt, in ms. */
  timeoutMs: number
  /** Attempts per batch (1 = no retry). */
  tries: number
  /** First back-off delay in ms (doubles on each retry). */
  delayMs: number
  userAgent: string
  /** [requests] batch_size (capped at 64 and by the 8 KiB request line). */
  batchSize: number
  log?: Logger
}

export class HttpScraper {
  readonly scrapeUrl: string
  readonly maxBatch: number
  readonly #opts: HttpOptions

  constructor(
    readonly url: string,
    opts: HttpOptions,
  ) {
    const scrape = scrapeUrlFor(url)
    if (!scrape) {
      throw new ScrapeError(
        `${url}: no scrape URL (the last path segment must start with "announce", e.g. /announce)`,
        false,
        false,
      )
    }
    this.scrapeUrl = scrape
    this.maxBatch = httpBatchSize(scrape, opts.batchSize)
    this.#opts = opts
  }

  async #attempt(hashes: readonly string[]): Promise<ScrapeReply> {
    const url = httpScrapeUrl(this.scrapeUrl, hashes)
    const what = `scrape of ${hashes.length} hashes`
    let res: Response
    try {
      res = await httpGet(
        url,
        { timeoutMs: this.#opts.timeoutMs, tries: 1, delayMs: 0, userAgent: this.#opts.userAgent },
        { what },
      )
    } catch (err) {
      if (err instanceof HttpError && err.status !== undefined) throw new ScrapeError(`HTTP ${err.status}`, false)
      // timeouts, refused connections, resets: the tracker said nothing
      throw new ScrapeError((err as Error).message, true)
    }
    let body: Uint8Array
    try {
      body = new Uint8Array(await res.arrayBuffer())
    } catch (err) {
      throw new ScrapeError(`${what}: reading the body failed: ${(err as Error).message}`, true)
    }
    if (res.status < 200 || res.status >= 300) {
      // not retryable (4xx other than 408/425/429): a missing or forbidden scrape page
      throw new ScrapeError(`HTTP ${res.status} ${res.statusText}`.trim(), false, false)
    }
    return parseHttpScrape(body, hashes)
  }

  /** Scrape up to `maxBatch` hashes; a hash missing from the result is unknown to the tracker. */
  async scrape(hashes: readonly string[]): Promise<ScrapeReply> {
    if (hashes.length === 0) return new Map()
    if (hashes.length > this.maxBatch)
      throw new RangeError(`HTTP scrape of ${hashes.length} hashes (max ${this.maxBatch})`)
    return pRetry(
      async () => {
        try {
          return await this.#attempt(hashes)
        } catch (err) {
          if (err instanceof ScrapeError && !err.retryable) throw new AbortError(err)
          throw err
        }
      },
      {
        retries: Math.max(0, this.#opts.tries - 1),
        minTimeout: this.#opts.delayMs,
        factor: 2,
        randomize: false,
        onFailedAttempt: (e) => {
          if (e.retriesLeft > 0) this.#opts.log?.debug(`${this.url}: ${e.message}; retrying (${e.retriesLeft} left)`)
        },
      },
    ).catch((err: unknown) => {
      // p-retry unwraps AbortError to its original error
      throw err instanceof ScrapeError ? err : new ScrapeError(String((err as Error)?.message ?? err), false)
    })
  }

  async close(): Promise<void> {}
}
