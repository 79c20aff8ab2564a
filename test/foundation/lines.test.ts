import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterEach, describe, expect, it } from 'vitest'
import { readLineBatches, readLines } from '../../pipeline/core/lines.ts'

let dir = ''
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true })
  dir = ''
})
const file = (name: string, bytes: Buffer | string) => {
  dir ||= mkdtempSync(join(tmpdir(), 'lines-'))
  const f = join(dir, name)
  writeFileSync(f, bytes)
  return f
}
const all = async (f: string) => {
  const out: string[] = []
  for await (const l of readLines(f)) out.push(l)
  return out
}

describe('readLines / readLineBatches', () => {
  it('keeps characters that straddle two reads, drops \\r\\n and \\n, and keeps a last line without one', async () => {
    // 200,000 lines of multi-byte text: far more than one 64 KiB read, so characters are cut between reads.
    const lines = Array.from({ length: 200_000 }, (_, i) => `é${i}€ 𝄞 "Amélie"`)
    const text = `${lines.slice(0, 100_000).join('\r\n')}\r\n${lines.slice(100_000).join('\n')}`
    for (const f of [file('a.txt', text), file('a.txt.gz', gzipSync(text))]) {
      const got = await all(f)
      expect(got.length).toBe(lines.length)
      expect(got).toEqual(lines)
      let batches = 0
      for await (const b of readLineBatches(f)) batches += b.length > 0 ? 1 : 0
      expect(batches).toBeGreaterThan(1) // in batches, not one line per step nor all at once
    }
  })

  it('reads every gzip member, and names the file when one is cut short, after the lines before it', async () => {
    const a = gzipSync('one\ntwo\n')
    const b = gzipSync('three\nfour\n')
    expect(await all(file('m.gz', Buffer.concat([a, b])))).toEqual(['one', 'two', 'three', 'four'])
    const cut = file('cut.gz', Buffer.concat([a, b.subarray(0, b.length - 6)]))
    const seen: string[] = []
    await expect(
      (async () => {
        for await (const l of readLines(cut)) seen.push(l)
      })(),
    ).rejects.toThrow(`${cut}: cannot read`)
    expect(seen.slice(0, 2)).toEqual(['one', 'two'])
  })
})
