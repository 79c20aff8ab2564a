// The static site: Astro reads the SQLite database at build time (site/lib/data.ts) and writes
// dist/; `pagefind --site dist` then indexes it. Settings (database, public URL): site/lib/settings.ts.
import sitemap from '@astrojs/sitemap'
import { defineConfig } from 'astro/config'
import { siteSettings } from './site/lib/settings.ts'

const { siteUrl } = siteSettings()
const url = new URL(siteUrl)

export default defineConfig({
  srcDir: './site',
  publicDir: './public',
  outDir: './dist',
  site: url.origin,
  base: url.pathname,
  trailingSlash: 'ignore',
  build: { format: 'directory', inlineStylesheets: 'never' },
  compressHTML: true,
  integrations: [sitemap({ filter: (page) => !page.includes('/404') })],
  devToolbar: { enabled: false },
  vite: {
    build: { assetsInlineLimit: 0 },
    ssr: { external: ['better-sqlite3'] },
  },
})
