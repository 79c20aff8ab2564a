/**
 * Shared by both engines: how many torrents trend, and the ranking with its tie-break.
 *
 * Ranking: score descending, then info hash ascending (so equal scores always come out in the
 * same order, whatever order the database returned them in). Ranks are 1-based and distinct.
 * Torrents without a score (nothing to score) are not ranked and never trend.
 */

export interface Ranked {
  torrent: number
  score: number
  rank: number
  trending: boolean
}

/** K = min(ceil(tau·N), maxTrendings); tau·N is rounded to 12 significant digits first (0.2·15 = 3, not 3.0000000000000004 → 4). */
export function trendingCount(candidates: number, tau: number, maxTrendings: number): number {
  const k = Math.ceil(Number((tau * candidates).toPrecision(12)))
  return Math.max(0, Math.min(k, maxTrendings, candidates))
}

export interface RankOptions {
  /** How many trend (the top K by rank). */
  k: number
  /** Only scores above zero may trend (the velocity engine: a swarm with no activity never trends). */
  positiveOnly?: boolean
}

/**
 * Rank `scores` (torrent id → score, null = no score). `hashOf` gives each torrent's info hash for
 * the tie-break.
 */
export function rankScores(
  scores: ReadonlyMap<number, number | null>,
  hashOf: (torrent: number) => string,
  opts: RankOptions,
): Ranked[] {
  const rows: { torrent: number; score: number; hash: string }[] = []
  for (const [torrent, score] of scores) {
    if (score === null || !Number.isFinite(score)) continue
    rows.push({ torrent, score, hash: hashOf(torrent) })
  }
  rows.sort((a, b) => b.score - a.score || (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : a.torrent - b.torrent))
  return rows.map((r, i) => ({
    torrent: r.torrent,
    score: r.score,
    rank: i + 1,
    trending: i < opts.k && (!opts.positiveOnly || r.score > 0),
  }))
}

/** Round half away from zero to `digits` decimals (1.005 → 1.01, which plain Math.round misses). */
export function roundTo(x: number, digits: number): number {
  const f = 10 ** digits
  return (Math.sign(x) * Math.round(Number((Math.abs(x) * f).toPrecision(15)))) / f
}
