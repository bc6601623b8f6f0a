/**
 * Random search: the baseline a NAS method has to beat (Li & Talwalkar 2019; Yang et al. 2020),
 * run as a search of its own (`search.strategy: random`) so that the supernet's value is measured:
 *
 *   draw      architectures of the same space uniformly per decision (SearchSpace.sampleIndices),
 *             from the config's seed, distinct by function (canonicalKey)
 *   keep      those whose predicted cost (the same cost model the supernet prices with: the latency
 *             table or BOPs) lies within ±10% of the same cost target — the window the supernet's
 *             derivation fits its architecture into (derive.ts, TARGET_TOLERANCE)
 *   evaluate  `search.samples` of them as the supernet's candidates are: candidates.json, then
 *             search-evaluation.ts trains them with the candidates' schedule (KD from the same
 *             teacher), tests, packs, times them and chooses the best within the target
 *
 * The run directory is a search run directory (search-directory.ts) whose search.json says
 * `strategy: random` and holds no epochs; a resumed run reads its samples back from candidates.json.
 */
import { existsSync } from 'node:fs';
import { saveArch } from '../space/arch-file.js';
import type { Arch } from '../space/arch.js';
import { canonicalKey } from '../space/canonical-arch.js';
import type { SearchConfig } from '../space/config.js';
import { spaceFromConfig } from '../space/config-space.js';
import type { SearchSpace } from '../space/search-space.js';
import { needsTeacher } from '../distill/index.js';
import { obtainTeacher } from '../train/teacher-run.js';
import { writeJsonAtomic } from '../util/atomic-write.js';
import { UsageError } from '../util/errors.js';
import { withRunLockAsync } from '../util/run-lock.js';
import { createRng, deriveSeed } from '../util/random.js';
import { VERSION } from '../util/version.js';
import { resolveCostTarget } from './cost-objective.js';
import { archCost } from './cost-model.js';
import { TARGET_TOLERANCE } from './derive.js';
import {
  CANDIDATES_FORMAT,
  pathInRun,
  readCandidatesFile,
  readSearchConfig,
  readSearchLog,
  searchFile,
  writeSearchConfig,
  type CandidatesFile,
  type SearchCandidate,
  type SearchLog,
} from './search-directory.js';
import { checkNewSearchDir, emptySearchLog, templateCost, type SearchResult, type SearchRunOptions } from './search-run.js';
import { supernetLayout } from './supernet-layout.js';

/**
 * A supernet step costs about this many steps of the space's largest architecture (`groupnas bench
 * supernet-step`: 1.49–1.77× on the bundled spaces, α steps included).
 */
export const SUPERNET_STEP_COST = 1.5;

/** Draws per wanted sample before a random search gives up on the target. */
const DRAWS_PER_SAMPLE = 2000;

/**
 * How many architectures a random search trains: `search.samples`, or (0) what the supernet search
 * of the same config spends — its candidates, plus its supernet epochs counted in candidate trainings
 * (an epoch trains on the (1 − archValFraction) share of the images at SUPERNET_STEP_COST per step; a
 * candidate trains `evaluation.epochs` epochs on all of them). Candidates are smaller than the
 * largest architecture, so this slightly favours the supernet; the reports give both runs' seconds.
 */
export function randomSearchSamples(config: SearchConfig): number {
  if (config.search.samples > 0) return config.search.samples;
  const supernetEpochs = config.search.epochs * (1 - config.data.archValFraction) * SUPERNET_STEP_COST;
  return Math.max(1, config.evaluation.candidates) + Math.ceil(supernetEpochs / config.evaluation.epochs);
}

export interface SampledArch {
  indices: number[];
  arch: Arch;
  cost: number;
}

export interface SampleWithinTargetResult {
  samples: SampledArch[];
  /** Architectures drawn to find them. */
  draws: number;
}

/**
 * `count` distinct architectures of `space` drawn uniformly from `seed`, each meeting the space's
 * constraints and, with a target, priced within ±TARGET_TOLERANCE of it.
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
    const indices = space.sampleIndices(rng);
    const arch = space.decode(indices);
    const key = canonicalKey(arch);
    if (seen.has(key)) continue;
    seen.add(key);
    if (space.violations(arch).length > 0) continue;
    const c = cost(arch);
    if (target !== undefined && Math.abs(c - target) > TARGET_TOLERANCE * target) continue;
    samples.push({ indices, arch, cost: c });
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
function uniformProbability(space: SearchSpace, indices: readonly number[]): number {
  const active = space.activeVariables(indices);
  return space.variables.reduce((p, v, i) => (active[i] ? p / v.choices.length : p), 1);
}

/**
 * A random search in a new run directory (`{ config, out }`) or the one in `{ resume }`: teacher,
 * samples, candidates.json; the caller evaluates them (search-pipeline.ts). `options.costModel`
 * prices the samples exactly as it would the supernet's.
 */
