// The static site: Astro reads the SQLite database the pipeline writes at build time
// (site/lib/data.ts) and writes dist/, with Pagefind's search index (site/integrations/pagefind.ts).
// Inputs (the database, the public URL): site/lib/settings.ts.
import sitemap from '@astrojs/sitemap'
import { defineConfig } from 'astro/config'
import pagefind from './site/integrations/pagefind.ts'
import posters from './site/integrations/posters.ts'
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
  integrations: [sitemap({ filter: (page) => !page.includes('/404') }), posters(), pagefind()],
  devToolbar: { enabled: false },
  vite: {
    build: { assetsInlineLimit: 0 },
    ssr: { external: ['better-sqlite3', 'sharp'] },
  },
})
