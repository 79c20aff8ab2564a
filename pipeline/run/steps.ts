/**
 * What `mediastrends run` does, in order (the older tool's Makefile DAG):
 *   for each active indexer/category  torrents add -i INDEXER -c CATEGORY
 *   for each active tracker           torrents stats -t TRACKER
 *   torrents trends compute, torrents status, movies compute, series compute, site data
 *
 * `planSteps` only builds the list (pure: no I/O until a step runs), so tests can inspect it or
 * replace it with steps of their own. Stage modules are imported when their step runs.
 */
import { type Config, FEED_CATEGORIES } from '../config/schema.ts'
import type { Context, StepResult } from '../context.ts'

export interface RunStep {
  /** The step's name in the runs table and the summary ("torrents add"). */
  name: string
  /** Indexer/category or tracker name, as `torrents add -i -c` / `torrents stats -t` record it. */
  target: string | null
  run(ctx: Context): Promise<StepResult>
}

export const stepLabel = (s: { name: string; target: string | null }): string =>
  s.target ? `${s.name} ${s.target}` : s.name

export interface PlanOptions {
  /**
   * 'per-tracker' (default): one `torrents stats -t NAME` step per active tracker, each with its own
   * runs row (runPipeline runs them side by side). 'together': one `torrents stats` step for every active
   * tracker, scraped side by side by collect under [requests] total_concurrency (faster when
   * trackers are many or slow; failures are still reported per tracker in the step's errors).
   */
  stats?: 'per-tracker' | 'together'
}

export function planSteps(config: Pick<Config, 'indexers' | 'trackers'>, opts: PlanOptions = {}): RunStep[] {
  const steps: RunStep[] = []
  for (const [indexer, entry] of Object.entries(config.indexers.entries)) {
    for (const category of FEED_CATEGORIES) {
      if (!entry.categories[category]?.active) continue
      steps.push({
        name: 'torrents add',
        target: `${indexer}/${category}`,
        run: async (ctx) =>
          (await import('../ingest/command.ts')).torrentsAdd(ctx, { categories: [category], indexer }),
      })
    }
  }
  const active = Object.values(config.trackers.entries).filter((t) => t.active)
  if (opts.stats === 'together' && active.length > 0) {
    steps.push({
      name: 'torrents stats',
      target: null,
      run: async (ctx) => (await import('../collect/command.ts')).torrentsStats(ctx, { categories: [] }),
    })
  }
  for (const { name: tracker } of opts.stats === 'together' ? [] : active) {
    steps.push({
      name: 'torrents stats',
      target: tracker,
      run: async (ctx) => (await import('../collect/command.ts')).torrentsStats(ctx, { categories: [], tracker }),
    })
  }
  steps.push(
    {
      name: 'torrents trends compute',
      target: null,
      run: async (ctx) => (await import('../score/command.ts')).trendsCompute(ctx, {}),
    },
    {
      name: 'torrents status',
      target: null,
      run: async (ctx) => (await import('../score/command.ts')).torrentsStatus(ctx),
    },
    {
      name: 'movies compute',
      target: null,
      run: async (ctx) => (await import('../group/command.ts')).mediaCompute(ctx, 'movie'),
    },
    {
      name: 'series compute',
      target: null,
      run: async (ctx) => (await import('../group/command.ts')).mediaCompute(ctx, 'series'),
    },
    {
      name: 'site data',
      target: null,
      run: async (ctx) => (await import('../publish/command.ts')).siteData(ctx),
    },
  )
  return steps
}
