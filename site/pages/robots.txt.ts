import type { APIRoute } from 'astro'

export const GET: APIRoute = ({ site }) => {
  const base = (import.meta.env.BASE_URL ?? '/').replace(/\/?$/, '/')
  const sitemap = site ? new URL(`${base}sitemap-index.xml`, site).href : undefined
  return new Response(`User-agent: *\nAllow: /\n${sitemap ? `Sitemap: ${sitemap}\n` : ''}`, {
    headers: { 'Content-Type': 'text/plain; charset=utf-8' },
  })
}
