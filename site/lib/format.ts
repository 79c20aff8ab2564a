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
export const weekPath = (date: string): string => `/archive/week/${date}/`
export const kindSlug = (kind: Kind): string => (kind === 'movie' ? 'movies' : 'series')
/** A full chart: /charts/movies/today/, /charts/series/week/grid/. */
export const chartPath = (kind: Kind, window: string, grid = false): string =>
  `/charts/${kindSlug(kind)}/${window === 'day' ? 'today' : window}/${grid ? 'grid/' : ''}`

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

/** A release's watch status in plain words. */
export function statusWords(status: string): string {
  return status === 'follow' ? 'yes, trending' : status === 'new' ? 'yes, newly added' : 'no longer'
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
  kind: 'up' | 'down' | 'same' | 'new' | 'back'
  by: number
  /** What the row shows: "▲3", "▼2", "same", "new", "back". */
  text: string
  /** The same in words, for screen readers and tooltips. */
  label: string
}

/** A place's change against the chart before (the previous update; last week for the weekly chart). */
export function rankChange(rank: number, previous: number | null, reentry = false, window: string = 'day'): RankChange {
  const since = window === 'day' ? 'since the last update' : 'since last week'
  if (previous == null)
    return reentry
      ? { kind: 'back', by: 0, text: 'back', label: 'back on the chart' }
      : { kind: 'new', by: 0, text: 'new', label: 'new on the chart' }
  const by = previous - rank
  if (by > 0) return { kind: 'up', by, text: `▲${by}`, label: `up ${by} ${by === 1 ? 'place' : 'places'} ${since}` }
  if (by < 0)
    return { kind: 'down', by: -by, text: `▼${-by}`, label: `down ${-by} ${by === -1 ? 'place' : 'places'} ${since}` }
  return { kind: 'same', by: 0, text: 'same', label: `same place ${since}` }
}

/** "12k", "950", "1.2M". */
export function short(n: number): string {
  const a = Math.abs(n)
  const t = (v: number) => (v >= 10 ? Math.round(v) : Math.round(v * 10) / 10).toString()
  if (a >= 1e6) return `${t(n / 1e6)}M`
  if (a >= 1e3) return `${t(n / 1e3)}k`
  return String(Math.round(n))
}

export const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`

/** Downloads in visitor words: "12k downloads/day", "84k downloads this week". */
export function downloadsText(value: number | null, window: string): string | null {
  if (value == null) return null
  return window === 'week' ? `${short(value)} downloads this week` : `${short(value)} downloads/day`
}

/** Monday 00:00 UTC of the week holding `s`. */
export function weekStart(s: number): number {
  const day = s - (s % 86_400)
  const dow = (new Date(day * 1000).getUTCDay() + 6) % 7
  return day - dow * 86_400
}

export function letterboxdUrl(tmdbId: number | null, imdbId: string | null): string | null {
  if (tmdbId != null && Number.isInteger(tmdbId) && tmdbId > 0) return `https://letterboxd.com/tmdb/${tmdbId}/`
  return imdbId && /^tt\d{5,10}$/.test(imdbId) ? `https://letterboxd.com/imdb/${imdbId}/` : null
}

export function justWatchUrl(title: string): string {
  return `https://www.justwatch.com/us/search?q=${encodeURIComponent(title)}`
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
