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

/**
 * K = min(ceil(tau·N), max_trendings), computed in float64 exactly as the older tool did
 * (`np.ceil(tau * n)`): 0.28·25 is 7.000000000000001 there, so K is 8; 0.2·15 is exactly 3.
 */
export function trendingCount(candidates: number, tau: number, maxTrendings: number): number {
  const k = Math.ceil(tau * candidates)
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

/**
 * Round to `digits` decimals as numpy and pandas do (`np.round`, `Series.round`): x·10^d rounded half
 * to even, then divided back, in float64. 3.125 → 3.12 and 53.125 → 53.12 (exact halves go to the
 * even neighbour); 1.005 → 1 (1.005·100 is 100.49999999999999 in float64).
 */
export function roundTo(x: number, digits: number): number {
  const f = 10 ** digits
  return rint(x * f) / f
}

/** Round half to even (C's rint in the default rounding mode). */
export function rint(y: number): number {
  if (!Number.isFinite(y)) return y
  const lo = Math.floor(y)
  const diff = y - lo // exact in float64
  if (diff > 0.5) return lo + 1
  if (diff < 0.5) return lo
  return lo % 2 === 0 ? lo : lo + 1
}
