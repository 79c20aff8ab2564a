/** The pure parts of the scrapers: URLs, encodings, reply parsing. */
import bencode from 'bencode'
import { describe, expect, it } from 'vitest'
import {
  announceUrl,
  encodeInfoHash,
  httpBatchSize,
  httpScrapeUrl,
  keyToInfoHash,
  MAX_HTTP_URL,
  parseHttpScrape,
  parseUdpError,
  parseUdpScrape,
  ScrapeError,
  scrapeUrlFor,
  udpConnectRequest,
  udpScrapeRequest,
} from '../../pipeline/collect/protocol.ts'

const H1 = '0123456789abcdef0123456789abcdef01234567'
const H2 = 'ff00ee11dd22cc33bb44aa5599668877deadbeef'
const H3 = '4141414141414141414141414141414141414141' // "AAAA…": valid UTF-8 bytes

describe('scrape URLs (BEP 48 convention)', () => {
  it.each([
    ['http://t.example/announce', 'http://t.example/scrape'],
    ['http://t.example:6969/announce', 'http://t.example:6969/scrape'],
    ['http://t.example/x/announce', 'http://t.example/x/scrape'],
    ['http://t.example/announce.php', 'http://t.example/scrape.php'],
    ['http://t.example/announce?passkey=abc', 'http://t.example/scrape?passkey=abc'],
    ['https://t.example/abc123/announce', 'https://t.example/abc123/scrape'],
    ['https://t.example/announce/', 'https://t.example/scrape/'],
    ['https://t.example/abc123/announce/?passkey=x', 'https://t.example/abc123/scrape/?passkey=x'],
    ['http://t.example/a', undefined],
    ['http://t.example/announce/x', undefined],
    ['http://t.example/x%064announce', undefined],
    ['http://t.example', undefined],
    ['http://t.example/', undefined],
  ])('%s → %s', (announce, scrape) => {
    expect(scrapeUrlFor(announce)).toBe(scrape)
  })

  it('builds announce URLs from trackers.yaml entries', () => {
    expect(announceUrl({ scheme: 'udp', netloc: 't.example:1337', path: '/announce' })).toBe('udp://t.example:1337')
    expect(announceUrl({ scheme: 'http', netloc: 't.example:80', path: '/announce' })).toBe(
      'http://t.example:80/announce',
    )
    expect(announceUrl({ scheme: 'https', netloc: 't.example', path: 'announce' })).toBe('https://t.example/announce')
  })

  it('percent-encodes the raw bytes of info hashes, repeated info_hash parameters', () => {
    expect(encodeInfoHash(H3)).toBe('AAAAAAAAAAAAAAAAAAAA')
    expect(encodeInfoHash(H2)).toBe('%FF%00%EE%11%DD%22%CC3%BBD%AAU%99f%88w%DE%AD%BE%EF')
    expect(httpScrapeUrl('http://t/scrape', [H3, H3])).toBe(
      'http://t/scrape?info_hash=AAAAAAAAAAAAAAAAAAAA&info_hash=AAAAAAAAAAAAAAAAAAAA',
    )
    expect(httpScrapeUrl('http://t/scrape?pk=1', [H3])).toBe('http://t/scrape?pk=1&info_hash=AAAAAAAAAAAAAAAAAAAA')
  })

  it('caps HTTP batches at batch_size, 64, and a request line under 8 KiB', () => {
    expect(httpBatchSize('http://t/scrape', 50)).toBe(50)
    expect(httpBatchSize('http://t/scrape', 500)).toBe(64)
    const long = `http://t/scrape?passkey=${'x'.repeat(5000)}`
    const n = httpBatchSize(long, 64)
    expect(n).toBeLessThan(64)
    const worst = 'ff'.repeat(20)
    expect(httpScrapeUrl(long, Array(n).fill(worst)).length).toBeLessThanOrEqual(MAX_HTTP_URL)
  })
})

