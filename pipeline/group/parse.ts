/**
 * Release names → what they carry. Pure functions only.
 *
 * `parseRelease` is our own small interface over @viren070/parse-torrent-title (a port of go-ptt),
 * so the parser can be swapped. On top of it we only add corrections measured wrong on the
 * labelled list (`npm run eval:names`, data/samples/release-names.tsv) or needed for bad input:
 * HTML/control characters removed first, site prefixes ("www.site.com - ") dropped, "AKA" titles
 * split, info-hash-like names and names without any letter or digit flagged as `fallback`.
 *
 * `normaliseTitle` is THE normaliser: grouping keys, IMDb `norm_title` and TMDB matching all use it.
 */
import { type ParsedResult, parseTorrentTitle } from '@viren070/parse-torrent-title'
import type { Category, MediaKind } from '../../schema/tables.ts'

export interface ParsedRelease {
  /** Display title, plain text ('' when none could be read: see `fallback`). */
  title: string
  /** Alternative title given after "AKA" (the first of `aliases`). */
  aka?: string
  /** Every other title the name carries: after "AKA", after " / ", in brackets ("(Attack on Titan)"). */
  aliases?: string[]
  year?: number
  /** Last year of a year range ("The Wire (2002-2008)": year 2002, yearEnd 2008). */
  yearEnd?: number
  /** Country code the name carries after its title ("Being.Human.UK.S01E01": "UK"). */
  country?: string
  /** Air date of a daily show ("2024-01-15"), when the name carries a full date. */
  airDate?: string
  /** Anime absolute numbering: an episode number without any season ("[Group] Title - 0987"). */
  absolute?: boolean
  /** A junk name (phone camera file, sample, default folder name): never grouped, no page. */
  junk?: boolean
  /** Seasons named (a pack can name several). */
  seasons: number[]
  /** The first season, when any. */
  season?: number
  /** The first episode, when the release is one episode (or a multi-episode release). */
  episode?: number
  /** All episodes when more than one (S01E01E02, 01-03). */
  episodes?: number[]
  /** A season (or complete series) without episode numbers. */
  isSeasonPack: boolean
  /** The name has explicit episode markers (SxxEyy, Season N, anime " - 47", "Complete Series"). */
  hasEpisodeMarker: boolean
  resolution?: string
  /** BluRay, WEB-DL, HDTV… */
  source?: string
  codec?: string
  group?: string
  languages: string[]
  repack: boolean
  proper: boolean
  /** No recognisable title: the torrent is grouped on its own under a safe fallback. */
  fallback: boolean
}

/**
 * Version of what `parseRelease` returns: stored with every torrent's parse (torrents.parse_input),
 * so a parser change re-parses every stored name once. Bump on any change of the parse results.
 */
export const PARSER_VERSION = 2

/** Longest name we hand to the parser (longer names are cut; the regexes stay fast). */
export const MAX_NAME_LENGTH = 400

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', '#39': "'" }

/** HTML (script/style elements with their content, other tags) and entities, control characters, zero-width characters and runs of spaces removed. */
export function plainText(s: string): string {
  return s
    .replace(/<(script|style)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<[^>]*>?/g, ' ')
    .replace(/&(#\d+|#x[0-9a-f]+|[a-z]+\d*);/gi, (m, e: string) => {
      const lower = e.toLowerCase()
      if (ENTITIES[lower] !== undefined) return ENTITIES[lower]
      if (lower.startsWith('#x')) return safeCodePoint(Number.parseInt(lower.slice(2), 16)) ?? m
      if (lower.startsWith('#')) return safeCodePoint(Number.parseInt(lower.slice(1), 10)) ?? m
      return m
    })
    .replace(/[<>]/g, ' ')
    .replace(/[\p{Cc}\p{Cf}\u2028\u2029]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim()
}

function safeCodePoint(n: number): string | undefined {
  if (!Number.isFinite(n) || n <= 0x1f || n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff)) return undefined
  const c = String.fromCodePoint(n)
  return /[<>]/.test(c) ? ' ' : c
}

/** "www.site.com - ", "[www.site.org] ", "(site.to) -", "site.net - " at the start of a name. */
const DOMAIN =
  '[a-z0-9][a-z0-9-]*(?:\\.[a-z0-9-]+)*\\.(?:com|org|net|to|cd|me|io|tv|cc|ru|info|xyz|se|ws|lol|one|nz|club|site|vip|pw|la|li|is|eu|fr|de|it|es|uk|in|ag|mx|am|lt|gg)(?![a-z0-9])'
