import { createHash } from 'node:crypto'
import bencode from 'bencode'
import { describe, expect, it } from 'vitest'
import { hexToBase32, makeMagnet, makeTorrent } from '../../devkit/torrent-file.ts'
import { normalizeHash, parseMagnet, parseTorrentBytes } from '../../pipeline/ingest/torrent.ts'
import { trackerKey, trackerMatcher } from '../../pipeline/ingest/trackers.ts'

describe('info hashes', () => {
  it('accepts hex in any case and base32; rejects the rest', () => {
    expect(normalizeHash('A3F1C2D4E5B6978812AB34CD56EF7890A1B2C3D4')).toBe('a3f1c2d4e5b6978812ab34cd56ef7890a1b2c3d4')
    // base32 decoded independently (Python base64.b32decode)
    expect(normalizeHash('UOXUI3U5K3ZQ2SV4YIFXWOGZ3BTFR2MM')).toBe('a3af446e9d56f30d4abcc20b7b38d9d86658e98c')
    expect(normalizeHash('uoxui3u5k3zq2sv4yifxwogz3btfr2mm')).toBe('a3af446e9d56f30d4abcc20b7b38d9d86658e98c')
    expect(hexToBase32('a3af446e9d56f30d4abcc20b7b38d9d86658e98c')).toBe('UOXUI3U5K3ZQ2SV4YIFXWOGZ3BTFR2MM')
    expect(normalizeHash('a3f1c2')).toBeUndefined()
    expect(normalizeHash('g3f1c2d4e5b6978812ab34cd56ef7890a1b2c3d4')).toBeUndefined()
    expect(normalizeHash('')).toBeUndefined()
  })
})

describe('magnets', () => {
  const hash = 'a3f1c2d4e5b6978812ab34cd56ef7890a1b2c3d4'
  it('reads hash, name and every tr', () => {
    const m = parseMagnet(
      makeMagnet(hash, {
        name: 'Some Name',
        trackers: ['udp://open.example:6969/announce', 'http://t.example/a?pk=1'],
      }),
    )
    expect(m).toEqual({
      infoHash: hash,
      name: 'Some Name',
      announce: ['udp://open.example:6969/announce', 'http://t.example/a?pk=1'],
    })
  })
  it('reads a base32 btih', () => {
    expect(parseMagnet(makeMagnet(hash, { base32: true })).infoHash).toBe(hash)
  })
  it('a magnet without tr has no trackers; without btih it throws', () => {
    expect(parseMagnet(`magnet:?xt=urn:btih:${hash}`).announce).toEqual([])
    expect(() => parseMagnet('magnet:?dn=nothing')).toThrow(/info hash/)
    expect(() => parseMagnet('magnet:?xt=urn:btih:1234')).toThrow(/info hash/)
  })
})

describe('.torrent files', () => {
  it('reads a single-file torrent built with real bencoding', async () => {
    const t = makeTorrent({
      name: 'Movie.2026.1080p.mkv',
      length: 5_000_000_000,
      announce: [['http://tracker.example:8080/announce'], ['udp://open.example:6969/announce']],
      creationDate: 1_790_000_000,
    })
    // the hash is the SHA-1 of the bencoded info dictionary, computed independently here
    const decoded = bencode.decode(t.bytes) as { info: unknown }
    expect(createHash('sha1').update(bencode.encode(decoded.info)).digest('hex')).toBe(t.infoHash)
    const m = await parseTorrentBytes(t.bytes)
    expect(m).toEqual({
      infoHash: t.infoHash,
      name: 'Movie.2026.1080p.mkv',
      announce: ['http://tracker.example:8080/announce', 'udp://open.example:6969/announce'],
      size: 5_000_000_000,
      created: 1_790_000_000,
    })
  })
  it('reads a multi-file torrent size', async () => {
    const t = makeTorrent({
      name: 'Show.S01',
      files: [
        { path: 'e01.mkv', length: 1000 },
        { path: 'sub/e02.mkv', length: 2345 },
      ],
      announce: ['http://t.example/a'],
    })
    expect((await parseTorrentBytes(t.bytes)).size).toBe(3345)
  })
  it('rejects bytes that are not bencoded metainfo', async () => {
    await expect(parseTorrentBytes(new TextEncoder().encode('<html>login</html>'))).rejects.toThrow(/not a .torrent/)
    await expect(parseTorrentBytes(new TextEncoder().encode('d4:infoi3e'))).rejects.toThrow(/not a .torrent|invalid/)
    await expect(parseTorrentBytes(new TextEncoder().encode('d8:announce3:abc4:infod4:name1:xee'))).rejects.toThrow(
      /invalid .torrent file/,
    )
    await expect(parseTorrentBytes(new TextEncoder().encode('d3:fooli1e'.repeat(4)))).rejects.toThrow(/invalid/)
  })
  it('accepts a magnet sent as a text body', async () => {
    const hash = 'a3f1c2d4e5b6978812ab34cd56ef7890a1b2c3d4'
    const m = await parseTorrentBytes(
      new TextEncoder().encode(`${makeMagnet(hash, { trackers: ['udp://x.example:1/a'] })}\n`),
    )
    expect(m.infoHash).toBe(hash)
    expect(m.announce).toEqual(['udp://x.example:1/a'])
  })
})

describe('tracker matching', () => {
  const trackers = {
    ygg: {
      name: 'ygg',
      active: true,
      scheme: 'http' as const,
      netloc: 'tracker.p2p-world.example:8080',
      path: '/announce',
    },
    open: { name: 'open', active: true, scheme: 'udp' as const, netloc: 'Open.Example:6969', path: '' },
    web: { name: 'web', active: true, scheme: 'https' as const, netloc: 'secure.example', path: '/announce' },
    old: { name: 'old', active: false, scheme: 'udp' as const, netloc: 'old.example:1337', path: '' },
  }
  const m = trackerMatcher(trackers)
  it('matches scheme + host:port whatever the path or passkey', () => {
    expect(m.match(['http://tracker.p2p-world.example:8080/abcdef0123/announce']).map((t) => t.name)).toEqual(['ygg'])
    expect(m.match(['udp://open.example:6969']).map((t) => t.name)).toEqual(['open'])
    expect(m.match(['https://SECURE.example:443/a?passkey=1']).map((t) => t.name)).toEqual(['web'])
  })
  it('does not match another scheme, port, or an inactive tracker', () => {
    expect(m.match(['udp://tracker.p2p-world.example:8080/announce'])).toEqual([])
    expect(m.match(['http://tracker.p2p-world.example:8081/announce'])).toEqual([])
    expect(m.match(['https://secure.example:8443/announce'])).toEqual([])
    expect(m.match(['udp://old.example:1337'])).toEqual([])
    expect(m.match(['not a url', 'wss://tracker.example'])).toEqual([])
  })
  it('links every matching tracker once, in config order', () => {
    expect(
      m
        .match(['udp://open.example:6969/a', 'http://tracker.p2p-world.example:8080/x', 'udp://open.example:6969/b'])
        .map((t) => t.name),
    ).toEqual(['ygg', 'open'])
  })
  it('fills default ports', () => {
    expect(trackerKey('http://a.example/announce')).toBe('http://a.example:80')
    expect(trackerKey('https://a.example/announce')).toBe('https://a.example:443')
    expect(trackerKey('udp://[::1]:6969/announce')).toBe('udp://[::1]:6969')
  })
})
