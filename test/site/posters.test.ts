/**
 * Build-time posters (site/lib/posters.ts) against the loopback poster server: fetched once,
 * resized to two WebP thumbnails in the cache, found there by the next build without a request; a
 * 404 is remembered as missing (the page shows the placeholder); only http(s) is ever fetched.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { type PosterServer, startPosterServer } from '../../devkit/site/posters.ts'

const dir = mkdtempSync(join(tmpdir(), 'mediastrends-posters-'))
let server: PosterServer
beforeAll(async () => {
  server = await startPosterServer()
  process.env.POSTER_CACHE = join(dir, 'cache')
})
afterAll(async () => {
  await server.stop()
  delete process.env.POSTER_CACHE
  rmSync(dir, { recursive: true, force: true })
})

it('fetches a poster once into two WebP thumbnails, remembers a missing one, never fetches file: URLs', async () => {
  const { poster, posterFile, prefetchPosters } = await import('../../site/lib/posters.ts')
  const url = `${server.url}/p/3/Silent%20River.png`
  const key = await poster(url)
  expect(key).toMatch(/^[0-9a-f]{20}$/)
  for (const [size, w, h] of [
    ['small', 92, 138],
    ['big', 320, 480],
  ] as const) {
    const file = join(dir, 'cache', posterFile(key as string, size))
    const meta = await sharp(file).metadata()
    expect([meta.format, meta.width, meta.height]).toEqual(['webp', w, h])
  }
  expect(server.served()).toBe(1)
  // Asked again (another page, or the prefetch): no second request.
  expect(await poster(url)).toBe(key)
  expect(await prefetchPosters([url, null, 'file:///etc/passwd', 'javascript:alert(1)'])).toEqual({ ok: 1, failed: 0 })
  expect(server.served()).toBe(1)
  // A 404: no poster, and a .miss marker so the next build does not ask for a day.
  const missing = `${server.url}/missing/7.png`
  const { posterKey } = await import('../../site/lib/posters.ts')
  expect(await poster(missing)).toBeNull()
  expect(existsSync(join(dir, 'cache', `${posterKey(missing)}.miss`))).toBe(true)
  expect(await poster('file:///etc/passwd')).toBeNull()
})
