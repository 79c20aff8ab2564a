/**
 * A real BitTorrent tracker on loopback for tests, the demo and the benchmarks: bittorrent-tracker's
 * `Server` with HTTP and UDP on 127.0.0.1, port 0 (each gets its own port), plus helpers to build
 * swarms through real announces so seeders / leechers / completed are known.
 *
 * Two small changes from the stock server, both to behave like real trackers (opentracker):
 * - `completed` (scrape "downloaded") counts `event=completed` announces; the stock server reports
 *   the current number of seeders instead.
 * - Real trackers' limits: at most 64 hashes answered per HTTP scrape and 74 per UDP scrape (the
 *   rest dropped), HTTP requests over 8 KiB refused with a 500, and hashes the tracker has never
 *   seen left out of HTTP scrape replies (UDP answers zeros: it cannot leave a hash out).
 * Each can be turned off in `startTracker` options. Counters (`tracker.counters`) let tests check
 * what scrapers sent.
 *
 *   const tracker = await startTracker()
 *   await tracker.buildSwarm(hash, { seeders: 3, leechers: 2, completed: 4 })   // real HTTP announces
 *   tracker.populate(hash, { seeders: 3, leechers: 2, completed: 4 })            // same state, in-process (fast)
 *   ... scrape tracker.httpAnnounce / tracker.udpAnnounce ...
 *   await tracker.close()
 */
import { randomBytes, randomInt } from 'node:crypto'
import { createSocket, type Socket } from 'node:dgram'
import type { AddressInfo } from 'node:net'
import bencode from 'bencode'
import Server from 'bittorrent-tracker/server'
import pLimit from 'p-limit'

export interface SwarmShape {
  seeders: number
  leechers: number
  /** Downloads: peers that announced `event=completed` (may exceed seeders: some left since). */
  completed: number
}

export interface TrackerOptions {
  /** Count `event=completed` announces as "downloaded" (default true). */
  trueCompleted?: boolean
  /** Most hashes answered per HTTP scrape (default 64; 0 = no limit). */
  maxHttpHashes?: number
  /** Most hashes answered per UDP scrape (default 74; 0 = no limit). */
  maxUdpHashes?: number
  /** Longest HTTP request line accepted (default 8192; 0 = no limit). */
  maxUrlBytes?: number
  /** Leave hashes without a swarm out of HTTP scrape replies (default true). */
  omitUnknownOverHttp?: boolean
  /** Peers kept per swarm (default 100 000: large swarms for benchmarks). */
  peersPerSwarm?: number
  /** A peer that has not announced for this long is dropped (ms; default 20 min like the stock server). */
  peerTtlMs?: number
}

export interface AnnounceParams {
  /** 40 hex. */
  infoHash: string
  /** 40 hex (20 bytes); random when absent. */
  peerId?: string
  /** The peer's port: peers are told apart by ip:port, so distinct peers need distinct ports. */
  port: number
  left: number
  event?: 'started' | 'completed' | 'stopped' | 'update'
}

export interface AnnounceReply {
  complete: number
  incomplete: number
}

export interface TrackerCounters {
  httpScrapes: number
  udpScrapes: number
  /** Most hashes asked in one HTTP / UDP scrape. */
  maxHttpAsked: number
  maxUdpAsked: number
  httpConnections: number
  httpAnnounces: number
  udpAnnounces: number
  refusedLongUrls: number
}

export interface LoopbackTracker {
  server: Server
  httpPort: number
  udpPort: number
  /** http://127.0.0.1:PORT/announce */
  httpAnnounce: string
  /** udp://127.0.0.1:PORT */
  udpAnnounce: string
  counters: TrackerCounters
  /** One real announce over HTTP (default) or UDP. */
  announce(p: AnnounceParams, transport?: 'http' | 'udp'): Promise<AnnounceReply>
  /** Build a swarm with real announces from distinct peers; resolves when the tracker holds it. */
  buildSwarm(infoHash: string, shape: SwarmShape, transport?: 'http' | 'udp'): Promise<void>
  /** Many swarms by real announces, `concurrency` announces in flight. */
  buildSwarms(
    swarms: Iterable<[string, SwarmShape]>,
    opts?: { transport?: 'http' | 'udp'; concurrency?: number },
  ): Promise<void>
  /**
   * The same swarm state in-process, without the network: drives the server's own Swarm objects
   * with the announces `buildSwarm` would send (fast: ~1M announces/s; for benchmarks and the demo).
   */
  populate(infoHash: string, shape: SwarmShape): void
  /** What a scrape should answer now (zeros for an unknown hash). */
  expected(infoHash: string): SwarmShape
  close(): Promise<void>
}

