/**
 * Scraping one tracker: split its torrents into batches, run them with bounded concurrency (per
 * tracker and across trackers), hand every answered batch to the writer at once, count answered /
 * unknown / failed, and give up early on a tracker that has answered nothing at all.
 */
import type { LimitFunction } from 'p-limit'
import pLimit from 'p-limit'
import type { Logger } from '../core/log.ts'
import { HttpScraper } from './http.ts'
import { isBadEntry, type ScrapeReply } from './protocol.ts'
import type { Candidate, StatRow } from './store.ts'
import { UdpScraper } from './udp.ts'

export interface Scraper {
  readonly url: string
  readonly maxBatch: number
  scrape(hashes: readonly string[]): Promise<ScrapeReply>
  close(): Promise<void>
}

export interface Tuning {
  /** Per request, ms ([requests] timeout). */
  timeoutMs: number
  /** Attempts per batch ([retry] tries). */
  tries: number
  /** First HTTP back-off, ms ([retry] delay). */
  delayMs: number
  /** Longest HTTP Retry-After waited for, ms. */
  maxRetryAfterMs: number
  userAgent: string
  batchSize: number
  /** First UDP wait, ms: BEP 15's 15 s, capped by [requests] timeout. */
  udpFirstWaitMs: number
  /** UDP connection id lifetime, ms (BEP 15: 60 s). */
  udpConnectionTtlMs?: number
  /** Failed batches (with none answered) after which the rest of a tracker's batches are skipped. */
  giveUpAfter?: number
}

export function makeScraper(url: string, t: Tuning, log?: Logger): Scraper {
  if (/^udp:/i.test(url)) {
    return new UdpScraper(url, {
      firstWaitMs: t.udpFirstWaitMs,
      tries: t.tries,
      connectionTtlMs: t.udpConnectionTtlMs,
      log,
    })
  }
  return new HttpScraper(url, {
    timeoutMs: t.timeoutMs,
    tries: t.tries,
    delayMs: t.delayMs,
    maxRetryAfterMs: t.maxRetryAfterMs,
    userAgent: t.userAgent,
    batchSize: t.batchSize,
    log,
  })
}

export interface BatchFailure {
  index: number
  hashes: number
  error: string
  /** Skipped without asking: the tracker had answered nothing so far. */
  skipped: boolean
}

export interface TrackerOutcome {
  name: string
  url: string
  torrents: number
  batches: number
  answered: number
  unknown: number
  failed: number
  answeredBatches: number
  failures: BatchFailure[]
  /** Answered batches with unreadable entries (those torrents are counted failed). */
  badEntries: { index: number; count: number; first: string }[]
  /** The tracker never answered a batch (every batch failed or was skipped). */
  silent: boolean
  ms: number
}

export interface ScrapeTrackerOptions {
  name: string
  trackerId: number
  scraper: Scraper
  torrents: readonly Candidate[]
  concurrency: number
  /** Shared across trackers ([requests] total_concurrency). */
  globalLimit: LimitFunction
  giveUpAfter?: number
  /** Every answered batch's rows, at once. */
  onRows(rows: StatRow[]): void
  /** After each batch (answered, failed or skipped). */
  onBatch?(hashes: number): void
}

export async function scrapeTracker(o: ScrapeTrackerOptions): Promise<TrackerOutcome> {
  const started = performance.now()
  const batches: Candidate[][] = []
  for (let i = 0; i < o.torrents.length; i += o.scraper.maxBatch)
    batches.push(o.torrents.slice(i, i + o.scraper.maxBatch))
  const out: TrackerOutcome = {
    name: o.name,
    url: o.scraper.url,
    torrents: o.torrents.length,
    batches: batches.length,
    answered: 0,
    unknown: 0,
    failed: 0,
    answeredBatches: 0,
    failures: [],
    badEntries: [],
    silent: false,
    ms: 0,
  }
  const giveUpAfter = Math.max(1, o.giveUpAfter ?? 2)
  let firstError: string | undefined
  const limit = pLimit(o.concurrency)
  await Promise.all(
    batches.map((batch, index) =>
      limit(async () => {
        const failedSoFar = out.failures.length
        if (out.answeredBatches === 0 && failedSoFar >= giveUpAfter) {
          out.failed += batch.length
          out.failures.push({ index, hashes: batch.length, error: firstError ?? 'skipped', skipped: true })
          o.onBatch?.(batch.length)
          return
        }
        try {
          const reply = await o.globalLimit(() => o.scraper.scrape(batch.map((c) => c.infoHash)))
          const rows: StatRow[] = []
          const bad: string[] = []
          for (const c of batch) {
            const e = reply.get(c.infoHash)
            if (!e) continue
            if (isBadEntry(e)) bad.push(e.error)
            else rows.push({ torrentId: c.id, trackerId: o.trackerId, ...e })
          }
          o.onRows(rows)
          out.answered += rows.length
          out.unknown += batch.length - rows.length - bad.length
          out.answeredBatches++
          if (bad.length) {
            // an unreadable entry costs its torrent only
            out.failed += bad.length
            out.badEntries.push({ index, count: bad.length, first: bad[0] ?? '' })
          }
        } catch (err) {
          const message = err instanceof Error ? err.message : String(err)
          firstError ??= message
          out.failed += batch.length
          out.failures.push({ index, hashes: batch.length, error: message, skipped: false })
        }
        o.onBatch?.(batch.length)
      }),
    ),
  )
  out.failures.sort((a, b) => a.index - b.index)
  out.silent = out.batches > 0 && out.answeredBatches === 0
  out.ms = performance.now() - started
  return out
}

/** Log/StepResult lines for a tracker's failures: one line for a silent tracker, else one per failed batch (capped). */
export function failureLines(o: TrackerOutcome, max = 10): string[] {
  const bad = o.badEntries.map(
    (b) =>
      `tracker ${o.name}: batch ${b.index + 1}/${o.batches}: ${b.count} unreadable entr${b.count === 1 ? 'y' : 'ies'} (${b.first})`,
  )
  if (o.failures.length === 0) return bad.slice(0, max)
  if (o.silent) {
    const first = o.failures.find((f) => !f.skipped) ?? o.failures[0]
    return [
      `tracker ${o.name} (${o.url}) answered nothing: ${first?.error ?? 'no reply'}; ${o.failed} torrent(s) in ${o.batches} batch(es) not scraped`,
    ]
  }
  const lines = o.failures
    .slice(0, max)
    .map(
      (f) =>
        `tracker ${o.name}: batch ${f.index + 1}/${o.batches} (${f.hashes} hashes) ${f.skipped ? 'skipped after earlier failures' : 'failed'}: ${f.error}`,
    )
  if (o.failures.length > max) lines.push(`tracker ${o.name}: … and ${o.failures.length - max} more failed batch(es)`)
  return [...lines, ...bad.slice(0, max)]
}
