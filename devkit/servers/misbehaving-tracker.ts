/**
 * Hand-rolled trackers on loopback that answer scrapes badly on purpose, for the scraper's tests:
 * one UDP (BEP 15) and one HTTP (BEP 48) server whose every reply is chosen by a `behave` function
 * (per request: which action, which hashes, how many requests came before), so a test can spoil
 * one batch, the first attempt only, or everything.
 *
 *   const t = await startMisbehavingTracker('udp', { data, behave: (r) => (r.hashes.includes(bad) ? 'wrong-tid' : 'ok') })
 *   ... scrape t.announce ...
 *   await t.close()
 */
import { randomBytes } from 'node:crypto'
import { createSocket } from 'node:dgram'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import bencode from 'bencode'

export type Behaviour =
  /** A correct reply from `data`. */
  | 'ok'
  /** No reply at all (the client times out). */
  | 'silent'
  /** Fewer entries than asked (UDP: the last entry missing; HTTP: the last hash left out). */
  | 'short'
  /** More entries than asked (UDP: one extra entry; HTTP: an extra, unasked hash). */
  | 'long'
  /** UDP: the reply carries another transaction id. */
  | 'wrong-tid'
  /** Cut in the middle (UDP: inside an entry; HTTP: inside the bencoded body). */
  | 'truncated'
  /** HTTP: an HTML page instead of bencode. */
  | 'non-bencode'
  /** HTTP: 503 Service Unavailable. */
  | '5xx'
  /** HTTP: 404 Not Found. */
  | '404'
  /** A tracker error (HTTP: `failure reason`; UDP: action 3). */
  | 'failure'
  /** HTTP: a bencoded dictionary whose first entry lacks counts (the others are right). */
  | 'bad-entry'
  /** HTTP: 429 Too Many Requests with `Retry-After: 1`. */
  | '429'
  /** HTTP: 429 with a Retry-After of an hour. */
  | '429-long'
  /** HTTP: an endless chunked body (the client must cut it). */
  | 'huge'

export interface Request {
  action: 'connect' | 'scrape'
  /** 40-hex hashes asked (scrape only). */
  hashes: string[]
  /** Requests of this action received before this one. */
  n: number
}

export interface ScrapeNumbers {
  seeders: number
  leechers: number
  completed: number
}

export interface MisbehavingOptions {
  /** The numbers of known hashes; an unknown hash is left out over HTTP and zeros over UDP. */
  data?: (hash: string) => ScrapeNumbers | undefined
  behave: (r: Request) => Behaviour
}

export interface MisbehavingTracker {
  /** http://127.0.0.1:PORT/announce or udp://127.0.0.1:PORT */
  announce: string
  port: number
  /** Requests received, by action. */
  received: { connect: number; scrape: number }
  close(): Promise<void>
}

export function startMisbehavingTracker(
  transport: 'udp' | 'http',
  opts: MisbehavingOptions,
): Promise<MisbehavingTracker> {
  return transport === 'udp' ? startUdp(opts) : startHttp(opts)
}

/** A loopback port with nothing listening (connections to it are refused). */
export async function closedPort(transport: 'udp' | 'http'): Promise<number> {
  if (transport === 'udp') {
    const s = createSocket('udp4')
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()))
    const port = (s.address() as AddressInfo).port
    await new Promise<void>((r) => s.close(() => r()))
    return port
  }
  const server = createServer()
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  const port = (server.address() as AddressInfo).port
  await new Promise<void>((r) => server.close(() => r()))
  return port
}

/** Percent-decoding to raw bytes (query strings carry binary info hashes). */
function percentDecode(s: string): Buffer {
  const bytes: number[] = []
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '%' && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 1, i + 3))) {
      bytes.push(Number.parseInt(s.slice(i + 1, i + 3), 16))
      i += 2
    } else bytes.push(s.charCodeAt(i) === 0x2b ? 0x20 : s.charCodeAt(i) & 0xff)
  }
  return Buffer.from(bytes)
}

const u32 = (n: number) => {
  const b = Buffer.alloc(4)
  b.writeUInt32BE(n >>> 0)
  return b
}

