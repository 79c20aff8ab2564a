/**
 * BEP 48 HTTP scraper: `…/announce` → `…/scrape`, repeated `info_hash` parameters, batches of at
 * most min([requests] batch_size, 64) hashes, keep-alive (fetch's pooled connections), the config's
 * user agent. Each batch is retried within [retry] on timeouts, network errors, 5xx, 429 (after
 * its Retry-After), non-bencode bodies and tracker `failure reason`s. A reply is read up to
 * MAX_SCRAPE_BYTES: memory stays bounded whatever the tracker sends.
 */
import { HttpError, httpGet, readCapped, TooLarge } from '../core/http.ts'
import type { Logger } from '../core/log.ts'
import {
  httpBatchSize,
  httpScrapeUrl,
  MAX_SCRAPE_BYTES,
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
  /** Longest Retry-After waited for, in ms. */
  maxRetryAfterMs: number
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
      if (err instanceof HttpError && err.status !== undefined) {
        throw new ScrapeError(`HTTP ${err.status}`, false, true, err.retryAfterMs)
      }
      // timeouts, refused connections, resets: the tracker said nothing
      throw new ScrapeError((err as Error).message, true)
    }
    if (res.status < 200 || res.status >= 300) {
      await res.body?.cancel().catch(() => {})
      // not retryable (4xx other than 408/425/429): a missing or forbidden scrape page
      throw new ScrapeError(`HTTP ${res.status} ${res.statusText}`.trim(), false, false)
    }
    let body: Uint8Array
    try {
      body = await readCapped(res, MAX_SCRAPE_BYTES, 'reply')
    } catch (err) {
      if (err instanceof TooLarge) throw new ScrapeError(`${what}: ${err.message}`, false, false)
      throw new ScrapeError(`${what}: reading the body failed: ${(err as Error).message}`, true)
    }
    return parseHttpScrape(body, hashes)
  }

  /**
   * Scrape up to `maxBatch` hashes; a hash missing from the result is unknown to the tracker.
   * Retried within [retry] tries with doubling waits; a 429's Retry-After is waited for when it
   * fits the budget (longer: the batch fails at once, saying so).
   */
  async scrape(hashes: readonly string[]): Promise<ScrapeReply> {
    if (hashes.length === 0) return new Map()
    if (hashes.length > this.maxBatch)
      throw new RangeError(`HTTP scrape of ${hashes.length} hashes (max ${this.maxBatch})`)
    const tries = Math.max(1, this.#opts.tries)
    for (let n = 1; ; n++) {
      try {
        return await this.#attempt(hashes)
      } catch (err) {
        const e = err instanceof ScrapeError ? err : new ScrapeError(String((err as Error)?.message ?? err), false)
        if (!e.retryable || n >= tries) throw e
        const backoff = this.#opts.delayMs * 2 ** (n - 1)
        const wait = Math.max(backoff, e.retryAfterMs ?? 0)
        if (e.retryAfterMs !== undefined && e.retryAfterMs > this.#opts.maxRetryAfterMs) {
          throw new ScrapeError(
            `${e.message}, Retry-After ${Math.round(e.retryAfterMs / 1000)} s is too long`,
            false,
            false,
          )
        }
        this.#opts.log?.debug(`${this.url}: ${e.message}; retrying in ${wait} ms (${tries - n} left)`)
        await new Promise((r) => setTimeout(r, wait))
      }
    }
  }

  async close(): Promise<void> {}
}
