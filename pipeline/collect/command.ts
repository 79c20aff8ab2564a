/**
 * `torrents stats [-c CATEGORY] [-t TRACKER]`: scrape trackers (HTTP: BEP 48, UDP: BEP 15) for the
 * seeders, leechers and completed of every torrent whose status is in [torrents_manager]
 * candidates_status and that is linked to the tracker; store them in `stats` at the run clock
 * truncated to the minute. Trackers run side by side; one slow or dead tracker holds up no other.
 */
import { SingleBar } from 'cli-progress'
import pLimit from 'p-limit'
import { CATEGORIES, type Category } from '../../schema/tables.ts'
import type { Config, TrackerConfig } from '../config/schema.ts'
import { type Context, httpPolicy, type StepResult } from '../context.ts'
import { UserError } from '../core/errors.ts'
import type { Logger } from '../core/log.ts'
import { upsertTrackers } from '../db/trackers.ts'
import { announceUrl, ScrapeError } from './protocol.ts'
import { failureLines, makeScraper, type Scraper, scrapeTracker, type TrackerOutcome, type Tuning } from './scrape.ts'
import { candidates, StatsWriter, statsTime } from './store.ts'

const INFO_HASH = /^[0-9a-f]{40}$/

export interface TorrentsStatsOptions {
  categories: string[]
  /** Tracker name from trackers.yaml; undefined = every active tracker. */
  tracker?: string
}

/** Network settings from the config: [requests] timeout, [retry] tries/delay, BEP 15 waits. */
export function tuningFrom(config: Config): Tuning {
  const http = httpPolicy(config)
  return {
    timeoutMs: http.timeoutMs,
    tries: http.tries,
    delayMs: http.delayMs,
    maxRetryAfterMs: http.maxRetryAfterMs ?? 60_000,
    userAgent: http.userAgent,
    batchSize: config.requests.batch_size,
    udpFirstWaitMs: Math.min(15_000, config.requests.timeout * 1000),
  }
}

function chooseTrackers(config: Config, name: string | undefined, log: Logger): TrackerConfig[] {
  const all = Object.values(config.trackers.entries)
  if (name !== undefined) {
    const t = config.trackers.entries[name]
    if (!t) {
      throw new UserError(
        `-t ${name}: no such tracker in ${config.trackers.tracker_file}` +
          (all.length ? ` (known: ${all.map((x) => x.name).join(', ')})` : ' (the file lists no tracker)'),
      )
    }
    if (!t.active)
      log.info(`tracker ${name} is inactive in ${config.trackers.tracker_file}; scraping it since -t names it`)
    return [t]
  }
  return all.filter((t) => t.active)
}

