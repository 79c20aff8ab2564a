/**
 * What a visitor chooses the site for (issue 16) and the bounded site (issue 13): every page kind
 * passes axe in light and dark, none scrolls sideways at 390 px, filters, posters served locally,
 * the weekly chart, and torrent pages only for torrents followed or scraped lately.
 */
import AxeBuilder from '@axe-core/playwright'
import type { Browser } from '@playwright/test'
import { E2E_TORRENT_PAGE_DAYS, expect, seedDb, site, test } from './fixtures.ts'

const END = Date.UTC(2026, 10, 20, 22) / 1000

function all<T>(sql: string, ...params: unknown[]): T[] {
  const db = seedDb()
  try {
    return db.prepare(sql).all(...params) as T[]
  } finally {
    db.close()
  }
}
const one = <T>(sql: string, ...params: unknown[]): T => all<T>(sql, ...params)[0] as T

/** One page of every kind the site has. */
function pageKinds(): string[] {
  const movie = one<{ id: number }>(
    `SELECT media_id AS id FROM charts c JOIN media m ON m.id = c.media_id WHERE window = 'day' AND m.kind = 'movie' ORDER BY time DESC, rank LIMIT 1`,
  )
  const series = one<{ id: number }>(`SELECT id FROM media WHERE kind = 'series' ORDER BY id LIMIT 1`)
  const torrent = one<{ id: number }>(`SELECT id FROM torrents WHERE status = 'follow' ORDER BY id LIMIT 1`)
  const week = new Date(
    one<{ t: number }>(`SELECT MAX(time) AS t FROM charts WHERE window = 'week'`).t * 1000,
  ).toISOString()
  return [
    '/',
    '/charts/movies/today/',
    '/charts/series/week/',
    '/charts/movies/rising/',
    '/charts/movies/today/grid/',
    `/movie/${movie.id}/`,
    `/series/${series.id}/`,
    `/torrent/${torrent.id}/`,
    '/archive/',
    '/archive/2026-11-15/',
    `/archive/week/${week.slice(0, 10)}/`,
    '/about/',
    '/search/?q=glass',
    '/no/such/page/',
  ]
}

async function newPage(browser: Browser, opts: { colorScheme?: 'light' | 'dark'; width?: number } = {}) {
  const ctx = await browser.newContext({
    colorScheme: opts.colorScheme ?? 'light',
    viewport: { width: opts.width ?? 1280, height: 900 },
  })
  await ctx.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (r) => r.abort('blockedbyclient'))
  return { ctx, page: await ctx.newPage() }
}

