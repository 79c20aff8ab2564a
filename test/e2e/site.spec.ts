import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { XMLParser } from 'fast-xml-parser'
import { XSS_IMG, XSS_SCRIPT } from '../../devkit/site/seed-db.ts'
import { emptySite, expect, seedDb, site, test } from './fixtures.ts'

interface Ranked {
  id: number
  title: string
  rank: number
}

function latestRanking(kind: 'movie' | 'series'): Ranked[] {
  const db = seedDb()
  try {
    return db
      .prepare(
        `SELECT m.id, m.title, mt.rank FROM media_trends mt JOIN media m ON m.id = mt.media_id
         WHERE m.kind = ? AND mt.time = (SELECT MAX(time) FROM media_trends) ORDER BY mt.rank LIMIT 20`,
      )
      .all(kind) as Ranked[]
  } finally {
    db.close()
  }
}

interface ChartRowDb {
  id: number
  title: string
  rank: number
  value: number
  last_rank: number | null
  peak_rank: number
  reentry: number
  weeks: number | null
}

/** Today's chart of a kind as the database holds it (top 10, as on the home page). */
function dayChart(kind: 'movie' | 'series'): ChartRowDb[] {
  const db = seedDb()
  try {
    return db
      .prepare(
        `SELECT m.id, m.title, c.rank, c.value, c.last_rank, c.peak_rank, c.reentry,
           (SELECT w.periods FROM charts w WHERE w.window = 'week' AND w.kind = c.kind AND w.media_id = c.media_id
              AND w.time = (SELECT MAX(time) FROM charts WHERE window = 'week' AND kind = c.kind)) AS weeks
         FROM charts c JOIN media m ON m.id = c.media_id
         WHERE c.window = 'day' AND c.kind = ? AND c.time = (SELECT MAX(time) FROM charts WHERE window = 'day' AND kind = ?)
         ORDER BY c.rank LIMIT 10`,
      )
      .all(kind, kind) as ChartRowDb[]
  } finally {
    db.close()
  }
}

/** As the site writes numbers: 950, 9.8k, 12k. */
function short(n: number): string {
  const t = (v: number) => (v >= 10 ? Math.round(v) : Math.round(v * 10) / 10).toString()
  return n >= 1e6 ? `${t(n / 1e6)}M` : n >= 1e3 ? `${t(n / 1e3)}k` : String(Math.round(n))
}

function one<T>(sql: string, ...params: unknown[]): T {
  const db = seedDb()
  try {
    return db.prepare(sql).get(...params) as T
  } finally {
    db.close()
  }
}

/** No injected element and no script from the hostile names, and the names show as text. */
async function expectInert(page: import('@playwright/test').Page) {
  expect(await page.locator('img[src="x"]').count()).toBe(0)
  const scripts = await page.locator('script').evaluateAll((els) => els.map((e) => e.textContent ?? ''))
  expect(scripts.filter((s) => s.includes('alert(1)'))).toEqual([])
}

test('home lists today’s chart in order, with the reasons the database holds', async ({ page, problems }) => {
  await page.goto(`${site()}/`)
  await expect(page).toHaveTitle(/trending/i)
  for (const [kind, label] of [
    ['movie', 'Trending movies'],
    ['series', 'Trending series'],
  ] as const) {
    const chart = dayChart(kind)
    const items = page.locator(`ol[aria-label="${label}"] > li`)
    await expect(items).toHaveCount(chart.length)
    expect(await items.locator('.item-title').allTextContents()).toEqual(chart.map((m) => m.title))
    for (const [i, row] of chart.entries()) {
      const li = items.nth(i)
      await expect(li).toHaveAttribute('data-rank', String(row.rank))
      const reasons = li.getByTestId('reasons')
      await expect(reasons.locator('.dl')).toHaveText(`${short(row.value)} downloads/day`)
      await expect(reasons.locator('.peak')).toHaveText(`peak #${row.peak_rank}`)
      const change =
        row.last_rank === null
          ? row.reentry
            ? 'back'
            : 'new'
          : row.last_rank > row.rank
            ? `▲${row.last_rank - row.rank}`
            : row.last_rank < row.rank
              ? `▼${row.rank - row.last_rank}`
              : 'same'
      await expect(reasons.locator('.chg [aria-hidden]')).toHaveText(change)
      if (row.weeks === null) await expect(reasons.locator('.weeks')).toHaveCount(0)
      else await expect(reasons.locator('.weeks')).toHaveText(`${row.weeks} week${row.weeks === 1 ? '' : 's'} on chart`)
    }
  }
  // No jargon: no score, no engine, no "–" for no change.
  const text = (await page.locator('body').textContent()) ?? ''
  expect(text).not.toMatch(/score|engine|velocity|–/i)
  await expect(page.locator('ol[aria-label="Trending movies"] svg.spark[role="img"]').first()).toHaveAttribute(
    'aria-label',
    /^Downloads per day/,
  )
  await expect(page.locator('.asof time')).toHaveAttribute('datetime', /^2026-11-20T22:00:00Z$/)
  // Hostile title rendered as text, inert.
  await expect(page.getByRole('link', { name: XSS_SCRIPT, exact: true }).first()).toBeVisible()
  await expect(page.getByRole('link', { name: XSS_IMG, exact: true }).first()).toBeVisible()
  await expectInert(page)
  // The home page needs no JavaScript.
  expect(await page.locator('script').count()).toBe(0)
  expect(problems).toEqual([])
})

