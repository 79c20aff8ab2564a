/** The swarm simulator: seeded demand curves, true swarm states, noisy trackers, ranking metrics. */

export { BASELINES, type BaselineName, baselineScores } from './baselines.ts'
export { baseRate, CURVE_KINDS, type CurveKind, type DemandCurve, dayNightFactor, demandRate } from './demand.ts'
export {
  binomial,
  HARSH_KINDS,
  HARSH_TYPES,
  type HarshKind,
  type HarshOptions,
  type HarshScenario,
  HarshSwarm,
  type HarshSwarmSpec,
  type HarshType,
  harshBaseRate,
  harshDayNight,
  makeHarshScenario,
  poisson,
} from './harsh.ts'
export { kendallTauB, ndcgAt } from './metrics.ts'
export { hashSeed, mulberry32, type Rng, rng } from './rng.ts'
export { DEFAULT_TRACKERS, makeScenario, randomCurve, type Scenario, type ScenarioOptions } from './scenario.ts'
export { Swarm, type SwarmSpec, type SwarmState } from './swarm.ts'
export { type Observation, SimTracker, type TrackerSpec } from './tracker.ts'