const SITE_PREFIX = new RegExp(
  [
    `^\\s*[[({]\\s*(?:https?://)?(?:www\\.)?${DOMAIN}\\s*[\\])}]\\s*(?:[-–—:|]\\s*)?`,
    `^\\s*(?:https?://)?www\\.${DOMAIN}\\s*(?:[-–—:|]\\s*)?`,
    `^\\s*${DOMAIN}\\s+[-–—|]\\s+`,
  ].join('|'),
  'i',
)

/** "Title.117.hdtv", "Title.1013.720p.HDTV": season and episode run together before a TV source. */
const SCENE_NUMBER =
  /^(.+?)[._](\d{1,2})(\d{2})[._-](?:(?:480p|576p|720p|1080[pi])[._-])?(?:hdtv|pdtv|dsr|ws)(?![a-z0-9])/i
const COMPLETE_SERIES = /(?:^|[\s._-])(?:the[\s._-]+)?complete[\s._-]+series(?![a-z0-9])/i
const HASH_LIKE = /^[0-9a-f]{32}$|^[0-9a-f]{40}$|^[0-9a-f]{64}$/i
const VIDEO_EXT = /\.(mkv|mp4|avi|m4v|ts|wmv|mov|torrent)$/i

function cleanTitle(t: string | undefined): string {
  return (t ?? '')
    .replace(/_/g, ' ')
    .replace(/\s+/g, ' ')
    .replace(/^[\s\-–—.:;,|[\](){}]+|[\s\-–—.:;,|[\](){}]+$/g, '')
    .trim()
}

/**
 * Names that are no release: a phone's or camera's file name (IMG_20230101_101010, VID_…, PXL_…,
 * DSC01234), a sample file, a file manager's default folder name ("New folder (2)", "Nouveau dossier").
 */
const JUNK = [
  /^(?:img|vid|pxl|mvimg|dsc|dscn|dcim|gopr|wp|screenshot|screen[ _-]?recording)[_-]?\d{4,}(?:[_-]\d+)*(?:[_-]\w{1,12})?$/i,
  /^(?:img|vid)[_-]\d{8}[_-]\d{6}/i,
  /^sample(?:[._ -]?\d{0,3})$/i,
  /[._ -]sample$/i,
  /^(?:new folder|untitled folder|untitled|nouveau dossier|neuer ordner|nuova cartella|nueva carpeta|nova pasta|nieuwe map|nowy folder|yeni klasör|新建文件夹|新しいフォルダー?)(?:\s*\(\d+\))?$/iu,
]

export function isJunkName(name: string): boolean {
  const bare = name.replace(VIDEO_EXT, '').trim()
  return JUNK.some((re) => re.test(bare))
}

/** Tags that may stand in brackets after a title and are no alternative title. */
const NOT_ALIAS =
  /^(?:\d{3,4}p|[xh]\.?26[45]|hevc|avc|10bit|web(?:-?dl|rip)?|bluray|brrip|bdrip|dvdrip|hdrip|hdtv|multi(?:-?subs?)?|dual audio|eng(?:lish)?|subs?|uncut|extended|remastered|unrated|dc|directors cut|imax|us|uk|au|ca|nz|batch|complete|repack|proper|\d+)$/i

/**
 * The title and its aliases from the parser's raw title: "A AKA B", "A / B", "A (B)", "A [B]".
 * A part is an alias only when it holds letters and is no tag.
 */
function splitAliases(raw: string): { title: string; aliases: string[] } {
  let title = raw
  const aliases: string[] = []
  const bracketed = /\s*[([]([^()[\]]+)[)\]]\s*/g
  title = title.replace(bracketed, (m, inner: string, offset: number, whole: string) => {
    const t = cleanTitle(inner)
    if (offset === 0 || !/\p{L}{2,}/u.test(t) || NOT_ALIAS.test(t) || /^(?:19|20)\d\d$/.test(t)) return m
    // Part of the title when what comes before cannot end one: "Birdman or (The Unexpected Virtue…)".
    if (/(?:^|\s)(?:or|and|of|the|a|an|et|ou|de|la|le)$/i.test(whole.slice(0, offset).trim())) return m
    aliases.push(t)
    return ' '
  })
  const parts = title.split(/\s+\/\s+/)
  if (parts.length > 1 && parts.every((x) => /\p{L}/u.test(x))) {
    title = parts[0] ?? title
    aliases.push(...parts.slice(1))
  }
  return { title: cleanTitle(title), aliases: aliases.map(cleanTitle).filter(Boolean) }
}

