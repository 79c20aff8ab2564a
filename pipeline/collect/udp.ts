/**
 * BEP 15 UDP scraper: one connected socket per tracker, many batches in flight on it (replies
 * matched by transaction id), the connection id kept for up to a minute, retransmission on loss
 * with BEP 15's doubling waits (first wait = min(15 s, [requests] timeout), [retry] tries
 * transmissions), error replies (action 3) handled.
 */
import { randomInt } from 'node:crypto'
import { createSocket, type Socket } from 'node:dgram'
import { lookup } from 'node:dns/promises'
import type { Logger } from '../core/log.ts'
import {
  ACTION_CONNECT,
  ACTION_ERROR,
  ACTION_SCRAPE,
  MAX_UDP_BATCH,
  parseUdpConnect,
  parseUdpError,
  parseUdpScrape,
  type ScrapeEntry,
  ScrapeError,
  type ScrapeReply,
  udpConnectRequest,
  udpReplyHeader,
  udpScrapeRequest,
} from './protocol.ts'

export interface UdpOptions {
  /** Wait for the first transmission, in ms; doubles on each retransmission (BEP 15: 15 s). */
  firstWaitMs: number
  /** Transmissions per request (1 = never retransmit). */
  tries: number
  /** How long a connection id is used (BEP 15: 1 minute). */
  connectionTtlMs?: number
  log?: Logger
}

interface Waiter {
  resolve(msg: Buffer): void
  reject(err: Error): void
}

export class UdpScraper {
  readonly maxBatch = MAX_UDP_BATCH
  readonly #host: string
  readonly #port: number
  readonly #opts: Required<Omit<UdpOptions, 'log'>> & { log?: Logger }
  #socket?: Promise<Socket>
  readonly #waiting = new Map<number, Waiter>()
  #conn?: { id: Buffer; at: number }
  #connecting?: Promise<Buffer>
  /** Set when connecting failed before any connect ever succeeded: the tracker is not answering. */
  #deadConnect?: ScrapeError
  #everConnected = false
  #strays = 0
  #closed = false