async function startUdp(opts: MisbehavingOptions): Promise<MisbehavingTracker> {
  const socket = createSocket('udp4')
  const received = { connect: 0, scrape: 0 }
  const connectionId = randomBytes(8)
  socket.on('message', (msg, rinfo) => {
    if (msg.length < 16) return
    const action = msg.readUInt32BE(8)
    const tid = msg.readUInt32BE(12)
    const send = (buf: Buffer) => socket.send(buf, rinfo.port, rinfo.address)
    if (action === 0) {
      const behaviour = opts.behave({ action: 'connect', hashes: [], n: received.connect++ })
      if (behaviour === 'silent') return
      if (behaviour === 'failure')
        return send(Buffer.concat([u32(3), u32(tid), Buffer.from('connect refused by test')]))
      if (behaviour === 'wrong-tid') return send(Buffer.concat([u32(0), u32(tid + 1), connectionId]))
      if (behaviour === 'truncated') return send(Buffer.concat([u32(0), u32(tid), connectionId.subarray(0, 3)]))
      return send(Buffer.concat([u32(0), u32(tid), connectionId]))
    }
    if (action !== 2) return
    if (!msg.subarray(0, 8).equals(connectionId)) {
      return send(Buffer.concat([u32(3), u32(tid), Buffer.from('bad connection id')]))
    }
    const hashes: string[] = []
    for (let at = 16; at + 20 <= msg.length; at += 20) hashes.push(msg.subarray(at, at + 20).toString('hex'))
    const behaviour = opts.behave({ action: 'scrape', hashes, n: received.scrape++ })
    if (behaviour === 'silent') return
    if (behaviour === 'failure') return send(Buffer.concat([u32(3), u32(tid), Buffer.from('scrape refused by test')]))
    const entries = hashes.map((h) => {
      const d = opts.data?.(h) ?? { seeders: 0, leechers: 0, completed: 0 }
      return Buffer.concat([u32(d.seeders), u32(d.completed), u32(d.leechers)])
    })
    if (behaviour === 'short') entries.pop()
    if (behaviour === 'long') entries.push(Buffer.concat([u32(1), u32(2), u32(3)]))
    let reply = Buffer.concat([u32(2), u32(behaviour === 'wrong-tid' ? tid ^ 0x5a5a5a5a : tid), ...entries])
    if (behaviour === 'truncated') reply = reply.subarray(0, reply.length - 5)
    send(reply)
  })
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()))
  const port = (socket.address() as AddressInfo).port
  return {
    announce: `udp://127.0.0.1:${port}`,
    port,
    received,
    close: () => new Promise<void>((r) => socket.close(() => r())),
  }
}

async function startHttp(opts: MisbehavingOptions): Promise<MisbehavingTracker> {
  const received = { connect: 0, scrape: 0 }
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const [path, query = ''] = (req.url ?? '').split('?')
    if (path !== '/scrape') {
      res.statusCode = 404
      return res.end('not found')
    }
    const hashes = query
      .split('&')
      .filter((kv) => kv.startsWith('info_hash='))
      .map((kv) => percentDecode(kv.slice('info_hash='.length)).toString('hex'))
    const behaviour = opts.behave({ action: 'scrape', hashes, n: received.scrape++ })
    if (behaviour === 'silent') return // the client times out; close() ends the socket
    if (behaviour === '5xx') {
      res.statusCode = 503
      return res.end('overloaded')
    }
    if (behaviour === '404') {
      res.statusCode = 404
      return res.end('not found')
    }
    if (behaviour === '429' || behaviour === '429-long') {
      res.statusCode = 429
      res.setHeader('retry-after', behaviour === '429' ? '1' : '3600')
      return res.end('slow down')
    }
    if (behaviour === 'huge') {
      // 64 KiB chunks for as long as the client reads (it should stop at its size limit)
      const chunk = Buffer.alloc(64 * 1024, 'd')
      const pump = () => {
        while (!res.destroyed && res.write(chunk)) {}
        if (!res.destroyed) res.once('drain', pump)
      }
      res.on('close', () => res.removeAllListeners('drain'))
      return pump()
    }
    if (behaviour === 'non-bencode') {
      res.setHeader('content-type', 'text/html')
      return res.end('<html><body><h1>Cloudflare: checking your browser…</h1></body></html>')
    }
    if (behaviour === 'failure') return res.end(bencode.encode({ 'failure reason': 'scrape refused by test' }))
    const files = new Map<Uint8Array, unknown>()
    const known = hashes.filter((h) => opts.data?.(h))
    if (behaviour === 'short') known.pop()
    known.forEach((h, i) => {
      const d = opts.data?.(h) as ScrapeNumbers
      files.set(
        Buffer.from(h, 'hex'),
        behaviour === 'bad-entry' && i === 0
          ? { complete: 'many' }
          : { complete: d.seeders, incomplete: d.leechers, downloaded: d.completed },
      )
    })
    if (behaviour === 'long') files.set(randomBytes(20), { complete: 7, incomplete: 7, downloaded: 7 })
    const body = Buffer.from(bencode.encode({ files }))
    res.end(behaviour === 'truncated' ? body.subarray(0, Math.max(1, body.length - 7)) : body)
  }
  const server = createServer(handle)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  const port = (server.address() as AddressInfo).port
  return {
    announce: `http://127.0.0.1:${port}/announce`,
    port,
    received,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections()
        server.close(() => r())
      }),
  }
}