/** Parse a release name. Never throws: anything unreadable comes back with `fallback: true`. */
export function parseRelease(rawName: string): ParsedRelease {
  let name = plainText(String(rawName ?? ''))
  if (name.length > MAX_NAME_LENGTH) name = name.slice(0, MAX_NAME_LENGTH)
  const withoutSite = name.replace(SITE_PREFIX, '')
  // A name that is only a site ("www.site.com") keeps it rather than becoming empty.
  if (withoutSite.trim() !== '') name = withoutSite
  let r = parseTorrentTitleSafe(name)
  if (!cleanTitle(r.title) && name.includes('[')) {
    // Measured: trailing tags like "[5.1] [YTS.MX]" after a number-ending title leave the title
    // empty; parsing again without the bracketed tags (a leading "[Group]" kept) finds it.
    const retry = parseTorrentTitleSafe(name.replace(/(?!^)\[[^\]]*\]/g, ' '))
    if (cleanTitle(retry.title)) r = { ...retry, ...r, title: retry.title }
  }
  if (!cleanTitle(r.title) && /[._]/.test(name)) {
    // Measured: dotted names in non-Latin scripts ("기생충.2019.1080p.WEB") leave the title empty;
    // with spaces for dots the parser reads them.
    const retry = parseTorrentTitleSafe(name.replace(/[._]+/g, ' '))
    if (cleanTitle(retry.title)) r = { ...retry, ...r, title: retry.title }
  }
  if (!cleanTitle(r.title) && r.year) {
    // Last resort: what comes before the year.
    const before = cleanTitle(name.slice(0, Math.max(0, name.indexOf(r.year))).replace(/[._]+/g, ' '))
    if (/[\p{L}\p{N}]/u.test(before)) r = { ...r, title: before }
  }
  const split = splitAliases(r.title ?? '')
  const aliases = split.aliases
  let title = split.title
  let seasonFromWord: number | undefined
  const bookMatch = /^(.+?)\s+(?:livre|book|saison|season|staffel|stagione|temporada)\s+([ivx]+|\d{1,2})$/i.exec(title)
  if (bookMatch?.[1] && bookMatch[2]) {
    // "Kaamelott Livre VI Episode 09": the parser keeps "Livre VI" in the title.
    title = cleanTitle(bookMatch[1])
    seasonFromWord = romanOrNumber(bookMatch[2])
  }
  let aka: string | undefined
  const akaMatch = /^(.+?)\s+a\.?k\.?a\.?\s+(.+)$/i.exec(title)
  if (akaMatch?.[1] && akaMatch[2]) {
    title = cleanTitle(akaMatch[1])
    aka = cleanTitle(akaMatch[2])
    aliases.unshift(aka)
  }
  aka ??= aliases[0]
  // A year range "2002-2008" (a complete series): its first year, and the span.
  let yearText = r.year
  let yearEndText: string | undefined
  const range = /^(\d{4})\s*-\s*(\d{4})$/.exec(yearText ?? '')
  if (range?.[1] && range[2]) {
    yearText = range[1]
    yearEndText = range[2]
  }
  const open = title.lastIndexOf('(')
  if (open > 0 && !title.includes(')', open)) {
    // Measured on real names: an alternative title or tag in parentheses stays in the title, its ")" lost
    // ("Le Prestige (The Prestige", "Leaving Movie by Movie (1897"): cut it, keeping a year it held.
    const head = cleanTitle(title.slice(0, open))
    const inner = title.slice(open + 1).trim()
    // Not when the head cannot end a title: "Birdman or (The Unexpected Virtue of Ignorance)".
    if (/[\p{L}\p{N}]/u.test(head) && !/(?:^|\s)(?:or|and|of|the|a|an|et|ou|de|la|le)$/i.test(head)) {
      title = head
      if (!yearText && /^\d{4}$/.test(inner)) yearText = inner
    }
  }
  // "Simpsons, The" → "The Simpsons".
  const articleLast = /^(.+?),\s*(the|a|an|le|la|les)$/i.exec(title)
  if (articleLast?.[1] && articleLast[2]) title = `${articleLast[2]} ${articleLast[1]}`
  // Language tags the parser leaves at the end: "Cars 2 German DL", "Das Appartement GERMAN" (an upper-case or
  // "… DL" tag only: "The Good German" is a title).
  title = cleanTitle(
    title
      .replace(/\s+(?:german|french|truefrench|italian|spanish|multi)\s+dl$/i, '')
      .replace(/\s+(?:GERMAN|FRENCH|TRUEFRENCH|ITALIAN|SPANISH|MULTI)$/, ''),
  )
  let seasonsIn = r.seasons ?? []
  let episodesIn = r.episodes ?? []
  const scene = SCENE_NUMBER.exec(name)
  const n = scene ? `${scene[2]}${scene[3]}` : ''
  // The parser sometimes reads "the.Series.110.hdtv" as season 11 alone.
  const sceneSeasonOnly = episodesIn.length === 0 && seasonsIn.length === 1 && n.startsWith(String(seasonsIn[0]))
  if (seasonsIn.length === 0 || sceneSeasonOnly) {
    if (
      scene?.[1] &&
      !/\s/.test(name) &&
      !name.startsWith('[') &&
      n !== yearText &&
      !/^(19|20)\d\d$/.test(n) &&
      Number(scene[2]) > 0 &&
      (episodesIn.length === 0 || (episodesIn.length === 1 && episodesIn[0] === Number(n)))
    ) {
      // Scene TV numbering "new.girl.117.hdtv" = S01E17 (a season and two episode digits before the TV source).
      seasonsIn = [Number(scene[2])]
      episodesIn = [Number(scene[3])]
      const head = cleanTitle(scene[1].replace(/[._](?:19|20)\d\d$/, '').replace(/[._]+/g, ' '))
      if (head) title = head
    } else if (episodesIn.length === 0 && !yearText && name.startsWith('[')) {
      // Fansub names without " - " before the episode: "[K-F] Some Anime Show 214", "[Hatsuyuki]Title-01[…]".
      const trailing = /^(.+?)[\s._-]+#?(\d{2,4})$/.exec(title)
      if (trailing?.[1] && trailing[2] && !/^(19|20)\d\d$/.test(trailing[2])) {
        title = cleanTitle(trailing[1])
        episodesIn = [Number(trailing[2])]
      }
    }
    // "Dexter Saison VII FRENCH": a season word with a roman numeral the parser does not read.
    const seasonWord =
      /(?:^|[\s._-])(?:saison|season|staffel|temporada|stagione)[\s._-]+([ivx]+|\d{1,2})(?=$|[\s._-])/i.exec(name)
    if (seasonWord?.[1] && seasonFromWord === undefined && !/\d/.test(seasonWord[1])) {
      seasonFromWord = romanOrNumber(seasonWord[1])
    }
  }
  const bare = name.replace(VIDEO_EXT, '').trim()
  const junk = isJunkName(name)
  const fallback = junk || title === '' || HASH_LIKE.test(bare) || HASH_LIKE.test(title) || !/[\p{L}\p{N}]/u.test(title)
  const seasons = [...new Set(seasonsIn.length ? seasonsIn : seasonFromWord ? [seasonFromWord] : [])].sort(
    (a, b) => a - b,
  )
  const episodes = [...new Set(episodesIn)].sort((a, b) => a - b)
  const year = yearText && /^\d{4}$/.test(yearText) ? Number(yearText) : undefined
  // "How.I.Met.Your.Mother.COMPLETE.SERIES": a series without season or episode numbers.
  const completeSeries = COMPLETE_SERIES.test(name)
  const hasEpisodeMarker = seasons.length > 0 || episodes.length > 0 || completeSeries
  const isSeasonPack =
    episodes.length === 0 && (seasons.length > 0 || completeSeries || (r.complete === true && hasEpisodeMarker))
  const out: ParsedRelease = {
    title: fallback ? cleanTitle(bare).slice(0, 200) : title,
    seasons,
    isSeasonPack,
    hasEpisodeMarker,
    languages: r.languages ?? [],
    repack: r.repack === true,
    proper: r.proper === true,
    fallback,
  }
  if (aka && !fallback) out.aka = aka
  const keptAliases = [...new Set(aliases)].filter((a) => normaliseTitle(a) !== normaliseTitle(out.title))
  if (keptAliases.length && !fallback) out.aliases = keptAliases
  if (junk) out.junk = true
  if (year !== undefined && year >= 1870 && year <= 2100) {
    out.year = year
    const end = yearEndText ? Number(yearEndText) : undefined
    if (end !== undefined && end > year && end <= 2100) out.yearEnd = end
  }
  if (r.country && !fallback) out.country = r.country.toUpperCase()
  if (r.date && /^\d{4}-\d{2}-\d{2}$/.test(r.date) && seasons.length === 0 && episodes.length === 0 && !junk) {
    out.airDate = r.date
  }
  if (episodes.length > 0 && seasons.length === 0 && !fallback) out.absolute = true
  if (seasons[0] !== undefined) out.season = seasons[0]
  if (episodes[0] !== undefined) out.episode = episodes[0]
  if (episodes.length > 1) out.episodes = episodes
  if (r.resolution) out.resolution = r.resolution
  if (r.quality) out.source = r.quality
  if (r.codec) out.codec = r.codec
  if (r.group) out.group = cleanTitle(r.group)
  return out
}