const Swarm = Server.Swarm

class CountingSwarm extends Swarm {
  downloaded = 0
  _onAnnounceCompleted(params: Record<string, unknown>, peer: { complete: boolean } | undefined, id: string): void {
    if (!peer?.complete)
      this.downloaded++
      // biome-ignore lint/suspicious/noExplicitAny: calling the untyped base implementation
    ;(Swarm.prototype as any)._onAnnounceCompleted.call(this, params, peer, id)
  }
}

interface ScrapeFile {
  complete: number
  incomplete: number
  downloaded: number
}

class LoopbackServer extends Server {
  constructor(
    readonly opts: Required<TrackerOptions>,
    readonly counters: TrackerCounters,
  ) {
    super({
      ws: false,
      stats: false,
      peersCacheLength: opts.peersPerSwarm,
      peersCacheTtl: opts.peerTtlMs,
      interval: 30 * 60 * 1000,
    })
  }

  override createSwarm(infoHash: string, cb: (err: Error | null, swarm: CountingSwarm) => void): void {
    const swarm = new CountingSwarm(infoHash, this)
    this.torrents[infoHash] = swarm
    process.nextTick(() => cb(null, swarm))
  }

  /** The stock _onScrape, with the limits and counting of real trackers. */
  override _onScrape(params: { type: string; info_hash?: string[] }, cb: (err: Error | null, res?: unknown) => void) {
    const asked = params.info_hash ?? Object.keys(this.torrents)
    const http = params.type === 'http'
    if (http) {
      this.counters.httpScrapes++
      this.counters.maxHttpAsked = Math.max(this.counters.maxHttpAsked, asked.length)
    } else {
      this.counters.udpScrapes++
      this.counters.maxUdpAsked = Math.max(this.counters.maxUdpAsked, asked.length)
    }
    const max = http ? this.opts.maxHttpHashes : this.opts.maxUdpHashes
    const answered = max > 0 ? asked.slice(0, max) : asked
    // HTTP: a Map with the raw 20-byte keys real trackers send (the stock server's string keys come
    // out UTF-8-encoded, i.e. mangled); UDP: the object keyed by hex that the stock packet writer reads.
    const httpFiles = new Map<Uint8Array, ScrapeFile>()
    const udpFiles: Record<string, ScrapeFile> = {}
    for (const hex of answered) {
      const swarm = this.torrents[hex] as CountingSwarm | undefined
      if (!swarm && http && this.opts.omitUnknownOverHttp) continue
      const file = {
        complete: swarm?.complete ?? 0,
        incomplete: swarm?.incomplete ?? 0,
        downloaded: swarm ? (this.opts.trueCompleted ? swarm.downloaded : swarm.complete) : 0,
      }
      if (http) httpFiles.set(Buffer.from(hex, 'hex'), file)
      else udpFiles[hex] = file
    }
    const files = http ? httpFiles : udpFiles
    process.nextTick(() =>
      cb(null, { action: 2, files, flags: { min_request_interval: Math.ceil(this.intervalMs / 1000) } }),
    )
  }
}

const randomPeerId = () => randomBytes(20).toString('hex')

function percentBytes(hex: string): string {
  return hex.replace(/../g, (b) => `%${b}`)
}

/**
 * The announces that give a swarm its shape, in order (same for HTTP, UDP and in-process). Peers
 * get ports firstPort, firstPort+1…: the tracker tells peers apart by ip:port.
 */
export function swarmAnnounces(infoHash: string, shape: SwarmShape, firstPort = 10_000): AnnounceParams[][] {
  const steps: AnnounceParams[][] = [[], [], []]
  let port = firstPort
  const downloaders = shape.completed
  // downloaders: start as leechers, then complete; those beyond `seeders` leave afterwards
  for (let i = 0; i < downloaders; i++) {
    const p = { infoHash, peerId: randomPeerId(), port: port++ }
    steps[0]?.push({ ...p, left: 1000, event: 'started' })
    steps[1]?.push({ ...p, left: 0, event: 'completed' })
    if (i >= shape.seeders) steps[2]?.push({ ...p, left: 0, event: 'stopped' })
  }
  for (let i = downloaders; i < shape.seeders; i++) {
    steps[0]?.push({ infoHash, peerId: randomPeerId(), port: port++, left: 0, event: 'started' })
  }
  for (let i = 0; i < shape.leechers; i++) {
    steps[0]?.push({ infoHash, peerId: randomPeerId(), port: port++, left: 5000, event: 'started' })
  }
  return steps.filter((s) => s.length > 0)
}