export async function randomSearch(
  start: { config: SearchConfig; out: string } | { resume: string },
  options: Omit<SearchRunOptions, 'out'>,
): Promise<SearchResult> {
  const dir = 'resume' in start ? start.resume : start.out;
  if ('resume' in start) readSearchConfig(dir); // a directory that holds no search is refused before it gets a lock
  return withRunLockAsync(dir, () => randomSearchLocked(start, dir, options));
}

async function randomSearchLocked(
  start: { config: SearchConfig; out: string } | { resume: string },
  dir: string,
  options: Omit<SearchRunOptions, 'out'>,
): Promise<SearchResult> {
  const started = performance.now();
  const asGiven = 'resume' in start ? readSearchConfig(dir) : start.config;
  if (!('resume' in start)) {
    checkNewSearchDir(dir);
    writeSearchConfig(dir, asGiven);
  }
  const space = spaceFromConfig(asGiven);
  const costModel = options.costModel(supernetLayout(space), asGiven.cost.metric);
  const cost = resolveCostTarget(asGiven.cost, () => templateCost(space, costModel));
  const target = cost.objective !== 'none' ? cost.target : undefined;
  let teacherDir: string | undefined;
  if (needsTeacher(asGiven) || options.teacherDir !== undefined) {
    const teacher = obtainTeacher(asGiven, space.template, searchFile(dir, 'teacher'), options.teacherDir, options.progress);
    teacher.model.dispose();
    teacherDir = teacher.dir;
  }
  options.onSupernetStart?.({ dir, ...(teacherDir !== undefined ? { teacher: teacherDir } : {}) });

  const written = readCandidatesFile(dir);
  const writtenLog = readSearchLog(dir);
  if (written !== undefined && writtenLog !== undefined) {
    return {
      dir,
      arch: written.candidates[0]!.arch,
      candidates: written.candidates,
      log: writtenLog,
      finished: true,
      seconds: (performance.now() - started) / 1000,
    };
  }
  const count = randomSearchSamples(asGiven);
  const { samples, draws } = sampleWithinTarget(space, (a) => archCost(costModel, a), target, count, asGiven.seed);
  options.log?.(`random search: ${count} architectures within the cost target in ${draws} draws`);
  const runName = asGiven.name ?? 'search';
  const candidates = samples.map((s, i): SearchCandidate => ({
    rank: i + 1,
    derivation: 'random',
    probability: uniformProbability(space, s.indices),
    indices: s.indices,
    cost: s.cost,
    arch: {
      ...s.arch,
      name: `${runName}/random-${i}`,
      metrics: costModel.metric === 'latency' ? { predictedLatencyMs: s.cost } : { bops: s.cost },
      provenance: { tool: 'groupnas', toolVersion: VERSION, source: `random-search:${runName}`, seed: asGiven.seed },
    },
  }));
  const log: SearchLog = {
    ...emptySearchLog(space, costModel, cost, teacherDir !== undefined ? pathInRun(dir, teacherDir) : undefined),
    strategy: 'random',
    draws,
  };
  const file: CandidatesFile = {
    format: CANDIDATES_FORMAT,
    version: 1,
    metric: costModel.metric,
    unit: costModel.unit,
    ...(target !== undefined ? { target } : {}),
    candidates,
  };
  writeJsonAtomic(searchFile(dir, 'log'), log);
  saveArch(searchFile(dir, 'derivedArch'), candidates[0]!.arch);
  if (!existsSync(searchFile(dir, 'report'))) saveArch(searchFile(dir, 'arch'), candidates[0]!.arch);
  // Written last: its presence tells a resumed run that the samples are complete.
  writeJsonAtomic(searchFile(dir, 'candidates'), file);
  return { dir, arch: candidates[0]!.arch, candidates, log, finished: true, seconds: (performance.now() - started) / 1000 };
}
