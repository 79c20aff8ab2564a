/**
 * Moves a real tracker's swarms to simulated states with real announces, incrementally: each
 * torrent keeps its own peers (told apart by port), so going from one state to the next sends only
 * the announces a real swarm would see: new downloaders `started`, finished ones `completed`,
 * departures `stopped`. The tracker's scrape then answers what the simulator says.
 */
import pLimit from 'p-limit'
import type { AnnounceParams, LoopbackTracker, SwarmShape } from '../servers/tracker.ts'

interface Peer {
  peerId: string
  port: number
}

const FIRST_PORT = 1024
const LAST_PORT = 65_535

function peerIdFor(infoHash: string, port: number): string {
  // 20 bytes as 40 hex: "-MS0001-" style prefix, then the port and a slice of the hash.
  return `2d4d53303030312d${port.toString(16).padStart(8, '0')}${infoHash.slice(0, 16)}`
}

export class SwarmDriver {
  private readonly seeders: Peer[] = []
  private readonly leechers: Peer[] = []
  private completed = 0
  private nextPort = FIRST_PORT

  constructor(readonly infoHash: string) {}

  private newPeer(): Peer {
    if (this.nextPort > LAST_PORT) this.nextPort = FIRST_PORT // ports of long-gone peers are reused
    const port = this.nextPort++
    return { peerId: peerIdFor(this.infoHash, port), port }
  }

  /**
   * The announces that take the swarm to `target`, in two waves (the second after the first has
   * been answered): arrivals first, then completions and departures. `completed` never goes back.
   */
  plan(target: SwarmShape): AnnounceParams[][] {
    const h = this.infoHash
    const arrive: AnnounceParams[] = []
    const after: AnnounceParams[] = []
    const S = Math.max(0, Math.round(target.seeders))
    const L = Math.max(0, Math.round(target.leechers))
    const toComplete = Math.max(0, Math.round(target.completed) - this.completed)

    // Downloads finished since last time: leechers (new ones if need be) announce `completed`.
    while (this.leechers.length < toComplete) {
      const p = this.newPeer()
      this.leechers.push(p)
      arrive.push({ infoHash: h, ...p, left: 1_000_000, event: 'started' })
    }
    for (const p of this.leechers.splice(0, toComplete)) {
      this.seeders.push(p)
      after.push({ infoHash: h, ...p, left: 0, event: 'completed' })
    }
    this.completed += toComplete
    // Current downloaders.
    while (this.leechers.length < L) {
      const p = this.newPeer()
      this.leechers.push(p)
      arrive.push({ infoHash: h, ...p, left: 1_000_000, event: 'started' })
    }
    for (const p of this.leechers.splice(0, this.leechers.length - L)) {
      after.push({ infoHash: h, ...p, left: 1_000_000, event: 'stopped' })
    }
    // Seeders: the oldest leave first; the uploader (and re-seeders) join as seeds.
    while (this.seeders.length < S) {
      const p = this.newPeer()
      this.seeders.push(p)
      arrive.push({ infoHash: h, ...p, left: 0, event: 'started' })
    }
    for (const p of this.seeders.splice(0, this.seeders.length - S)) {
      after.push({ infoHash: h, ...p, left: 0, event: 'stopped' })
    }
    return [arrive, after]
  }

  get state(): SwarmShape {
    return { seeders: this.seeders.length, leechers: this.leechers.length, completed: this.completed }
  }
}

/** Apply many drivers' plans to the tracker, `concurrency` announces in flight; returns the count. */
export async function applyPlans(
  tracker: LoopbackTracker,
  plans: AnnounceParams[][][],
  opts: { concurrency?: number; transport?: 'http' | 'udp' } = {},
): Promise<number> {
  const limit = pLimit(opts.concurrency ?? 32)
  let sent = 0
  for (const wave of [0, 1]) {
    const all = plans.flatMap((p) => p[wave] ?? [])
    await Promise.all(
      all.map((a, i) =>
        limit(async () => {
          await tracker.announce(a, opts.transport ?? (i % 2 === 0 ? 'http' : 'udp'))
          sent++
        }),
      ),
    )
  }
  return sent
}
