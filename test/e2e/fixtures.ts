/**
 * Test fixtures: every page refuses to leave 127.0.0.1 (remote posters are answered with a local
 * placeholder image, anything else is aborted), and every test fails on a console error, an
 * uncaught page error or a JavaScript dialog (the XSS names must never open one).
 */
import { test as base, expect } from '@playwright/test'
import Database from 'better-sqlite3'

const PLACEHOLDER =
  '<svg xmlns="http://www.w3.org/2000/svg" width="92" height="138"><rect width="92" height="138" fill="#889"/></svg>'

/** [site] torrent_page_days of the seeded site: torrents let go 5 days before the end lose their page. */
export const E2E_TORRENT_PAGE_DAYS = 3

export const site = (): string => process.env.E2E_URL ?? ''
export const emptySite = (): string => process.env.E2E_EMPTY_URL ?? ''

/** Read the seeded database (read-only) to know what the pages should show. */
export function seedDb(): Database.Database {
  return new Database(process.env.E2E_DB ?? '', { readonly: true, fileMustExist: true })
}

export const test = base.extend<{ problems: string[] }>({
  context: async ({ context }, use) => {
    await context.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (route) =>
      route.request().resourceType() === 'image'
        ? route.fulfill({ status: 200, contentType: 'image/svg+xml', body: PLACEHOLDER })
        : route.abort('blockedbyclient'),
    )
    await use(context)
  },
  problems: async ({ page }, use) => {
    const problems: string[] = []
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`)
    })
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`))
    page.on('dialog', (d) => {
      problems.push(`dialog: ${d.message()}`)
      void d.dismiss()
    })
    await use(problems)
    expect(problems, 'console errors, page errors or dialogs').toEqual([])
  },
})

export { expect }
