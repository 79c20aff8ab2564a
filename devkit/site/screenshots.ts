/**
 * Screenshots of a built site, for looking at it: each page in light and dark, at desktop width
 * and at 390 px (a phone), full page. Debian's chromium, no network beyond 127.0.0.1.
 *
 *   tsx devkit/site/screenshots.ts --dist DIR --out DIR /path/ [/path/ …] [--phone-only]
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { chromium } from '@playwright/test'
import { previewSite } from '../../pipeline/publish/build.ts'

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    dist: { type: 'string' },
    out: { type: 'string' },
    'phone-only': { type: 'boolean' },
    search: { type: 'string' },
  },
})
if (!values.dist || !values.out) {
  console.error('usage: tsx devkit/site/screenshots.ts --dist DIR --out DIR /path/ …')
  process.exit(2)
}
mkdirSync(values.out, { recursive: true })
const server = await previewSite(values.dist)
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] })
try {
  for (const scheme of ['light', 'dark'] as const) {
    for (const [name, width] of [
      ['desktop', 1200],
      ['phone', 390],
    ] as const) {
      if (values['phone-only'] && name !== 'phone') continue
      const ctx = await browser.newContext({ viewport: { width, height: 900 }, colorScheme: scheme })
      await ctx.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (r) => r.abort())
      const page = await ctx.newPage()
      for (const path of positionals) {
        await page.goto(`${server.url}${path}`)
        if (path.startsWith('/search'))
          await page.waitForSelector('.pagefind-ui__result', { timeout: 10_000 }).catch(() => {})
        const file = join(values.out, `${path.replace(/[^\w]+/g, '_')}-${scheme}-${name}.png`)
        await page.screenshot({ path: file, fullPage: true })
        const sw = await page.evaluate(() => document.documentElement.scrollWidth)
        console.log(file, sw > width ? `SIDEWAYS SCROLL ${sw}` : '')
      }
      await ctx.close()
    }
  }
} finally {
  await browser.close()
  await server.stop()
}
