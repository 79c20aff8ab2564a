/**
 * Seeded randomness for the simulator: the same seed gives the same swarms and the same tracker
 * noise on every machine. `hashSeed` derives an independent stream from a tuple (seed, torrent,
 * tracker, time), so a noisy observation is a pure function of its coordinates.
 */

/** mulberry32: a small, fast 32-bit PRNG; returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Mix integers into one 32-bit seed (murmur3 finaliser on each step). */
export function hashSeed(...parts: number[]): number {
  let h = 0x9e3779b9
  for (const p of parts) {
    // fold doubles (times) into two 32-bit halves
    const lo = p >>> 0
    const hi = Math.floor(p / 4294967296) >>> 0
    for (const x of [lo, hi]) {
      h ^= x
      h = Math.imul(h ^ (h >>> 16), 0x85ebca6b)
      h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35)
      h ^= h >>> 16
    }
  }
  return h >>> 0
}

export interface Rng {
  next(): number
  uniform(lo: number, hi: number): number
  /** Standard normal (Box–Muller). */
  normal(): number
  /** Log-uniform in [lo, hi]: as many values per decade. */
  logUniform(lo: number, hi: number): number
  int(lo: number, hiExclusive: number): number
  pick<T>(items: readonly T[]): T
}

export function rng(seed: number): Rng {
  const next = mulberry32(seed)
  return {
    next,
    uniform: (lo, hi) => lo + (hi - lo) * next(),
    normal: () => {
      const u = 1 - next()
      const v = next()
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)
    },
    logUniform: (lo, hi) => Math.exp(Math.log(lo) + (Math.log(hi) - Math.log(lo)) * next()),
    int: (lo, hi) => lo + Math.floor((hi - lo) * next()),
    pick: (items) => items[Math.floor(items.length * next())] as (typeof items)[number],
  }
}