test('movie page: facts, labelled activity chart, rank history, torrents', async ({ page }) => {
  const top = latestRanking('movie')[0] as Ranked
  const n = one<{ n: number }>('SELECT COUNT(*) AS n FROM torrent_media WHERE media_id = ?', top.id).n
  await page.goto(`${site()}/movie/${top.id}/`)
  await expect(page.locator('h1')).toContainText(top.title)
  const dl = page.locator('figure[data-chart="dl-chart"] svg[role="img"]')
  await expect(dl.locator('title')).toHaveText(`Downloads per day: ${top.title}`)
  await expect(dl.locator('text.label').first()).toHaveText('downloads per day')
  const chart = page.locator('figure[data-chart="activity-chart"] svg[role="img"]')
  await expect(chart).toHaveCount(1)
  expect(await chart.locator('desc').textContent()).toMatch(/Seeders: latest \d/)
  expect(await chart.locator('path.ln').count()).toBe(2)
  await expect(page.locator('figure[data-chart="activity-chart"] .legend li')).toHaveText(['Seeders', 'Leechers'])
  // The table fallback has one row per full day of data (the latest run's day is left out).
  const days = one<{ n: number }>(
    'SELECT COUNT(*) AS n FROM media_activity WHERE media_id = ? AND day < ?',
    top.id,
    Date.UTC(2026, 10, 20) / 1000,
  ).n
  await expect(page.locator('figure[data-chart="dl-chart"] tbody tr')).toHaveCount(days)
  await expect(page.locator('figure[data-chart="rank-chart"] svg title')).toContainText('Place among movies')
  // The rank axis shows its 1.
  await expect(page.locator('figure[data-chart="rank-chart"] .axis text', { hasText: /^1$/ })).toHaveCount(1)
  await expect(page.locator('#torrents ~ .table-wrap tbody tr, section:has(#torrents) tbody tr')).toHaveCount(n)
  await expect(page.getByRole('link', { name: 'IMDb' })).toHaveAttribute(
    'href',
    /^https:\/\/www\.imdb\.com\/title\/tt\d+\/$/,
  )
  await expect(page.getByRole('link', { name: 'Letterboxd' })).toHaveAttribute(
    'href',
    /^https:\/\/letterboxd\.com\/tmdb\/\d+\/$/,
  )
  await expect(page.getByRole('link', { name: 'JustWatch' })).toHaveAttribute(
    'href',
    `https://www.justwatch.com/us/search?q=${encodeURIComponent(top.title)}`,
  )
  // Sharing: Open Graph and Twitter tags, with the poster when there is one.
  await expect(page.locator('meta[property="og:title"]')).toHaveAttribute('content', new RegExp(top.title))
  await expect(page.locator('meta[property="og:type"]')).toHaveAttribute('content', 'video.movie')
  await expect(page.locator('meta[name="twitter:card"]')).toHaveCount(1)
})

test('a movie without poster or metadata still renders', async ({ page }) => {
  const bare = one<{ id: number; title: string }>(
    `SELECT id, title FROM media WHERE kind = 'movie' AND year IS NULL AND poster_url IS NULL LIMIT 1`,
  )
  await page.goto(`${site()}/movie/${bare.id}/`)
  await expect(page.locator('h1')).toHaveText(bare.title)
  await expect(page.locator('.poster.ph')).toBeVisible()
  await expect(page.locator('meta[property="og:image"]')).toHaveCount(0)
  await expect(page.getByText('No description available')).toBeVisible()
})