function parseTorrentTitleSafe(name: string): ParsedResult {
  try {
    return parseTorrentTitle(name)
  } catch {
    return { title: name }
  }
}

function romanOrNumber(s: string): number | undefined {
  if (/^\d+$/.test(s)) return Number(s)
  const values: Record<string, number> = { i: 1, v: 5, x: 10 }
  let total = 0
  const chars = s.toLowerCase().split('')
  chars.forEach((c, i) => {
    const v = values[c] ?? 0
    const next = values[chars[i + 1] ?? ''] ?? 0
    total += v < next ? -v : v
  })
  return total > 0 ? total : undefined
}

/**
 * Movie or series: the Torznab category first; for uncategorised torrents, explicit episode markers
 * (SxxEyy, "Season 2", anime episode numbers) make a series; a year never does.
 */
export function mediaKindOf(category: Category | string | null | undefined, parsed: ParsedRelease): MediaKind {
  if (category === 'movies') return 'movie'
  if (category === 'series') return 'series'
  return parsed.hasEpisodeMarker ? 'series' : 'movie'
}

/** Leading articles dropped by the normaliser (English, French, Spanish, Italian, German). */
const LEADING_ARTICLES = new Set([
  'the',
  'a',
  'an',
  'le',
  'la',
  'les',
  'l',
  'el',
  'los',
  'las',
  'il',
  'lo',
  'gli',
  'der',
  'das',
])

