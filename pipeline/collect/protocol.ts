/**
 * Pure parts of the scrapers: tracker URLs (BEP 48 scrape convention), info-hash encoding, and the
 * wire formats of BEP 15 (UDP) and BEP 48 (HTTP scrape, bencoded). No I/O here.
 */
import bencode from 'bencode'
import type { TrackerConfig } from '../config/schema.ts'

/** One scraped torrent. `completed` is null when the tracker does not send it. */
export interface ScrapeEntry {
  seeders: number
  leechers: number
  completed: number | null
}

/** An entry of a reply that could not be read: only that torrent is lost, not its batch. */
export interface BadEntry {
  error: string
}

/**
 * info hash (40 lowercase hex) → numbers, or why its entry was unreadable. A hash absent from the
 * map is "unknown" to the tracker.
 */
export type ScrapeReply = Map<string, ScrapeEntry | BadEntry>

export const isBadEntry = (e: ScrapeEntry | BadEntry): e is BadEntry => 'error' in e

/** The largest HTTP scrape reply read (64 hashes take a few KB): a longer one is cut and refused. */
export const MAX_SCRAPE_BYTES = 1024 * 1024

/**
 * Why a batch failed. `silent` is true when the tracker said nothing (timeout, refused, network
 * error): a tracker whose every batch fails silently "answered nothing at all".
 */
export class ScrapeError extends Error {
  constructor(
    message: string,
    readonly silent: boolean,
    /** Worth another attempt within the budget. */
    readonly retryable = true,
    /** The tracker's Retry-After (429), in ms. */
    readonly retryAfterMs?: number,
  ) {
    super(message)
    this.name = 'ScrapeError'
  }
}

// ---- URLs ----

/** The announce URL of a trackers.yaml entry: scheme://netloc + path (udp: path ignored). */
export function announceUrl(t: Pick<TrackerConfig, 'scheme' | 'netloc' | 'path'>): string {
  if (t.scheme === 'udp') return `udp://${t.netloc}`
  const path = t.path && !t.path.startsWith('/') ? `/${t.path}` : t.path
  return `${t.scheme}://${t.netloc}${path}`
}

/**
 * BEP 48: the scrape URL is the announce URL with the "announce" that starts its last path segment
 * replaced by "scrape" (query string kept; a trailing slash, `…/announce/`, kept too). undefined
 * when the tracker has no scrape convention.
 */
export function scrapeUrlFor(announce: string): string | undefined {
  const q = announce.indexOf('?')
  const path = q < 0 ? announce : announce.slice(0, q)
  const trailing = /[^/]\/$/.test(path) && !path.endsWith('://') ? '/' : ''
  const base = trailing ? path.slice(0, -1) : path
  const query = q < 0 ? '' : announce.slice(q)
  const slash = base.lastIndexOf('/')
  const schemeEnd = base.indexOf('://')
  if (slash < 0 || (schemeEnd >= 0 && slash < schemeEnd + 3)) return undefined
  const last = base.slice(slash + 1)
  if (!last.startsWith('announce')) return undefined
  return `${base.slice(0, slash + 1)}scrape${last.slice('announce'.length)}${trailing}${query}`
}

const UNRESERVED = /[A-Za-z0-9\-._~]/

/** A 40-hex info hash as the percent-encoded 20 raw bytes of a query string (unreserved bytes kept). */
export function encodeInfoHash(hex: string): string {
  let out = ''
  for (let i = 0; i < 40; i += 2) {
    const byte = Number.parseInt(hex.slice(i, i + 2), 16)
    const ch = String.fromCharCode(byte)
    out += byte < 0x80 && UNRESERVED.test(ch) ? ch : `%${hex.slice(i, i + 2).toUpperCase()}`
  }
  return out
}

/** Real trackers refuse longer request lines. */
export const MAX_HTTP_URL = 8192
/** Real trackers answer at most this many hashes per HTTP scrape. */
export const MAX_HTTP_BATCH = 64
/** Most hashes one UDP scrape packet carries (BEP 15: 74 × 20 bytes + 16 fits a 1500-byte MTU). */
export const MAX_UDP_BATCH = 74

/** The full HTTP scrape URL for these hashes. */
export function httpScrapeUrl(scrapeUrl: string, hashes: readonly string[]): string {
  const sep = scrapeUrl.includes('?') ? '&' : '?'
  return `${scrapeUrl}${sep}${hashes.map((h) => `info_hash=${encodeInfoHash(h)}`).join('&')}`
}

/** Hashes per HTTP scrape: ≤ batch_size, ≤ 64, and a request line that stays under 8 KiB. */
export function httpBatchSize(scrapeUrl: string, batchSize: number): number {
  const perHash = 'info_hash='.length + 60 + 1 // worst case: every byte percent-encoded
  const room = Math.floor((MAX_HTTP_URL - 64 - scrapeUrl.length) / perHash)
  return Math.max(1, Math.min(batchSize, MAX_HTTP_BATCH, room))
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

// ---- HTTP (bencoded reply) ----

const HEX40 = /^[0-9a-fA-F]{40}$/
const textDecoder = new TextDecoder()

/**
 * `bencode` decodes a dictionary key as UTF-8 text, or as hex when the bytes are not valid UTF-8.
 * Both forms map back to the 40-hex info hash here, and so do two forms seen in the wild: 40-char
 * hex keys, and the raw bytes written as a UTF-8-encoded latin1 string (the stock
 * bittorrent-tracker server does that).
 */
export function keyToInfoHash(key: string): string | undefined {
  if (HEX40.test(key)) return key.toLowerCase()
  const bytes = Buffer.from(key, 'utf8')
  if (bytes.length === 20) return bytes.toString('hex')
  if (key.length === 20 && /^[\u0000-\u00ff]+$/.test(key)) return Buffer.from(key, 'latin1').toString('hex')
  return undefined
}

const isDict = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v)
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0