describe('HTTP scrape replies', () => {
  const body = (v: unknown) => bencode.encode(v)
  const files = (entries: [string, unknown][]) => new Map(entries.map(([h, v]) => [Buffer.from(h, 'hex'), v]))

  it('maps raw, hex and UTF-8-mangled keys back to info hashes', () => {
    expect(keyToInfoHash(Buffer.from(H3, 'hex').toString('utf8'))).toBe(H3)
    expect(keyToInfoHash(H2.toUpperCase())).toBe(H2)
    expect(keyToInfoHash(Buffer.from(H2, 'hex').toString('latin1'))).toBe(H2)
    expect(keyToInfoHash('short')).toBeUndefined()
  })

  it('reads counts of asked hashes; missing = unknown; unasked ignored; downloaded optional', () => {
    const reply = parseHttpScrape(
      body({
        files: files([
          [H1, { complete: 3, incomplete: 4, downloaded: 10 }],
          [H3, { complete: 0, incomplete: 1 }],
          [H2, { complete: 9, incomplete: 9, downloaded: 9 }],
        ]),
      }),
      [H1, H3, 'aa'.repeat(20)],
    )
    expect([...reply]).toEqual([
      [H1, { seeders: 3, leechers: 4, completed: 10 }],
      [H3, { seeders: 0, leechers: 1, completed: null }],
    ])
  })

  it('an entry with bad counts is unreadable on its own: the others are kept', () => {
    const reply = parseHttpScrape(
      body({
        files: files([
          [H1, { complete: -1, incomplete: 0 }],
          [H2, { complete: 2, incomplete: 3, downloaded: 4 }],
        ]),
      }),
      [H1, H2],
    )
    expect(reply.get(H1)).toEqual({ error: `reply entry for ${H1} has no valid complete/incomplete counts` })
    expect(reply.get(H2)).toEqual({ seeders: 2, leechers: 3, completed: 4 })
  })

  it('accepts hex keys (trackers that send them)', () => {
    const reply = parseHttpScrape(body({ files: { [H2]: { complete: 1, incomplete: 2, downloaded: 3 } } }), [H2])
    expect(reply.get(H2)).toEqual({ seeders: 1, leechers: 2, completed: 3 })
  })

  it.each([
    ['an HTML page', Buffer.from('<html>busy</html>'), /not bencoded/],
    ['a failure reason', body({ 'failure reason': 'unregistered torrent' }), /tracker failure: unregistered torrent/],
    ['no files', body({ flags: {} }), /no "files" dictionary/],
    ['a list', body([1, 2]), /not a bencoded dictionary/],
    ['a truncated body', body({ files: files([[H1, { complete: 1, incomplete: 0 }]]) }).subarray(0, 30), /bencoded/],
  ])('refuses %s', (_what, bytes, message) => {
    expect(() => parseHttpScrape(bytes, [H1])).toThrow(message)
    expect(() => parseHttpScrape(bytes, [H1])).toThrow(ScrapeError)
  })
})

describe('UDP packets (BEP 15)', () => {
  it('writes connect and scrape requests', () => {
    const c = udpConnectRequest(0xdeadbeef)
    expect(c.toString('hex')).toBe('0000041727101980' + '00000000' + 'deadbeef')
    const s = udpScrapeRequest(Buffer.from('0102030405060708', 'hex'), 7, [H1, H2])
    expect(s.length).toBe(16 + 40)
    expect(s.toString('hex')).toBe(`0102030405060708${'00000002'}${'00000007'}${H1}${H2}`)
  })

  const reply = (tid: number, entries: number[][]) => {
    const b = Buffer.alloc(8 + 12 * entries.length)
    b.writeUInt32BE(2, 0)
    b.writeUInt32BE(tid, 4)
    entries.forEach((e, i) => {
      e.forEach((v, j) => {
        b.writeUInt32BE(v, 8 + 12 * i + 4 * j)
      })
    })
    return b
  }

  it('reads seeders, completed, leechers in order', () => {
    const r = parseUdpScrape(
      reply(1, [
        [5, 6, 7],
        [0, 0, 0],
      ]),
      [H1, H2],
    )
    expect(r.get(H1)).toEqual({ seeders: 5, completed: 6, leechers: 7 })
    expect(r.get(H2)).toEqual({ seeders: 0, completed: 0, leechers: 0 })
  })

  it('short, long and cut replies: the complete entries of asked hashes are kept; none at all is refused', () => {
    expect([...parseUdpScrape(reply(1, [[1, 2, 3]]), [H1, H2]).keys()]).toEqual([H1])
    expect([
      ...parseUdpScrape(
        reply(1, [
          [1, 2, 3],
          [4, 5, 6],
        ]),
        [H1],
      ).entries(),
    ]).toEqual([[H1, { seeders: 1, completed: 2, leechers: 3 }]])
    expect([
      ...parseUdpScrape(
        reply(1, [
          [1, 2, 3],
          [4, 5, 6],
        ]).subarray(0, 25),
        [H1, H2],
      ).keys(),
    ]).toEqual([H1])
    expect(() => parseUdpScrape(reply(1, [[1, 2, 3]]).subarray(0, 15), [H1])).toThrow(/empty scrape reply/)
    expect(() => parseUdpScrape(reply(1, []), [H1])).toThrow(ScrapeError)
  })

  it('reads error messages', () => {
    const b = Buffer.concat([Buffer.from('0000000300000001', 'hex'), Buffer.from('Connection ID missmatch.\0')])
    expect(parseUdpError(b)).toBe('Connection ID missmatch.')
  })
})