/**
 * The grouping form of a title: accents and case folded, "&" → "and", apostrophes dropped,
 * punctuation → spaces, runs of single letters (dotted initials) joined into one word, one leading
 * article (never initials) and a trailing year (1900–2039) removed.
 * "The Lord of the Rings: The Two Towers (2002)" → "lord of the rings the two towers".
 */
export function normaliseTitle(title: string): string {
  const words = title
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .normalize('NFC') // recompose what is not an accent (Hangul syllables)
    .toLowerCase()
    .replace(/[ßæœø]/g, (c) => ({ ß: 'ss', æ: 'ae', œ: 'oe', ø: 'o' })[c] ?? c)
    .replace(/&/g, ' and ')
    .replace(/['’`´]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()
    .split(' ')
    .filter(Boolean)
  // Dotted initials ("L.A.", "A.I.", "S.H.I.E.L.D.", read by the parser as "L A", "A I") are one word
  // and never an article: "L.A. Confidential" → "la confidential", not "a confidential".
  const initialsFirst = words.length > 1 && /^[a-z]$/.test(words[0] ?? '') && /^[a-z]$/.test(words[1] ?? '')
  for (let i = 0; i < words.length - 1; i++) {
    if (!/^[a-z]$/.test(words[i] ?? '') || !/^[a-z]$/.test(words[i + 1] ?? '')) continue
    let j = i
    while (j < words.length && /^[a-z]$/.test(words[j] ?? '')) j++
    words.splice(i, j - i, words.slice(i, j).join(''))
  }
  if (!initialsFirst && words.length > 1 && LEADING_ARTICLES.has(words[0] ?? '')) words.shift()
  const last = words[words.length - 1] ?? ''
  if (words.length > 1 && /^(19\d\d|20[0-3]\d)$/.test(last)) words.pop()
  return words.join(' ')
}