/**
 * Parse a BEP 48 scrape body. Only the `asked` hashes are kept (extra keys are ignored); a hash
 * missing from `files` is unknown; an entry without valid counts is a BadEntry (that torrent only).
 * Throws ScrapeError on non-bencode bodies and a `failure reason`.
 */
export function parseHttpScrape(body: Uint8Array, asked: readonly string[]): ScrapeReply {
  let doc: unknown
  try {
    doc = bencode.decode(body)
  } catch (err) {
    throw new ScrapeError(`reply is not bencoded (${(err as Error).message}): ${preview(body)}`, false)
  }
  if (!isDict(doc)) throw new ScrapeError(`reply is not a bencoded dictionary: ${preview(body)}`, false)
  const failure = doc['failure reason']
  if (failure !== undefined) {
    const why = failure instanceof Uint8Array ? textDecoder.decode(failure) : String(failure)
    throw new ScrapeError(`tracker failure: ${why}`, false)
  }
  const files = doc.files
  if (!isDict(files)) throw new ScrapeError(`reply has no "files" dictionary: ${preview(body)}`, false)
  const wanted = new Set(asked)
  const out: ScrapeReply = new Map()
  for (const [key, value] of Object.entries(files)) {
    const hash = keyToInfoHash(key)
    if (!hash || !wanted.has(hash)) continue
    if (!isDict(value) || !isCount(value.complete) || !isCount(value.incomplete)) {
      out.set(hash, { error: `reply entry for ${hash} has no valid complete/incomplete counts` })
      continue
    }
    out.set(hash, {
      seeders: value.complete,
      leechers: value.incomplete,
      completed: isCount(value.downloaded) ? value.downloaded : null,
    })
  }
  return out
}

function preview(body: Uint8Array): string {
  const text = textDecoder.decode(body.subarray(0, 60)).replace(/[^\x20-\x7e]/g, '.')
  return JSON.stringify(body.length > 60 ? `${text}…` : text)
}

// ---- UDP (BEP 15) ----

export const UDP_PROTOCOL_ID = 0x41727101980n
export const ACTION_CONNECT = 0
export const ACTION_SCRAPE = 2
export const ACTION_ERROR = 3

export function udpConnectRequest(transactionId: number): Buffer {
  const buf = Buffer.alloc(16)
  buf.writeBigUInt64BE(UDP_PROTOCOL_ID, 0)
  buf.writeUInt32BE(ACTION_CONNECT, 8)
  buf.writeUInt32BE(transactionId, 12)
  return buf
}

export function udpScrapeRequest(connectionId: Buffer, transactionId: number, hashes: readonly string[]): Buffer {
  const buf = Buffer.alloc(16 + 20 * hashes.length)
  connectionId.copy(buf, 0, 0, 8)
  buf.writeUInt32BE(ACTION_SCRAPE, 8)
  buf.writeUInt32BE(transactionId, 12)
  hashes.forEach((h, i) => {
    buf.write(h, 16 + 20 * i, 20, 'hex')
  })
  return buf
}

/** The first 8 bytes of every UDP reply: action and transaction id (undefined when shorter). */
export function udpReplyHeader(msg: Buffer): { action: number; transactionId: number } | undefined {
  if (msg.length < 8) return undefined
  return { action: msg.readUInt32BE(0), transactionId: msg.readUInt32BE(4) }
}

/** A connect reply's connection id (8 bytes). */
export function parseUdpConnect(msg: Buffer): Buffer {
  if (msg.length < 16) throw new ScrapeError(`truncated connect reply (${msg.length} bytes, expected 16)`, false)
  return Buffer.from(msg.subarray(8, 16))
}

/**
 * A scrape reply: per asked hash, in order, seeders, completed, leechers. A reply with fewer
 * entries than asked (trackers cap how many fit a packet) gives the entries it has, for the first
 * hashes; extra entries, or the bytes of a cut one, are ignored. Throws when it has no entry at all.
 */
export function parseUdpScrape(msg: Buffer, asked: readonly string[]): Map<string, ScrapeEntry> {
  const n = Math.min(asked.length, Math.floor((msg.length - 8) / 12))
  if (n <= 0 && asked.length > 0) {
    throw new ScrapeError(`empty scrape reply: ${msg.length} bytes for ${asked.length} hashes`, false)
  }
  const out = new Map<string, ScrapeEntry>()
  asked.slice(0, n).forEach((h, i) => {
    const at = 8 + 12 * i
    out.set(h, {
      seeders: msg.readUInt32BE(at),
      completed: msg.readUInt32BE(at + 4),
      leechers: msg.readUInt32BE(at + 8),
    })
  })
  return out
}

/** The message of an error reply (action 3). */
export function parseUdpError(msg: Buffer): string {
  return msg.length > 8 ? textDecoder.decode(msg.subarray(8)).replace(/\0+$/, '') : '(no message)'
}
