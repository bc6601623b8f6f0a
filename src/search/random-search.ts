/**
 * Random search: the baseline a NAS method has to beat (Li & Talwalkar 2019; Yang et al. 2020),
 * run as a search of its own (`search.strategy: random`) so that the supernet's value is measured:
 *
 *   draw      architectures of the same space uniformly per decision (SearchSpace.sampleIndices),
 *             from the config's seed, distinct by function (canonicalKey)
 *   keep      those whose predicted cost (the same cost model the supernet prices with: the latency
 *             table or BOPs) lies within ±10% of the same cost target — the window the supernet's
 *             derivation fits its architecture into (derive.ts, TARGET_TOLERANCE)
 *   evaluate  `search.samples` of them as the supernet's candidates are (sampled-search.ts: the run
 *             directory, candidates.json; search-evaluation.ts trains, tests, packs and times them)
 */
import type { Arch } from '../space/arch.js';
import { canonicalKey } from '../space/canonical-arch.js';
import type { SearchSpace } from '../space/search-space.js';
import { UsageError } from '../util/errors.js';
import { createRng, deriveSeed, type Rng } from '../util/random.js';
import type { SearchConfig } from '../space/config.js';
import { TARGET_TOLERANCE } from './derive.js';
import { sampledSearch, type SampledArch, type SamplingStrategy } from './sampled-search.js';
import type { SearchResult, SearchRunOptions } from './search-run.js';

/** Draws per wanted sample before a search gives up on the target. */
export const DRAWS_PER_SAMPLE = 2000;

export interface SampleWithinTargetResult {
  samples: SampledArch[];
  /** Architectures drawn to find them. */
  draws: number;
}

/** Whether `cost` lies in the window around `target` that the searches fit into (any cost without a target). */
export function withinTarget(cost: number, target: number | undefined): boolean {
  return target === undefined || Math.abs(cost - target) <= TARGET_TOLERANCE * target;
}

/**
 * The sample an architecture of `space` makes when it is not in `seen` (it joins it either way), meets
 * the space's constraints and, with a target, is priced within ±TARGET_TOLERANCE of it; else undefined.
 * What every sampling strategy keeps, drawn or mutated.
 */
export function admitWithinTarget(
  space: SearchSpace,
  cost: (arch: Arch) => number,
  target: number | undefined,
  seen: Set<string>,
  indices: number[],
  arch: Arch,
): SampledArch | undefined {
  const key = canonicalKey(arch);
  if (seen.has(key)) return undefined;
  seen.add(key);
  if (space.violations(arch).length > 0) return undefined;
  const c = cost(arch);
  return withinTarget(c, target) ? { indices, arch, cost: c } : undefined;
}

/** One uniform draw of `space`, kept as admitWithinTarget keeps it. */
export function drawWithinTarget(
  space: SearchSpace,
  cost: (arch: Arch) => number,
  target: number | undefined,
  rng: Rng,
  seen: Set<string>,
): SampledArch | undefined {
  const indices = space.sampleIndices(rng);
  return admitWithinTarget(space, cost, target, seen, indices, space.decode(indices));
}

/**
 * `count` distinct architectures of `space` drawn uniformly from `seed` (drawWithinTarget); the
 * first n of them are the same for any count ≥ n.
 */
export function sampleWithinTarget(
  space: SearchSpace,
  cost: (arch: Arch) => number,
  target: number | undefined,
  count: number,
  seed: number,
): SampleWithinTargetResult {
  const rng = createRng(deriveSeed(seed, 'random search'));
  const seen = new Set<string>();
  const samples: SampledArch[] = [];
  const maxDraws = count * DRAWS_PER_SAMPLE;
  let draws = 0;
  while (samples.length < count && draws < maxDraws) {
    draws++;
    const sample = drawWithinTarget(space, cost, target, rng, seen);
    if (sample !== undefined) samples.push(sample);
  }
  if (samples.length < count) {
    const window = target !== undefined ? ` within ±${TARGET_TOLERANCE * 100}% of the cost target ${Number(target.toPrecision(4))}` : '';
    throw new UsageError(
      `search space ${space.name}: only ${samples.length} of the ${count} distinct architectures asked${window} in ${draws} draws; ` +
        'lower search.samples or move the target',
    );
  }
  return { samples, draws };
}

/** The probability of drawing `indices` uniformly: one over the choices of every variable that matters. */
export function uniformProbability(space: SearchSpace, indices: readonly number[]): number {
  const active = space.activeVariables(indices);
  return space.variables.reduce((p, v, i) => (active[i] ? p / v.choices.length : p), 1);
}

/** The random-search strategy: `count` uniform samples within the target. */
export const randomStrategy: SamplingStrategy = {
  name: 'random',
  sample(run, count, log) {
    const { samples, draws } = sampleWithinTarget(run.space, run.cost, run.target, count, run.config.seed);
    log(`random search: ${count} architectures within the cost target in ${draws} draws`);
    return Promise.resolve({ samples: samples.map((s) => ({ ...s, derivation: 'random', probability: uniformProbability(run.space, s.indices) })), draws });
  },
};

/** A random search in a new run directory (`{ config, out }`) or the one in `{ resume }` (sampled-search.ts). */
export function randomSearch(start: { config: SearchConfig; out: string } | { resume: string }, options: Omit<SearchRunOptions, 'out'>): Promise<SearchResult> {
  return sampledSearch(start, options, randomStrategy);
}