test('torrent page: one line per tracker in each per-tracker chart, score and status history', async ({ page }) => {
  const t = one<{ id: number; name: string }>(
    `SELECT t.id, t.name FROM torrents t WHERE (SELECT COUNT(DISTINCT tracker_id) FROM stats s WHERE s.torrent_id = t.id) = 3
       AND t.status = 'follow' ORDER BY t.id LIMIT 1`,
  )
  await page.goto(`${site()}/torrent/${t.id}/`)
  await expect(page.locator('h1')).toHaveText(t.name)
  for (const metric of ['seeders', 'leechers']) {
    const fig = page.locator(`figure[data-chart="tracker-${metric}"]`)
    await expect(fig.locator('svg[role="img"] title')).toHaveText(new RegExp(`^${metric} by tracker$`, 'i'))
    expect(await fig.locator('path.ln').count()).toBe(3)
    await expect(fig.locator('.legend li')).toHaveText(['explodie', 'opentracker', 'torrent.eu'])
  }
  // One tracker never reports completed: two lines only.
  expect(await page.locator('figure[data-chart="tracker-completed"] path.ln').count()).toBe(2)
  await expect(page.locator('figure[data-chart="score-chart"] svg[role="img"]')).toHaveCount(1)
  await expect(page.locator('ol.timeline li').first()).toContainText('First seen')
  await expect(page.locator('a[href^="magnet:"]')).toHaveCount(0)
})

test('hostile release names and titles are inert on media and torrent pages', async ({ page }) => {
  for (const name of [XSS_SCRIPT, XSS_IMG]) {
    const t = one<{ id: number; media_id: number; kind: string }>(
      `SELECT t.id, tm.media_id, m.kind FROM torrents t JOIN torrent_media tm ON tm.torrent_id = t.id
       JOIN media m ON m.id = tm.media_id WHERE t.name = ?`,
      name,
    )
    await page.goto(`${site()}/torrent/${t.id}/`)
    await expect(page.locator('h1')).toHaveText(name)
    await expectInert(page)
    await page.goto(`${site()}/${t.kind === 'movie' ? 'movie' : 'series'}/${t.media_id}/`)
    await expect(page.getByRole('link', { name, exact: true })).toBeVisible()
    await expectInert(page)
  }
  const m = one<{ id: number }>(`SELECT id FROM media WHERE title = ?`, XSS_SCRIPT)
  await page.goto(`${site()}/movie/${m.id}/`)
  await expect(page.locator('h1')).toContainText(XSS_SCRIPT)
  await expectInert(page)
})

test('search finds a title and a release name; hostile names stay text in results', async ({ page }) => {
  const top = latestRanking('movie')[0] as Ranked
  await page.goto(`${site()}/search/?q=${encodeURIComponent(top.title)}`)
  const first = page.locator('.pagefind-ui__result-link').first()
  await expect(first).toBeVisible()
  await expect
    .poll(async () =>
      (await page.locator('.pagefind-ui__result-link').allTextContents()).map((t) => t.replace(/ \(\d{4}\)$/, '')),
    )
    .toContain(top.title)
  // A release group appears only in release names (listed on media pages).
  const release = one<{ name: string; title: string; year: number | null }>(
    `SELECT t.name, m.title, m.year FROM torrents t JOIN torrent_media tm ON tm.torrent_id = t.id
     JOIN media m ON m.id = tm.media_id WHERE t.name LIKE '%-SPARKS' ORDER BY t.id LIMIT 1`,
  )
  await page.goto(`${site()}/search/?q=SPARKS`)
  await expect(page.locator('.pagefind-ui__result-link').first()).toBeVisible()
  await expect
    .poll(async () => await page.locator('.pagefind-ui__result-link').allTextContents())
    .toContain(release.year ? `${release.title} (${release.year})` : release.title)
  // The header form leads to the search page.
  await page.goto(`${site()}/about/`)
  await page.getByRole('searchbox').fill('alert')
  await page.getByRole('button', { name: 'Search' }).click()
  await expect(page).toHaveURL(/\/search\/\?q=alert/)
  await expect(page.locator('.pagefind-ui__result-link').first()).toBeVisible()
  await expect
    .poll(async () => (await page.locator('.pagefind-ui__result-link').allTextContents()).join('\n'))
    .toContain(`${XSS_SCRIPT} (`)
  await expect(page.locator('.pagefind-ui__result-link', { hasText: XSS_IMG })).toHaveCount(1)
  await expectInert(page)
  // Genres are indexed too.
  await page.goto(`${site()}/search/?q=Thriller`)
  await expect(page.locator('.pagefind-ui__result-link').first()).toBeVisible()
})

