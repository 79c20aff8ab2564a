/** Types for bittorrent-tracker's Server (no @types exist): the loopback tracker of tests and the demo. */
declare module 'bittorrent-tracker/server' {
  import type { Socket } from 'node:dgram'
  import type { EventEmitter } from 'node:events'
  import type { Server as HttpServer } from 'node:http'

  export interface SwarmPeer {
    type: string
    complete: boolean
    peerId: string
    ip: string
    port: number
  }
  class Swarm {
    constructor(infoHash: string, server: Server)
    infoHash: string
    complete: number
    incomplete: number
    peers: { keys: string[]; peek(id: string): SwarmPeer | undefined }
    announce(params: Record<string, unknown>, cb?: (err: Error | null, res?: unknown) => void): void
    scrape(
      params: Record<string, unknown>,
      cb: (err: Error | null, res?: { complete: number; incomplete: number }) => void,
    ): void
  }
  export interface ServerOptions {
    interval?: number
    http?: boolean | object
    udp?: boolean | object
    ws?: boolean | object
    stats?: boolean
    peersCacheLength?: number
    peersCacheTtl?: number
    filter?: (infoHash: string, params: unknown, cb: (err?: Error | null) => void) => void
  }
  export default class Server extends EventEmitter {
    static Swarm: typeof Swarm
    constructor(opts?: ServerOptions)
    http: HttpServer | null
    udp4: Socket | null
    udp6: Socket | null
    torrents: Record<string, Swarm>
    intervalMs: number
    listening: boolean
    destroyed: boolean
    listen(
      port: number | { http?: number; udp?: number },
      host?: string | { http?: string; udp?: string; udp6?: string },
      cb?: () => void,
    ): void
    close(cb?: (err?: Error | null) => void): void
    createSwarm(infoHash: string, cb: (err: Error | null, swarm: Swarm) => void): void
    getSwarm(infoHash: string, cb: (err: Error | null, swarm: Swarm | undefined) => void): void
    _onScrape(params: { type: string; info_hash?: string[] }, cb: (err: Error | null, res?: unknown) => void): void
  }
}