function parseCategories(list: readonly string[]): Category[] {
  const bad = list.filter((c) => !(CATEGORIES as readonly string[]).includes(c))
  if (bad.length) throw new UserError(`-c ${bad.join(',')}: unknown category (expected ${CATEGORIES.join(', ')})`)
  return [...new Set(list)] as Category[]
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`

export async function torrentsStats(
  ctx: Context,
  opts: TorrentsStatsOptions,
  overrides: Partial<Tuning> = {},
): Promise<StepResult> {
  const config = ctx.config()
  const log = ctx.log('collect')
  const categories = parseCategories(opts.categories)
  const chosen = chooseTrackers(config, opts.tracker, log)
  const result: StepResult = {
    counts: { trackers: 0, torrents: 0, answered: 0, unknown: 0, failed: 0 },
    errors: [],
    ok: true,
  }
  if (chosen.length === 0) {
    log.warn(`no active tracker in ${config.trackers.tracker_file}: nothing to scrape`)
    return result
  }
  const db = ctx.db()
  const ids = upsertTrackers(db, chosen)
  const tuning = { ...tuningFrom(config), ...overrides }
  const time = statsTime(ctx.clock.nowSeconds())
  const writer = new StatsWriter(db, time)
  const globalLimit = pLimit(config.requests.total_concurrency)

  // Scrapers and their torrents, tracker by tracker.
  const jobs: { t: TrackerConfig; scraper: Scraper; torrents: ReturnType<typeof candidates> }[] = []
  for (const t of chosen) {
    const trackerId = ids.get(t.name)
    if (trackerId === undefined) continue
    const all = candidates(db, trackerId, config.torrents_manager.candidates_status, categories)
    const torrents = all.filter((c) => INFO_HASH.test(c.infoHash))
    result.counts.torrents = (result.counts.torrents ?? 0) + all.length
    result.counts.trackers = (result.counts.trackers ?? 0) + 1
    if (torrents.length < all.length) {
      const bad = all.filter((c) => !INFO_HASH.test(c.infoHash))
      const msg = `tracker ${t.name}: ${bad.length} torrent(s) with an invalid info hash not scraped (torrent id ${bad
        .slice(0, 5)
        .map((c) => `${c.id} "${c.infoHash}"`)
        .join(', ')}${bad.length > 5 ? ', …' : ''})`
      result.errors.push(msg)
      result.counts.failed = (result.counts.failed ?? 0) + bad.length
    }
    if (torrents.length === 0) {
      log.info(`${t.name}: no torrent to scrape`)
      continue
    }
    let scraper: Scraper
    try {
      scraper = makeScraper(announceUrl(t), tuning, ctx.log(`collect:${t.name}`))
    } catch (err) {
      const msg = `tracker ${t.name}: ${err instanceof ScrapeError ? err.message : String(err)}; ${torrents.length} torrent(s) not scraped`
      result.errors.push(msg)
      result.counts.failed = (result.counts.failed ?? 0) + torrents.length
      continue
    }
    jobs.push({ t, scraper, torrents })
  }

  const totalBatches = jobs.reduce((n, j) => n + Math.ceil(j.torrents.length / j.scraper.maxBatch), 0)
  const started = performance.now()
  let hashesDone = 0
  const bar =
    process.stderr.isTTY && totalBatches > 0
      ? new SingleBar({
          stream: process.stderr,
          format:
            'torrents stats [{bar}] {value}/{total} batches | {hashes} hashes | {rate} hashes/s | ETA {eta_formatted}',
          hideCursor: true,
          clearOnComplete: true,
        })
      : undefined
  bar?.start(totalBatches, 0, { hashes: 0, rate: 0 })

  const outcomes: TrackerOutcome[] = []
  try {
    await Promise.all(
      jobs.map(async ({ t, scraper, torrents }) => {
        try {
          const outcome = await scrapeTracker({
            name: t.name,
            trackerId: ids.get(t.name) as number,
            scraper,
            torrents,
            concurrency: config.requests.concurrency,
            globalLimit,
            giveUpAfter: tuning.giveUpAfter,
            onRows: (rows) => writer.add(rows),
            onBatch: (n) => {
              hashesDone += n
              const rate = Math.round(hashesDone / Math.max(0.001, (performance.now() - started) / 1000))
              bar?.increment(1, { hashes: hashesDone, rate })
            },
          })
          outcomes.push(outcome)
        } finally {
          await scraper.close()
        }
      }),
    )
  } finally {
    bar?.stop()
    const written = writer.finish(config.sqlite.path)
    if (written.error) {
      result.errors.push(written.error)
      result.counts.failed = (result.counts.failed ?? 0) + written.lost
    }
  }

  for (const o of outcomes.sort((a, b) => a.name.localeCompare(b.name))) {
    result.counts.answered = (result.counts.answered ?? 0) + o.answered
    result.counts.unknown = (result.counts.unknown ?? 0) + o.unknown
    result.counts.failed = (result.counts.failed ?? 0) + o.failed
    result.errors.push(...failureLines(o))
    const rate = o.ms > 0 ? Math.round((o.torrents / o.ms) * 1000) : 0
    log.info(
      `${o.name}: answered ${o.answered}, unknown ${o.unknown}, failed ${o.failed} in ${seconds(o.ms)} (${o.batches} batches, ${rate} hashes/s)`,
    )
  }
  result.ok = result.errors.length === 0 && (result.counts.failed ?? 0) === 0
  return result
}
