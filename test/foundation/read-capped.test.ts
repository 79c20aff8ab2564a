import { describe, expect, it } from 'vitest'
import { readCapped } from '../../pipeline/core/http.ts'

/** A chunked body (no Content-Length): `n` chunks of `size` bytes, counting how many were pulled. */
function chunked(n: number, size: number) {
  let pulled = 0
  const body = new ReadableStream<Uint8Array>({
    pull(c) {
      if (pulled === n) return c.close()
      pulled++
      c.enqueue(new Uint8Array(size).fill(pulled))
    },
  })
  return { res: new Response(body), pulled: () => pulled }
}

describe('readCapped', () => {
  it('reads a body up to the cap, in order', async () => {
    const { res } = chunked(3, 4)
    expect([...(await readCapped(res, 12, 'x'))]).toEqual([1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3])
  })
  it('refuses a chunked body past the cap without downloading the rest', async () => {
    const { res, pulled } = chunked(1000, 1024)
    await expect(readCapped(res, 10 * 1024, 'the .torrent file')).rejects.toThrow(
      'the .torrent file is larger than the 10240 bytes accepted (cut there)',
    )
    expect(pulled()).toBeLessThan(20)
  })
})