export async function startTracker(options: TrackerOptions = {}): Promise<LoopbackTracker> {
  const opts: Required<TrackerOptions> = {
    trueCompleted: options.trueCompleted ?? true,
    maxHttpHashes: options.maxHttpHashes ?? 64,
    maxUdpHashes: options.maxUdpHashes ?? 74,
    maxUrlBytes: options.maxUrlBytes ?? 8192,
    omitUnknownOverHttp: options.omitUnknownOverHttp ?? true,
    peersPerSwarm: options.peersPerSwarm ?? 100_000,
    peerTtlMs: options.peerTtlMs ?? 20 * 60 * 1000,
  }
  const counters: TrackerCounters = {
    httpScrapes: 0,
    udpScrapes: 0,
    maxHttpAsked: 0,
    maxUdpAsked: 0,
    httpConnections: 0,
    httpAnnounces: 0,
    udpAnnounces: 0,
    refusedLongUrls: 0,
  }
  const server = new LoopbackServer(opts, counters)
  const http = server.http
  if (!http || !server.udp4) throw new Error('bittorrent-tracker Server started without HTTP or UDP')
  // Runs before the server's own handler (added on the next tick); a sent reply makes it skip.
  http.on('request', (req, res) => {
    if (opts.maxUrlBytes > 0 && (req.url?.length ?? 0) > opts.maxUrlBytes) {
      counters.refusedLongUrls++
      res.statusCode = 500
      res.end('request too long')
      return
    }
    if (req.url?.startsWith('/announce')) counters.httpAnnounces++
  })
  http.on('connection', () => {
    counters.httpConnections++
  })
  server.on('warning', () => {}) // bad client input is the test's business, not a crash
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, { http: '127.0.0.1', udp: '127.0.0.1', udp6: '::1' }, () => {
      server.off('error', reject)
      resolve()
    })
  })
  server.on('error', () => {})
  const httpPort = (http.address() as AddressInfo).port
  const udpPort = (server.udp4.address() as AddressInfo).port
  const httpAnnounce = `http://127.0.0.1:${httpPort}/announce`
  /** Next free peer port per swarm, so that adding to a swarm adds new peers. */
  const nextPort = new Map<string, number>()
  const portsFor = (infoHash: string, shape: SwarmShape): number => {
    const first = nextPort.get(infoHash) ?? 10_000
    const used = Math.max(shape.completed, shape.seeders) + shape.leechers
    if (first + used > 65_535) throw new RangeError(`swarm ${infoHash}: more than 55 535 peers`)
    nextPort.set(infoHash, first + used)
    return first
  }
  const udpAnnounce = `udp://127.0.0.1:${udpPort}`

  // ---- HTTP announce ----
  async function httpAnnounceOnce(p: AnnounceParams): Promise<AnnounceReply> {
    const q = [
      `info_hash=${percentBytes(p.infoHash)}`,
      `peer_id=${percentBytes(p.peerId ?? randomPeerId())}`,
      `port=${p.port}`,
      `uploaded=0`,
      `downloaded=0`,
      `left=${p.left}`,
      `compact=1`,
      `numwant=0`,
      ...(p.event ? [`event=${p.event}`] : []),
    ].join('&')
    const res = await fetch(`${httpAnnounce}?${q}`, { signal: AbortSignal.timeout(10_000) })
    const body = bencode.decode(new Uint8Array(await res.arrayBuffer())) as Record<string, unknown>
    if (body['failure reason']) {
      throw new Error(`announce failed: ${new TextDecoder().decode(body['failure reason'] as Uint8Array)}`)
    }
    return { complete: Number(body.complete ?? 0), incomplete: Number(body.incomplete ?? 0) }
  }

  // ---- UDP announce (BEP 15), one client socket shared by all announces ----
  let udpClient: Promise<Socket> | undefined
  const udpWaiting = new Map<number, (msg: Buffer) => void>()
  let udpConnId: Buffer | undefined
  function openUdp(): Promise<Socket> {
    udpClient ??= new Promise((resolve, reject) => {
      const s = createSocket('udp4')
      s.on('message', (msg) => {
        if (msg.length < 8) return
        const w = udpWaiting.get(msg.readUInt32BE(4))
        if (w) {
          udpWaiting.delete(msg.readUInt32BE(4))
          w(msg)
        }
      })
      s.once('error', reject)
      s.connect(udpPort, '127.0.0.1', () => resolve(s))
    })
    return udpClient
  }
  async function udpRequest(packet: (tid: number) => Buffer): Promise<Buffer> {
    const s = await openUdp()
    for (let attempt = 0; attempt < 5; attempt++) {
      let tid = randomInt(0, 2 ** 32)
      while (udpWaiting.has(tid)) tid = randomInt(0, 2 ** 32)
      const reply = new Promise<Buffer | undefined>((resolve) => {
        const timer = setTimeout(() => {
          udpWaiting.delete(tid)
          resolve(undefined)
        }, 2000)
        udpWaiting.set(tid, (msg) => {
          clearTimeout(timer)
          resolve(msg)
        })
      })
      s.send(packet(tid))
      const msg = await reply
      if (msg) return msg
    }
    throw new Error(`loopback tracker: no UDP reply from ${udpAnnounce}`)
  }
  async function udpAnnounceOnce(p: AnnounceParams): Promise<AnnounceReply> {
    if (!udpConnId) {
      const msg = await udpRequest((tid) => {
        const b = Buffer.alloc(16)
        b.writeBigUInt64BE(0x41727101980n, 0)
        b.writeUInt32BE(0, 8)
        b.writeUInt32BE(tid, 12)
        return b
      })
      udpConnId = Buffer.from(msg.subarray(8, 16))
    }
    const conn = udpConnId
    const events = { update: 0, completed: 1, started: 2, stopped: 3 }
    const msg = await udpRequest((tid) => {
      const b = Buffer.alloc(98)
      conn.copy(b, 0)
      b.writeUInt32BE(1, 8)
      b.writeUInt32BE(tid, 12)
      b.write(p.infoHash, 16, 20, 'hex')
      b.write(p.peerId ?? randomPeerId(), 36, 20, 'hex')
      b.writeBigUInt64BE(0n, 56)
      b.writeBigUInt64BE(BigInt(p.left), 64)
      b.writeBigUInt64BE(0n, 72)
      b.writeUInt32BE(events[p.event ?? 'update'], 80)
      b.writeUInt32BE(0, 84) // ip: the sender's
      b.writeUInt32BE(0, 88)
      b.writeInt32BE(0, 92) // numwant 0 → server default; fine
      b.writeUInt16BE(p.port, 96)
      return b
    })
    if (msg.readUInt32BE(0) === 3) throw new Error(`announce failed: ${msg.subarray(8).toString()}`)
    return { incomplete: msg.readUInt32BE(12), complete: msg.readUInt32BE(16) }
  }

  const tracker: LoopbackTracker = {
    server,
    httpPort,
    udpPort,
    httpAnnounce,
    udpAnnounce,
    counters,
    announce(p, transport = 'http') {
      if (transport === 'udp') {
        counters.udpAnnounces++
        return udpAnnounceOnce(p)
      }
      return httpAnnounceOnce(p)
    },
    async buildSwarm(infoHash, shape, transport = 'http') {
      for (const step of swarmAnnounces(infoHash, shape, portsFor(infoHash, shape))) {
        await Promise.all(step.map((p) => tracker.announce(p, transport)))
      }
    },
    async buildSwarms(swarms, o = {}) {
      const limit = pLimit(o.concurrency ?? 16)
      await Promise.all([...swarms].map(([h, shape]) => limit(() => tracker.buildSwarm(h, shape, o.transport))))
    },
    populate(infoHash, shape) {
      let swarm = server.torrents[infoHash] as CountingSwarm | undefined
      if (!swarm) {
        swarm = new CountingSwarm(infoHash, server)
        server.torrents[infoHash] = swarm
      }
      const s = swarm
      for (const step of swarmAnnounces(infoHash, shape, portsFor(infoHash, shape))) {
        for (const p of step) {
          s.announce(
            {
              type: 'udp',
              event: p.event ?? 'update',
              info_hash: infoHash,
              peer_id: p.peerId,
              ip: '10.0.0.1',
              port: p.port,
              addr: `10.0.0.1:${p.port}`,
              left: p.left,
              numwant: 0,
              compact: 1,
            },
            () => {},
          )
        }
      }
    },
    expected(infoHash) {
      const swarm = server.torrents[infoHash] as CountingSwarm | undefined
      if (!swarm) return { seeders: 0, leechers: 0, completed: 0 }
      return {
        seeders: swarm.complete,
        leechers: swarm.incomplete,
        completed: opts.trueCompleted ? swarm.downloaded : swarm.complete,
      }
    },
    async close() {
      const s = await udpClient?.catch(() => undefined)
      s?.close()
      http.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
  return tracker
}

/** A random 40-hex info hash. */
export const randomInfoHash = (): string => randomBytes(20).toString('hex')
