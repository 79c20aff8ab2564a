/**
 * Types for the untyped packages the pipeline uses (no @types exist for them): bencode (collect,
 * ingest), parse-torrent and magnet-uri (ingest). Only what we call is declared.
 */
declare module 'bencode' {
  interface Bencode {
    /** Decode bencoded bytes: dictionaries → objects (binary keys that are not UTF-8 become hex), strings → Uint8Array. */
    decode(data: Uint8Array, encoding?: string): unknown
    encode(value: unknown): Uint8Array
  }
  const bencode: Bencode
  export default bencode
}

declare module 'parse-torrent' {
  export interface ParsedTorrent {
    infoHash: string
    name?: string
    announce: string[]
    urlList?: string[]
    /** Sum of the files' lengths (.torrent files only). */
    length?: number
    /** The metainfo's "creation date" (.torrent files only). */
    created?: Date
    private?: boolean
  }
  /** A magnet URI, a hex/base32 info hash, or the bytes of a .torrent file. Throws when invalid. */
  export default function parseTorrent(torrentId: string | Uint8Array): Promise<ParsedTorrent>
  export function toMagnetURI(parsed: { infoHash: string; name?: string; announce?: string[] }): string
}

declare module 'magnet-uri' {
  export interface MagnetData {
    /** 40 lowercase hex characters (hex and base32 btih are both decoded). */
    infoHash?: string
    infoHashV2?: string
    name?: string
    dn?: string
    announce: string[]
    urlList: string[]
  }
  export default function magnet(uri: string): MagnetData
  export function decode(uri: string): MagnetData
  export function encode(data: { infoHash?: string; name?: string; announce?: string[]; xt?: string }): string
}
