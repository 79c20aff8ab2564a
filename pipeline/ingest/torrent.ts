/**
 * Info hashes, magnets and .torrent files, read with parse-torrent / magnet-uri. Pure (no I/O).
 */
import magnet from 'magnet-uri'
import parseTorrent from 'parse-torrent'

/** What ingest needs from a magnet or a .torrent file. */
export interface TorrentMeta {
  /** 40 lowercase hex characters. */
  infoHash: string
  name?: string
  /** Announce URLs (announce-list flattened, or the magnet's tr), deduplicated. */
  announce: string[]
  /** Bytes (.torrent only). */
  size?: number
  /** Creation date, Unix seconds (.torrent only). */
  created?: number
}

const HEX40 = /^[0-9a-f]{40}$/

/** A v1 info hash as hex (any case) or base32 → 40 lowercase hex; anything else → undefined. */
export function normalizeHash(value: string): string | undefined {
  const v = value.trim()
  if (/^[0-9a-fA-F]{40}$/.test(v)) return v.toLowerCase()
  if (!/^[A-Za-z2-7]{32}$/.test(v)) return undefined
  const h = magnet(`magnet:?xt=urn:btih:${v.toUpperCase()}`).infoHash
  return h && HEX40.test(h) ? h : undefined
}

const dedupe = (urls: string[]): string[] => [...new Set(urls.map((u) => u.trim()).filter(Boolean))]

/** Read a magnet URI. Throws when it has no BitTorrent v1 info hash. */
export function parseMagnet(uri: string): TorrentMeta {
  let data: ReturnType<typeof magnet>
  try {
    data = magnet(uri)
  } catch (err) {
    throw new Error(`unreadable magnet: ${(err as Error).message}`)
  }
  const infoHash = data.infoHash && HEX40.test(data.infoHash) ? data.infoHash : undefined
  if (!infoHash) throw new Error('magnet without a BitTorrent v1 info hash (xt=urn:btih:…)')
  return { infoHash, name: data.name || undefined, announce: dedupe(data.announce ?? []) }
}

/**
 * Read downloaded bytes: a .torrent file (bencoded metainfo) or, as some indexers answer, a
 * magnet URI as plain text. Throws a short, readable error otherwise.
 */
export async function parseTorrentBytes(bytes: Uint8Array): Promise<TorrentMeta> {
  const head = new TextDecoder().decode(bytes.subarray(0, 16)).trimStart()
  if (head.startsWith('magnet:')) return parseMagnet(new TextDecoder().decode(bytes).trim())
  // parse-torrent takes 20 bytes as a raw info hash: a .torrent file is never that short.
  if (bytes.length <= 20 || bytes[0] !== 0x64 /* 'd' */) {
    throw new Error(`not a .torrent file (${bytes.length} bytes starting ${JSON.stringify(head.slice(0, 12))})`)
  }
  let t: Awaited<ReturnType<typeof parseTorrent>>
  try {
    t = await parseTorrent(bytes)
  } catch (err) {
    throw new Error(`invalid .torrent file: ${(err as Error).message}`)
  }
  if (!HEX40.test(t.infoHash)) throw new Error('invalid .torrent file: no info hash')
  return {
    infoHash: t.infoHash,
    name: t.name || undefined,
    announce: dedupe(t.announce ?? []),
    size: typeof t.length === 'number' && Number.isSafeInteger(t.length) ? t.length : undefined,
    created:
      t.created instanceof Date && !Number.isNaN(t.created.getTime())
        ? Math.floor(t.created.getTime() / 1000)
        : undefined,
  }
}
