/** Ranking quality against a known truth: NDCG@k and Kendall's τ-b. */

/**
 * NDCG@k of `ranking` (ids, best first) where an id's gain is `gain(id)` (here: its true demand).
 * 1 = the top k are the true top k in the right order; ids without gain count 0.
 */
export function ndcgAt(
  k: number,
  ranking: readonly number[],
  gain: (id: number) => number,
  allIds: readonly number[],
): number {
  const dcg = (ids: readonly number[]) =>
    ids.slice(0, k).reduce((sum, id, i) => sum + Math.max(0, gain(id)) / Math.log2(i + 2), 0)
  const ideal = [...allIds].sort((a, b) => gain(b) - gain(a))
  const best = dcg(ideal)
  return best > 0 ? dcg(ranking) / best : 1
}

/** Kendall's τ-b between two paired samples (ties handled); O(n²), fine for a few thousand. */
export function kendallTauB(x: readonly number[], y: readonly number[]): number {
  const n = Math.min(x.length, y.length)
  let concordant = 0
  let discordant = 0
  let tieX = 0
  let tieY = 0
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const dx = Math.sign((x[i] as number) - (x[j] as number))
      const dy = Math.sign((y[i] as number) - (y[j] as number))
      if (dx === 0 && dy === 0) continue
      if (dx === 0) tieX++
      else if (dy === 0) tieY++
      else if (dx === dy) concordant++
      else discordant++
    }
  }
  const denom = Math.sqrt((concordant + discordant + tieX) * (concordant + discordant + tieY))
  return denom > 0 ? (concordant - discordant) / denom : 0
}
