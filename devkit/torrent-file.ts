/**
 * Build real .torrent files (bencoded metainfo, true SHA-1 info hash) and magnets for tests, the
 * benchmark and the demo. Deterministic: the same spec gives the same bytes and hash.
 */
import { createHash } from 'node:crypto'
import bencode from 'bencode'
import { encode as encodeMagnet } from 'magnet-uri'

export interface TorrentSpec {
  /** The torrent's name (info.name). */
  name: string
  /** Announce URLs: a flat list (one tier each) or tiers. The first becomes `announce`. */
  announce?: string[] | string[][]
  /** Total size in bytes (a single file unless `files` is given). Default 1 MiB. */
  length?: number
  /** Multi-file torrent: paths relative to the name, with lengths. */
  files?: { path: string; length: number }[]
  /** Unix seconds. */
  creationDate?: number
  private?: boolean
  comment?: string
  /** Varies the pieces (so equal specs can still give distinct hashes). */
  salt?: string
}

export interface BuiltTorrent {
  /** The .torrent file. */
  bytes: Uint8Array
  /** 40 lowercase hex. */
  infoHash: string
  name: string
  length: number
  announce: string[]
}

/** Smallest power-of-two piece length ≥ 256 KiB keeping the pieces string under ~2,000 pieces. */
function pieceLengthFor(total: number): number {
  let p = 256 * 1024
  while (Math.ceil(total / p) > 2000) p *= 2
  return p
}

export function makeTorrent(spec: TorrentSpec): BuiltTorrent {
  const files = spec.files
  const length = files ? files.reduce((s, f) => s + f.length, 0) : (spec.length ?? 1024 * 1024)
  const pieceLength = pieceLengthFor(length)
  const nPieces = Math.max(1, Math.ceil(length / pieceLength))
  const pieces = new Uint8Array(nPieces * 20)
  const seed = createHash('sha1')
    .update(`${spec.name}\0${spec.salt ?? ''}\0${length}`)
    .digest()
  for (let i = 0; i < nPieces; i++) {
    pieces.set(i === 0 ? seed : createHash('sha1').update(seed).update(String(i)).digest(), i * 20)
  }
  const info: Record<string, unknown> = { name: spec.name, 'piece length': pieceLength, pieces }
  if (files) info.files = files.map((f) => ({ length: f.length, path: f.path.split('/') }))
  else info.length = length
  if (spec.private) info.private = 1
  const infoHash = createHash('sha1').update(bencode.encode(info)).digest('hex')

  const tiers: string[][] = (spec.announce ?? []).map((t) => (Array.isArray(t) ? t : [t])).filter((t) => t.length)
  const meta: Record<string, unknown> = { info }
  if (tiers[0]?.[0]) meta.announce = tiers[0][0]
  if (tiers.length) meta['announce-list'] = tiers
  if (spec.creationDate !== undefined) meta['creation date'] = spec.creationDate
  if (spec.comment) meta.comment = spec.comment
  meta['created by'] = 'mediastrends test'
  return { bytes: bencode.encode(meta), infoHash, name: spec.name, length, announce: tiers.flat() }
}

/** A magnet URI (hex btih unless `base32`), with `tr` for each tracker and `dn` when a name is given. */
export function makeMagnet(
  infoHash: string,
  opts: { name?: string; trackers?: string[]; base32?: boolean } = {},
): string {
  const xt = `urn:btih:${opts.base32 ? hexToBase32(infoHash) : infoHash}`
  return encodeMagnet({ xt, name: opts.name, announce: opts.trackers ?? [] })
}

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'

/** 40 hex characters → the 32-character RFC 4648 base32 form used in old magnets. */
export function hexToBase32(hex: string): string {
  let bits = ''
  for (const c of hex) bits += Number.parseInt(c, 16).toString(2).padStart(4, '0')
  let out = ''
  for (let i = 0; i < bits.length; i += 5) out += B32[Number.parseInt(bits.slice(i, i + 5).padEnd(5, '0'), 2)]
  return out
}

/** A deterministic fake info hash (40 hex) from any text. */
export function fakeHash(text: string): string {
  return createHash('sha1').update(text).digest('hex')
}
