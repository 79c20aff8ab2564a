/**
 * The engines' input: tracker scrapes in columns (typed arrays), sorted by torrent, then time,
 * then tracker: the order of the `stats` primary key, so the database hands them over without a
 * sort. Columns keep millions of rows cheap (the benchmark scores ~3.7 M); `fromRows` builds one
 * from plain objects for tests and the simulator.
 */

/** One scrape as plain values (`completed` null when the tracker did not send it). */
export interface StatRow {
  torrent: number
  time: number // unix s
  tracker: number
  seeders: number
  leechers: number
  completed: number | null
}

export interface StatsTable {
  length: number
  torrent: Int32Array
  time: Float64Array
  tracker: Int32Array
  seeders: Float64Array
  leechers: Float64Array
  /** NaN where the tracker sent no completed count. */
  completed: Float64Array
  // (a NaN seeders or leechers value marks an unusable row: engines skip it)
}

export function allocStats(capacity: number): StatsTable {
  return {
    length: 0,
    torrent: new Int32Array(capacity),
    time: new Float64Array(capacity),
    tracker: new Int32Array(capacity),
    seeders: new Float64Array(capacity),
    leechers: new Float64Array(capacity),
    completed: new Float64Array(capacity),
  }
}

/** A copy with room for `capacity` rows (used while streaming rows of unknown count). */
export function growStats(t: StatsTable, capacity: number): StatsTable {
  const n = allocStats(capacity)
  n.length = t.length
  n.torrent.set(t.torrent.subarray(0, t.length))
  n.time.set(t.time.subarray(0, t.length))
  n.tracker.set(t.tracker.subarray(0, t.length))
  n.seeders.set(t.seeders.subarray(0, t.length))
  n.leechers.set(t.leechers.subarray(0, t.length))
  n.completed.set(t.completed.subarray(0, t.length))
  return n
}

/** Append one row (the caller keeps the sort order); grows the table when full. */
export function pushStat(
  t: StatsTable,
  torrent: number,
  time: number,
  tracker: number,
  seeders: number,
  leechers: number,
  completed: number | null,
): StatsTable {
  let table = t
  if (table.length === table.torrent.length) table = growStats(table, Math.max(1024, table.length * 2))
  const i = table.length++
  table.torrent[i] = torrent
  table.time[i] = time
  table.tracker[i] = tracker
  table.seeders[i] = seeders
  table.leechers[i] = leechers
  table.completed[i] = completed ?? Number.NaN
  return table
}

/** Build a table from rows in any order (sorted here by torrent, time, tracker). */
export function fromRows(rows: readonly StatRow[]): StatsTable {
  const sorted = [...rows].sort((a, b) => a.torrent - b.torrent || a.time - b.time || a.tracker - b.tracker)
  let t = allocStats(sorted.length)
  for (const r of sorted) t = pushStat(t, r.torrent, r.time, r.tracker, r.seeders, r.leechers, r.completed)
  return t
}

/**
 * Calls `fn(torrent, start, end)` for each torrent's run of rows [start, end). Rows must be
 * sorted by torrent (as the table guarantees).
 */
export function forEachTorrent(t: StatsTable, fn: (torrent: number, start: number, end: number) => void): void {
  let start = 0
  while (start < t.length) {
    const id = t.torrent[start] as number
    let end = start + 1
    while (end < t.length && t.torrent[end] === id) end++
    fn(id, start, end)
    start = end
  }
}

/** Row indices of [start, end) grouped by tracker (each group in time order). */
export function byTracker(t: StatsTable, start: number, end: number): Map<number, number[]> {
  const groups = new Map<number, number[]>()
  for (let i = start; i < end; i++) {
    const tr = t.tracker[i] as number
    let g = groups.get(tr)
    if (!g) {
      g = []
      groups.set(tr, g)
    }
    g.push(i)
  }
  return groups
}