  constructor(
    readonly url: string,
    opts: UdpOptions,
  ) {
    const m = /^udp:\/\/(\[[^\]]+\]|[^/:?#]+):(\d{1,5})(?:[/?#].*)?$/i.exec(url)
    if (!m?.[1] || !m[2]) throw new ScrapeError(`${url}: expected udp://host:port`, false, false)
    this.#host = m[1].replace(/^\[|\]$/g, '')
    this.#port = Number(m[2])
    this.#opts = { ...opts, connectionTtlMs: opts.connectionTtlMs ?? 60_000 }
  }

  /** Packets received that matched no request (wrong transaction id, late replies). */
  get strays(): number {
    return this.#strays
  }

  async #open(): Promise<Socket> {
    let address: string
    let family: number
    try {
      // The resolver has no timeout of its own: give it as long as one scrape attempt.
      let timer: NodeJS.Timeout | undefined
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(Object.assign(new Error('DNS timeout'), { code: 'ETIMEOUT' })),
          this.#opts.firstWaitMs,
        )
      })
      try {
        ;({ address, family } = await Promise.race([lookup(this.#host), timeout]))
      } finally {
        clearTimeout(timer)
      }
    } catch (err) {
      throw new ScrapeError(`cannot resolve ${this.#host}: ${(err as NodeJS.ErrnoException).code ?? err}`, true, false)
    }
    const socket = createSocket(family === 6 ? 'udp6' : 'udp4')
    socket.on('message', (msg) => this.#onMessage(msg))
    socket.on('error', (err: NodeJS.ErrnoException) => {
      const why =
        err.code === 'ECONNREFUSED' ? new ScrapeError('connection refused', true) : new ScrapeError(err.message, true)
      this.#opts.log?.debug(`${this.url}: socket error ${err.code ?? err.message}`)
      for (const w of this.#waiting.values()) w.reject(why)
      this.#waiting.clear()
    })
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject)
      socket.connect(this.#port, address, () => {
        socket.off('error', reject)
        resolve()
      })
    })
    return socket
  }

  #onMessage(msg: Buffer): void {
    const head = udpReplyHeader(msg)
    const waiter = head && this.#waiting.get(head.transactionId)
    if (!head || !waiter) {
      this.#strays++
      this.#opts.log?.debug(
        `${this.url}: ignored a ${msg.length}-byte packet with ${head ? `unknown transaction id ${head.transactionId}` : 'no header'}`,
      )
      return
    }
    this.#waiting.delete(head.transactionId)
    waiter.resolve(msg)
  }

  #newTransactionId(): number {
    for (;;) {
      const id = randomInt(0, 2 ** 32)
      if (!this.#waiting.has(id)) return id
    }
  }

  /**
   * Send `packet()` and wait for the reply with `transactionId`, retransmitting on silence.
   * `check` turns a reply into a value or throws (bad reply → next attempt).
   */
  async #exchange<T>(
    what: string,
    transactionId: number,
    packet: () => Promise<Buffer>,
    check: (msg: Buffer) => T,
  ): Promise<T> {
    this.#socket ??= this.#open()
    const socket = await this.#socket
    let lastError: ScrapeError | undefined
    let waited = 0
    const strays = this.#strays
    for (let n = 0; n < this.#opts.tries; n++) {
      if (this.#closed) throw new ScrapeError('scraper closed', true, false)
      const buf = await packet()
      const wait = this.#opts.firstWaitMs * 2 ** n
      let timer: NodeJS.Timeout | undefined
      const reply = new Promise<Buffer | undefined>((resolve, reject) => {
        this.#waiting.set(transactionId, { resolve, reject })
        timer = setTimeout(() => {
          this.#waiting.delete(transactionId)
          resolve(undefined)
        }, wait)
      })
      socket.send(buf)
      let msg: Buffer | undefined
      try {
        msg = await reply
      } catch (err) {
        lastError = err instanceof ScrapeError ? err : new ScrapeError(String(err), true)
        clearTimeout(timer)
        if (!lastError.retryable) throw lastError
        continue // e.g. ECONNREFUSED (ICMP port unreachable): resend at once, fail fast when it persists
      } finally {
        clearTimeout(timer)
      }
      if (!msg) {
        waited += wait
        continue
      }
      try {
        return check(msg)
      } catch (err) {
        lastError = err instanceof ScrapeError ? err : new ScrapeError(String(err), false)
        this.#opts.log?.debug(`${this.url}: ${what}: ${lastError.message} (attempt ${n + 1}/${this.#opts.tries})`)
      }
    }
    if (lastError) throw lastError
    const ignored = this.#strays - strays
    throw new ScrapeError(
      `${what}: no reply after ${this.#opts.tries} attempt(s) (${(waited / 1000).toFixed(1)} s)` +
        (ignored ? `; ${ignored} packet(s) with unknown transaction ids ignored` : ''),
      ignored === 0,
    )
  }

  async #connectionId(): Promise<Buffer> {
    if (this.#conn && performance.now() - this.#conn.at < this.#opts.connectionTtlMs) return this.#conn.id
    if (this.#deadConnect) throw this.#deadConnect
    this.#connecting ??= (async () => {
      const at = performance.now()
      const tid = this.#newTransactionId()
      try {
        const id = await this.#exchange(
          'connect',
          tid,
          async () => udpConnectRequest(tid),
          (msg) => {
            const action = msg.readUInt32BE(0)
            if (action === ACTION_ERROR) throw new ScrapeError(`connect refused: ${parseUdpError(msg)}`, false)
            if (action !== ACTION_CONNECT) throw new ScrapeError(`connect: unexpected action ${action}`, false)
            return parseUdpConnect(msg)
          },
        )
        this.#conn = { id, at }
        this.#everConnected = true
        return id
      } catch (err) {
        if (!this.#everConnected && err instanceof ScrapeError) this.#deadConnect = err
        throw err
      } finally {
        this.#connecting = undefined
      }
    })()
    return this.#connecting
  }

  /**
   * Scrape up to 74 hashes. Resolves with every asked hash (UDP trackers answer zeros for unknown
   * ones). A reply with fewer entries than asked keeps them, and the rest are asked again in a
   * follow-up request (some trackers cap the entries per packet); when a follow-up fails, only its
   * hashes are lost.
   */
  async scrape(hashes: readonly string[]): Promise<ScrapeReply> {
    if (hashes.length === 0) return new Map()
    if (hashes.length > MAX_UDP_BATCH)
      throw new RangeError(`UDP scrape of ${hashes.length} hashes (max ${MAX_UDP_BATCH})`)
    const out: ScrapeReply = new Map()
    let rest = hashes
    while (rest.length > 0) {
      let got: Map<string, ScrapeEntry>
      try {
        got = await this.#scrapeOnce(rest)
      } catch (err) {
        if (out.size === 0) throw err
        const error = `not in the tracker's short reply, and the follow-up failed: ${(err as Error).message}`
        for (const h of rest) out.set(h, { error })
        break
      }
      for (const [h, e] of got) out.set(h, e)
      rest = rest.slice(got.size)
    }
    return out
  }

  #scrapeOnce(hashes: readonly string[]): Promise<Map<string, ScrapeEntry>> {
    const tid = this.#newTransactionId()
    return this.#exchange(
      `scrape of ${hashes.length} hashes`,
      tid,
      async () => udpScrapeRequest(await this.#connectionId(), tid, hashes),
      (msg) => {
        const action = msg.readUInt32BE(0)
        if (action === ACTION_ERROR) {
          this.#conn = undefined // the usual cause is an expired connection id: get a new one
          throw new ScrapeError(`tracker error: ${parseUdpError(msg)}`, false)
        }
        if (action !== ACTION_SCRAPE) throw new ScrapeError(`unexpected action ${action} in scrape reply`, false)
        return parseUdpScrape(msg, hashes)
      },
    )
  }

  async close(): Promise<void> {
    this.#closed = true
    for (const w of this.#waiting.values()) w.reject(new ScrapeError('scraper closed', true, false))
    this.#waiting.clear()
    const socket = await this.#socket?.catch(() => undefined)
    if (socket) await new Promise<void>((r) => socket.close(() => r()))
  }
}