for (const scheme of ['light', 'dark'] as const) {
  test(`axe: no serious violation on any page kind (${scheme})`, async ({ browser }) => {
    test.setTimeout(120_000)
    const { ctx, page } = await newPage(browser, { colorScheme: scheme })
    const bad: string[] = []
    for (const path of pageKinds()) {
      await page.goto(`${site()}${path}`)
      if (path.startsWith('/search')) await page.locator('.pagefind-ui__result-link').first().waitFor()
      const result = await new AxeBuilder({ page }).analyze()
      for (const v of result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical'))
        bad.push(
          `${path}: ${v.id}: ${v.nodes
            .map((n) => n.target.join(' '))
            .slice(0, 3)
            .join(', ')}`,
        )
    }
    expect(bad).toEqual([])
    if (scheme === 'dark') {
      expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(18, 20, 23)')
    }
    await ctx.close()
  })
}

test('dark mode: the search box and its results are readable', async ({ browser }) => {
  const { ctx, page } = await newPage(browser, { colorScheme: 'dark' })
  await page.goto(`${site()}/search/?q=glass`)
  await page.locator('.pagefind-ui__result-link').first().waitFor()
  const [fg, bg] = await page
    .locator('.pagefind-ui__search-input')
    .evaluate((el) => [getComputedStyle(el).color, getComputedStyle(el).backgroundColor])
  expect(fg).not.toBe(bg)
  expect(fg).toBe('rgb(232, 234, 237)')
  // Results show a poster thumbnail (local), the type and today's place when on the chart.
  await expect(page.locator('.pagefind-ui__result-image').first()).toHaveAttribute(
    'src',
    /^\/posters\/[0-9a-f]+-320\.webp$/,
  )
  await expect(page.locator('.pagefind-ui__result-tag', { hasText: 'Movie' }).first()).toBeVisible()
  // Excerpts hold no table headers run together.
  const excerpts = (await page.locator('.pagefind-ui__result-excerpt').allTextContents()).join('\n')
  expect(excerpts).not.toMatch(/Release\s*Quality|Size\s*Seeders|Week to/)
  await ctx.close()
})

test('phone (390 px): no page kind scrolls sideways, chart text is at least 11 px', async ({ browser }) => {
  test.setTimeout(120_000)
  const { ctx, page } = await newPage(browser, { width: 390 })
  const wide: string[] = []
  for (const path of pageKinds()) {
    await page.goto(`${site()}${path}`)
    if (path.startsWith('/search')) await page.locator('.pagefind-ui__result-link').first().waitFor()
    const sw = await page.evaluate(() => document.documentElement.scrollWidth)
    if (sw > 390) wide.push(`${path}: ${sw}px`)
  }
  expect(wide).toEqual([])
  const movie = pageKinds()[5] as string
  await page.goto(`${site()}${movie}`)
  const sizes = await page
    .locator('figure.chart svg .axis text')
    .evaluateAll((els) => els.map((e) => e.getBoundingClientRect().height))
  expect(sizes.length).toBeGreaterThan(5)
  expect(Math.min(...sizes)).toBeGreaterThanOrEqual(11)
  await ctx.close()
})

test('filters: by genre and decade on a full chart, and the chart without JavaScript', async ({ page, browser }) => {
  await page.goto(`${site()}/charts/movies/today/`)
  const rows = all<{ id: number; genres: string | null; year: number | null }>(
    `SELECT m.id, m.genres, m.year FROM charts c JOIN media m ON m.id = c.media_id
     WHERE c.window = 'day' AND c.kind = 'movie' AND c.time = (SELECT MAX(time) FROM charts WHERE window = 'day' AND kind = 'movie')
     ORDER BY c.rank`,
  )
  const items = page.locator('ol.ranking > li')
  await expect(items).toHaveCount(rows.length)
  const genre = 'Drama'
  const want = rows.filter((r) => (JSON.parse(r.genres ?? '[]') as string[]).includes(genre)).map((r) => String(r.id))
  expect(want.length).toBeGreaterThan(0)
  await page.locator('form.filters select[name="genre"]').selectOption(genre)
  await expect(page.locator('ol.ranking > li:visible')).toHaveCount(want.length)
  expect(await page.locator('ol.ranking > li:visible').evaluateAll((els) => els.map((e) => e.dataset.mediaId))).toEqual(
    want,
  )
  await page.locator('form.filters select[name="decade"]').selectOption('2000')
  const both = rows.filter(
    (r) =>
      (JSON.parse(r.genres ?? '[]') as string[]).includes(genre) && r.year !== null && r.year >= 2000 && r.year < 2010,
  )
  await expect(page.locator('ol.ranking > li:visible')).toHaveCount(both.length)
  // Movie/series: each kind has its own chart pages.
  await page.getByRole('link', { name: 'Series', exact: true }).first().click()
  await expect(page).toHaveURL(/\/charts\/series\/today\/$/)
  // Without JavaScript the whole chart shows and the filter form stays hidden.
  const ctx = await browser.newContext({ javaScriptEnabled: false })
  const p2 = await ctx.newPage()
  await p2.goto(`${site()}/charts/movies/today/`)
  await expect(p2.locator('ol.ranking > li')).toHaveCount(rows.length)
  await expect(p2.locator('form.filters')).toBeHidden()
  await ctx.close()
})

test('posters: local WebP thumbnails, fixed size, lazy below the fold, no alt text spill', async ({ page }) => {
  const requests: string[] = []
  page.on('request', (r) => {
    if (r.resourceType() === 'image') requests.push(r.url())
  })
  await page.goto(`${site()}/`)
  const imgs = page.locator('ol.ranking img.poster')
  expect(await imgs.count()).toBeGreaterThan(5)
  for (const img of await imgs.all()) {
    await expect(img).toHaveAttribute('src', /^\/posters\/[0-9a-f]+-92\.webp$/)
    await expect(img).toHaveAttribute('width', '46')
    await expect(img).toHaveAttribute('height', '69')
    await expect(img).toHaveAttribute('alt', '')
  }
  await expect(imgs.last()).toHaveAttribute('loading', 'lazy')
  expect(requests.filter((u) => !u.startsWith(site()))).toEqual([])
  // A poster the server did not have (404 at build time) is the placeholder, not a broken image.
  const missing = one<{ id: number }>(
    `SELECT id FROM media WHERE poster_url LIKE '%/missing/%' AND kind = 'movie' LIMIT 1`,
  )
  await page.goto(`${site()}/movie/${missing.id}/`)
  await expect(page.locator('.media-head .poster.ph')).toBeVisible()
  // The poster grid.
  await page.goto(`${site()}/charts/movies/today/grid/`)
  expect(await page.locator('ol.poster-grid img.poster.big').count()).toBeGreaterThan(5)
  // Attribution where TMDB's data shows.
  await expect(page.locator('footer')).toContainText(
    'This product uses the TMDB API but is not endorsed or certified by TMDB',
  )
})

test('weekly chart: this week, last week, weeks on chart; a title’s history across weeks', async ({ page }) => {
  const t = one<{ t: number }>(`SELECT MAX(time) AS t FROM charts WHERE window = 'week'`).t
  const rows = all<{ id: number; rank: number; last_rank: number | null; periods: number; reentry: number }>(
    `SELECT media_id AS id, rank, last_rank, periods, reentry FROM charts WHERE window = 'week' AND kind = 'movie' AND time = ? ORDER BY rank`,
    t,
  )
  await page.goto(`${site()}/archive/`)
  await page.locator('section:has(#weeks) li a').first().click()
  await expect(page.locator('h1')).toContainText('Weekly chart')
  const trs = page.getByTestId('weekly-movies').locator('tbody tr')
  await expect(trs).toHaveCount(rows.length)
  for (const [i, r] of rows.slice(0, 10).entries()) {
    const cells = await trs.nth(i).locator('td').allTextContents()
    expect(cells[0]).toBe(String(r.rank))
    expect(cells[1]).toBe(r.last_rank === null ? (r.reentry ? 'back' : 'new') : String(r.last_rank))
    expect(cells[3]).toBe(String(r.periods))
  }
  const first = rows[0] as (typeof rows)[number]
  await page.goto(`${site()}/movie/${first.id}/`)
  await expect(page.getByTestId('week-history').locator('tbody tr').first().locator('td').nth(1)).toHaveText(
    String(first.rank),
  )
})

test('bounded site: an old torrent let go has no page; it is a row of its movie’s page', async ({ page, request }) => {
  const cutoff = END - E2E_TORRENT_PAGE_DAYS * 86_400
  const old = all<{ id: number; name: string; media_id: number; kind: string }>(
    `SELECT t.id, t.name, tm.media_id, m.kind FROM torrents t JOIN torrent_media tm ON tm.torrent_id = t.id
     JOIN media m ON m.id = tm.media_id
     WHERE t.status = 'unfollow' AND (SELECT MAX(time) FROM stats s WHERE s.torrent_id = t.id) < ?`,
    cutoff,
  )
  expect(old.length).toBeGreaterThan(0)
  const o = old[0] as (typeof old)[number]
  expect((await request.get(`${site()}/torrent/${o.id}/`)).status()).toBe(404)
  await page.goto(`${site()}/${o.kind}/${o.media_id}/`)
  const row = page.locator(`tr[data-torrent-id="${o.id}"]`)
  await expect(row).toHaveAttribute('data-has-page', '0')
  await expect(row.locator('td.name')).toHaveText(o.name)
  await expect(row.locator('a')).toHaveCount(0)
  // A followed torrent keeps its page, linked from its movie's page.
  const kept = one<{ id: number }>(`SELECT id FROM torrents WHERE status = 'follow' ORDER BY id LIMIT 1`)
  expect((await request.get(`${site()}/torrent/${kept.id}/`)).status()).toBe(200)
  const pages = all<{ n: number }>(
    `SELECT COUNT(*) AS n FROM torrents t WHERE t.status = 'follow'
       OR COALESCE((SELECT MAX(time) FROM stats s WHERE s.torrent_id = t.id), t.added_at) >= ?`,
    cutoff,
  )[0]?.n
  const sitemap = await (await request.get(`${site()}/sitemap-0.xml`)).text()
  expect((sitemap.match(/\/torrent\/\d+\//g) ?? []).length).toBe(pages)
})

test('text of strangers: titles are isolated (dir=auto), never markup', async ({ page }) => {
  await page.goto(`${site()}/`)
  const dirs = await page.locator('ol.ranking .item-title').evaluateAll((els) => els.map((e) => e.getAttribute('dir')))
  expect(dirs.every((d) => d === 'auto')).toBe(true)
  const m = one<{ id: number; title: string }>(`SELECT id, title FROM media WHERE title LIKE '%' || char(8238) || '%'`)
  await page.goto(`${site()}/series/${m.id}/`)
  await expect(page.locator('h1 bdi')).toHaveText(m.title)
  // The year after the isolated title keeps its place: "(2014)" reads left to right after it.
  const h1 = (await page.locator('h1').textContent()) ?? ''
  expect(h1.startsWith(m.title)).toBe(true)
})