test('feeds: RSS parses with escaped titles; Radarr and Sonarr lists have the right shape', async ({ request }) => {
  const movies = latestRanking('movie')
  const rss = await request.get(`${site()}/rss.xml`)
  expect(rss.ok()).toBe(true)
  const doc = new XMLParser({ ignoreAttributes: false, processEntities: true, htmlEntities: true }).parse(
    await rss.text(),
  )
  // Movies and series of the latest day charts, one item per title and chart date.
  const items = (doc.rss.channel.item as { title: string; link: string; category: string }[]).filter(
    (i) => i.category === 'movie',
  )
  expect(items.map((i) => i.title.replace(/^#\d+ /, '').replace(/ \(\d{4}\)$/, ''))).toEqual(movies.map((m) => m.title))
  expect(items.some((i) => i.title.includes(XSS_SCRIPT))).toBe(true)
  expect(items[0]?.link).toMatch(/^http:\/\/127\.0\.0\.1\/movie\/\d+\/$/)
  expect(await rss.text()).not.toContain('<script>')

  // The mdblist shape (Radarr Custom Lists and StevenLu, Kometa): typed ids, never null.
  const radarr = (await (await request.get(`${site()}/radarr.json`)).json()) as Record<string, unknown>[]
  expect(radarr.length).toBeGreaterThan(0)
  for (const r of radarr) {
    expect(r.id === undefined || (Number.isInteger(r.id) && (r.id as number) > 0)).toBe(true)
    expect(r.id ?? r.imdb_id).toBeDefined()
    expect(r.imdb_id === undefined || /^tt\d{7,8}$/.test(String(r.imdb_id))).toBe(true)
    expect(typeof r.title).toBe('string')
    expect(r.adult).toBe(false)
    expect(r.mediatype).toBe('movie')
    expect(Object.values(r)).not.toContain(null)
  }
  expect(radarr.map((r) => r.title)).toContain(XSS_SCRIPT)

  // Sonarr's custom list with Kometa's snake_case twins: unknown ids omitted, never null.
  const sonarr = (await (await request.get(`${site()}/sonarr.json`)).json()) as Record<string, unknown>[]
  expect(sonarr.length).toBeGreaterThan(0)
  for (const s of sonarr) {
    expect(Object.values(s)).not.toContain(null)
    expect(s.tvdbId === undefined || Number.isInteger(s.tvdbId)).toBe(true)
    expect(s.tmdbId === undefined || Number.isInteger(s.tmdbId)).toBe(true)
    expect(s.tvdb_id).toBe(s.tvdbId)
    expect(s.tvdbId ?? s.tmdbId ?? s.imdbId).toBeDefined()
  }
  expect(sonarr.map((s) => s.title)).toContain(XSS_IMG)

  const sitemap = await request.get(`${site()}/sitemap-index.xml`)
  expect(await sitemap.text()).toContain('sitemap-0.xml')
})

test('archive: one stable page per day, linked from the index', async ({ page }) => {
  await page.goto(`${site()}/archive/`)
  const links = page.locator('section:has(#days) li a')
  expect(await links.count()).toBe(10)
  await expect(links.first()).toHaveAttribute('href', '/archive/2026-11-20/')
  await page.goto(`${site()}/archive/2026-11-15/`)
  await expect(page.locator('h1')).toHaveText('Trending on 15 Nov 2026')
  expect(await page.locator('ol[aria-label^="Trending movies"] > li').count()).toBeGreaterThan(5)
})

test('unknown pages get the 404 page', async ({ page }) => {
  const r = await page.goto(`${site()}/no/such/page/`)
  expect(r?.status()).toBe(404)
  await expect(page.locator('h1')).toHaveText('Page not found')
})

test('no download links, magnets or info hashes anywhere in the built site', () => {
  const dist = process.env.E2E_DIST ?? ''
  const db = seedDb()
  const hashes = (db.prepare('SELECT info_hash FROM torrents').all() as { info_hash: string }[]).map((r) => r.info_hash)
  db.close()
  const files: string[] = []
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) {
        if (e.name !== 'pagefind') walk(join(d, e.name))
      } else if (/\.(html|xml|json|txt)$/.test(e.name)) files.push(join(d, e.name))
    }
  }
  walk(dist)
  expect(files.length).toBeGreaterThan(100)
  for (const f of files) {
    const text = readFileSync(f, 'utf8')
    expect(text, f).not.toMatch(/magnet:\?|\.torrent["'?]|apikey=/i)
    for (const h of hashes.slice(0, 20)) expect(text.includes(h), `${f} has an info hash`).toBe(false)
  }
})

test('an empty database builds a site that says there is no data yet', async ({ page, request }) => {
  await page.goto(`${emptySite()}/`)
  await expect(page.getByTestId('no-data')).toContainText('No data yet')
  await expect(page.locator('ol.ranking')).toHaveCount(0)
  await page.goto(`${emptySite()}/archive/`)
  await expect(page.getByTestId('no-data')).toBeVisible()
  const rss = await request.get(`${emptySite()}/rss.xml`)
  expect(await rss.text()).not.toContain('<item>')
  // No chart yet: no list at all (a missing list fails an *arr sync; an empty one cleans libraries).
  expect((await request.get(`${emptySite()}/radarr.json`)).status()).toBe(404)
  expect((await request.get(`${emptySite()}/sonarr.json`)).status()).toBe(404)
})
