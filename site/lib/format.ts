/** Display helpers for the pages: pure, no I/O. Nothing here builds HTML: Astro escapes output. */
import type { Kind, Media } from './data.ts'

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/** A path under the site's base (astro `base`), e.g. href('/movie/3/'). */
export function href(path: string): string {
  const base = (import.meta.env?.BASE_URL ?? '/').replace(/\/$/, '')
  return `${base}${path}`
}

export const mediaPath = (kind: Kind, id: number): string => `/${kind === 'movie' ? 'movie' : 'series'}/${id}/`
export const torrentPath = (id: number): string => `/torrent/${id}/`
export const archivePath = (date: string): string => `/archive/${date}/`

export function fmtDate(s: number): string {
  const d = new Date(s * 1000)
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`
}

export function fmtDateTime(s: number): string {
  const d = new Date(s * 1000)
  return `${fmtDate(s)}, ${d.toISOString().slice(11, 16)} UTC`
}

export const isoTime = (s: number): string => new Date(s * 1000).toISOString().replace('.000Z', 'Z')

export function fmtInt(n: number | null | undefined): string {
  return n == null ? '–' : Math.round(n).toLocaleString('en-US')
}

export function fmtBytes(n: number | null | undefined): string {
  if (n == null) return '–'
  const units = ['B', 'KB', 'MB', 'GB', 'TB']
  let v = n
  let i = 0
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000
    i++
  }
  return `${v >= 100 || i === 0 ? Math.round(v) : v.toFixed(1)} ${units[i]}`
}

export function fmtScore(n: number): string {
  return Math.abs(n) >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(2)
}

/** "1080p · BluRay · x265 · FLUX" from torrent_media.release (unknown keys ignored). */
export function quality(release: Record<string, unknown> | null): string {
  if (!release) return ''
  const parts = ['resolution', 'source', 'codec', 'group']
    .map((k) => release[k])
    .filter((v): v is string => typeof v === 'string' && v !== '')
  const langs = release.languages
  if (Array.isArray(langs) && langs.length) parts.push(langs.filter((l) => typeof l === 'string').join('/'))
  if (release.repack) parts.push('REPACK')
  if (release.proper) parts.push('PROPER')
  return parts.join(' · ')
}

export function episodeLabel(season: number | null, episode: number | null): string {
  if (season == null) return ''
  const s = `S${String(season).padStart(2, '0')}`
  return episode == null ? `${s} pack` : `${s}E${String(episode).padStart(2, '0')}`
}

/** Only http(s) poster URLs are used; anything else gets the placeholder. */
export function posterUrl(m: Pick<Media, 'posterUrl'>): string | null {
  const u = m.posterUrl?.trim()
  if (!u) return null
  try {
    const url = new URL(u)
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null
  } catch {
    return null
  }
}

export function imdbUrl(id: string | null): string | null {
  return id && /^tt\d{5,10}$/.test(id) ? `https://www.imdb.com/title/${id}/` : null
}

export function tmdbUrl(kind: Kind, id: number | null): string | null {
  return id != null && Number.isInteger(id) && id > 0
    ? `https://www.themoviedb.org/${kind === 'movie' ? 'movie' : 'tv'}/${id}`
    : null
}

export function tvdbUrl(id: number | null): string | null {
  return id != null && Number.isInteger(id) && id > 0 ? `https://thetvdb.com/dereferrer/series/${id}` : null
}

export interface RankChange {
  kind: 'up' | 'down' | 'same' | 'new'
  by: number
  text: string
  label: string
}

export function rankChange(rank: number, previous: number | null): RankChange {
  if (previous == null) return { kind: 'new', by: 0, text: 'new', label: 'new in this ranking' }
  const by = previous - rank
  if (by > 0) return { kind: 'up', by, text: `▲${by}`, label: `up ${by} since the previous run` }
  if (by < 0) return { kind: 'down', by: -by, text: `▼${-by}`, label: `down ${-by} since the previous run` }
  return { kind: 'same', by: 0, text: '–', label: 'same rank as in the previous run' }
}

/** Initials for a poster placeholder ("The Matrix" → "TM"). */
export function initials(title: string): string {
  const words = title
    .replace(/[^\p{L}\p{N}\s]/gu, ' ')
    .split(/\s+/)
    .filter(Boolean)
  return (
    words
      .slice(0, 2)
      .map((w) => w[0]?.toUpperCase())
      .join('') || '?'
  )
}
