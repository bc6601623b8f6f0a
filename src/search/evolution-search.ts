/**
 * Regularized evolution (Real et al. 2019, "aging evolution"), the second baseline beside random
 * search (`search.strategy: evolution`), on the same evaluator and budget:
 *
 *   start     the first `population` samples are the random search's own (same seed, same window
 *             of ±10% around the cost target), trained with the candidates' schedule
 *   children  `evaluation.workers` per generation: each draws `tournament` members of the
 *             population, takes the most accurate as its parent and changes one of the decisions
 *             that matter in it to another choice — kept when it is new, meets the constraints and
 *             is priced within the same window (else another mutation; after MUTATION_TRIES, a
 *             fresh uniform sample)
 *   aging     the population is always the youngest `population` trained: the oldest leave,
 *             however accurate, which is what regularizes the search
 *
 * until `search.samples` architectures are trained. Fitness is the evaluator's test accuracy, the
 * measure the evaluation chooses by for every strategy. Everything is a function of the seed and the
 * trainings' results, which are bit-identical run to run: a resumed search replays its generations,
 * reading the trained ones back from evaluation/ (trainSearchSamples).
 */
import type { Arch } from '../space/arch.js';
import { canonicalKey } from '../space/canonical-arch.js';
import type { SearchConfig } from '../space/config.js';
import { createRng, deriveSeed, randomInt, shuffle, type Rng } from '../util/random.js';
import { UsageError } from '../util/errors.js';
import { admitWithinTarget, DRAWS_PER_SAMPLE, drawWithinTarget, randomStrategy, uniformProbability } from './random-search.js';
import { sampledSearch, type SampledSearchRun, type SamplingStrategy, type StrategySample } from './sampled-search.js';
import type { SearchResult, SearchRunOptions } from './search-run.js';

/** Mutations of one parent tried before a child is drawn uniformly instead. */
const MUTATION_TRIES = 100;

/** Trains the architectures given (every one so far, in order) and gives each one's test accuracy (undefined: its training failed). */
export type TrainForFitness = (archs: readonly Arch[]) => Promise<readonly (number | undefined)[]>;

export interface EvolutionSettings {
  population: number;
  tournament: number;
  /** Children trained side by side per generation. */
  generation: number;
}

/** The config's evolution sizes with its defaults resolved, for `samples` trained in all. */
export function evolutionSettings(config: SearchConfig, samples: number): EvolutionSettings {
  const population = Math.min(samples, config.search.population > 0 ? config.search.population : Math.max(2, Math.ceil(samples / 2)));
  const tournament = Math.min(population, config.search.tournament > 0 ? config.search.tournament : Math.max(2, Math.round(population / 4)));
  return { population, tournament, generation: Math.max(1, config.evaluation.workers) };
}

/**
 * `parent` with one decision that matters in it changed, when that names a valid architecture that
 * admitWithinTarget keeps (new, within the constraints and the target window); else undefined.
 */
function mutate(run: SampledSearchRun, parent: StrategySample, rng: Rng, seen: Set<string>): StrategySample | undefined {
  const active = run.space.activeVariables(parent.indices);
  const open = run.space.variables.map((v, i) => i).filter((i) => active[i] && run.space.variables[i]!.choices.length > 1);
  if (open.length === 0) return undefined;
  const variable = open[randomInt(rng, open.length)]!;
  const choices = run.space.variables[variable]!.choices.length;
  const raw = [...parent.indices];
  raw[variable] = (raw[variable]! + 1 + randomInt(rng, choices - 1)) % choices;
  let arch: Arch;
  try {
    arch = run.space.decode(raw);
  } catch {
    return undefined; // decisions that together make no architecture
  }
  const kept = admitWithinTarget(run.space, run.cost, run.target, seen, run.space.encode(arch), arch);
  return kept && { ...kept, derivation: 'mutation', probability: uniformProbability(run.space, kept.indices) };
}

/** The regularized-evolution strategy; `train` trains each generation (search-pipeline.ts: on the evaluation's workers). */
export function evolutionStrategy(train: TrainForFitness): SamplingStrategy {
  return {
    name: 'evolution',
    async sample(run, count, log) {
      const settings = evolutionSettings(run.config, count);
      const { population, tournament, generation } = settings;
      const first = await randomStrategy.sample(run, population, () => {});
      const samples: StrategySample[] = [...first.samples];
      let draws = first.draws;
      const seen = new Set(samples.map((s) => canonicalKey(s.arch)));
      const rng = createRng(deriveSeed(run.config.seed, 'evolution'));
      const fitnessOf = async () => (await train(samples.map((s, i) => run.candidateArch(i, s)))).map((a) => a ?? Number.NEGATIVE_INFINITY);
      log(`evolution: population ${population}, tournament ${tournament}, ${generation} child(ren) a generation, ${count} architectures in all`);
      let fitness = await fitnessOf();
      while (samples.length < count) {
        const alive = samples.map((_, i) => i).slice(-population);
        const children = Math.min(generation, count - samples.length);
        for (let c = 0; c < children; c++) {
          const drawn = shuffle(rng, [...alive]).slice(0, tournament);
          // the most accurate; ties to the younger (drawn order is random, so take the larger index)
          const parent = drawn.reduce((best, i) => (fitness[i]! > fitness[best]! || (fitness[i] === fitness[best] && i > best) ? i : best));
          let child: StrategySample | undefined;
          for (let t = 0; t < MUTATION_TRIES && child === undefined; t++) {
            draws++;
            const m = mutate(run, samples[parent]!, rng, seen);
            if (m !== undefined) child = { ...m, parent };
          }
          // A parent with no new neighbour in the window: a fresh uniform sample keeps the budget spent.
          for (let t = 0; t < DRAWS_PER_SAMPLE && child === undefined; t++) {
            draws++;
            const fresh = drawWithinTarget(run.space, run.cost, run.target, rng, seen);
            if (fresh !== undefined) child = { ...fresh, derivation: 'random', probability: uniformProbability(run.space, fresh.indices) };
          }
          if (child === undefined)
            throw new UsageError(
              `search space ${run.space.name}: evolution found no new architecture within the cost target; lower search.samples or move the target`,
            );
          samples.push(child);
        }
        fitness = await fitnessOf();
        const best = Math.max(...fitness);
        log(`evolution: ${samples.length} of ${count} trained${Number.isFinite(best) ? `, best test accuracy ${(best * 100).toFixed(2)}%` : ''}`);
      }
      return { samples, draws, log: { evolution: settings } };
    },
  };
}

/** An evolution search in a new run directory (`{ config, out }`) or the one in `{ resume }` (sampled-search.ts). */
export function evolutionSearch(
  start: { config: SearchConfig; out: string } | { resume: string },
  options: Omit<SearchRunOptions, 'out'> & { train: TrainForFitness },
): Promise<SearchResult> {
  const { train, ...rest } = options;
  return sampledSearch(start, rest, evolutionStrategy(train));
}
