/**
 * What the baselines that train architectures instead of a supernet share (random-search.ts,
 * evolution-search.ts): a search run directory whose search.json names the strategy and holds no
 * epochs, the teacher, the cost target priced as the supernet's would be, the budget in trained
 * architectures, and candidates.json written last — its presence tells a resumed run that the
 * samples are complete; the evaluation (search-evaluation.ts) then trains, tests and times them as
 * it does the supernet's candidates.
 */
import { existsSync } from 'node:fs';
import { saveArch } from '../space/arch-file.js';
import type { Arch } from '../space/arch.js';
import type { SearchConfig } from '../space/config.js';
import { spaceFromConfig } from '../space/config-space.js';
import type { SearchSpace } from '../space/search-space.js';
import { needsTeacher } from '../distill/index.js';
import { obtainTeacher } from '../train/teacher-run.js';
import { writeJsonAtomic } from '../util/atomic-write.js';
import { withRunLockAsync } from '../util/run-lock.js';
import { resolveCostTarget } from './cost-objective.js';
import { archCost, type CostModel } from './cost-model.js';
import {
  CANDIDATES_FORMAT,
  candidateArch,
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

/**
 * How many architectures a random or evolution search trains: `search.samples`, or (0) what the
 * supernet search of the same config spends — its candidates, plus its supernet epochs counted in
 * candidate trainings (an epoch trains on the (1 − archValFraction) share of the images at
 * SUPERNET_STEP_COST per step; a candidate trains `evaluation.epochs` epochs on all of them).
 * Candidates are smaller than the largest architecture, so this slightly favours the supernet; the
 * reports give both runs' seconds.
 */
export function searchSamples(config: SearchConfig): number {
  if (config.search.samples > 0) return config.search.samples;
  const supernetEpochs = config.search.epochs * (1 - config.data.archValFraction) * SUPERNET_STEP_COST;
  return Math.max(1, config.evaluation.candidates) + Math.ceil(supernetEpochs / config.evaluation.epochs);
}

/** One architecture a strategy chose to train: a candidate of candidates.json without its rank and name. */
export interface SampledArch {
  indices: number[];
  arch: Arch;
  cost: number;
}

export interface StrategySample extends SampledArch {
  /** candidates.json's `derivation`: how the strategy came to it. */
  derivation: string;
  probability: number;
  /** Evolution: the index of the sample it was mutated from. */
  parent?: number;
}

/** The run a strategy samples for: its config, space, prices and cost target (undefined: none). */
export interface SampledSearchRun {
  dir: string;
  config: SearchConfig;
  space: SearchSpace;
  costModel: CostModel;
  cost: (arch: Arch) => number;
  target: number | undefined;
  /** The teacher's run directory, when the candidates distil. */
  teacherDir: string | undefined;
  /** Sample `index` as candidates.json will hold it (named, priced, with provenance): what the evaluation trains. */
  candidateArch(index: number, sample: SampledArch): Arch;
}

/** A strategy's samples and what search.json records of how it found them. */
export interface StrategyResult {
  samples: StrategySample[];
  /** Architectures drawn (or mutated) to find them. */
  draws: number;
  log?: Pick<SearchLog, 'evolution'>;
}

export interface SamplingStrategy {
  name: NonNullable<SearchLog['strategy']>;
  sample(run: SampledSearchRun, count: number, log: (line: string) => void): Promise<StrategyResult>;
}

/**
 * A sampling search in a new run directory (`{ config, out }`) or the one in `{ resume }`: teacher,
 * the strategy's samples, candidates.json; the caller evaluates them (search-pipeline.ts).
 * `options.costModel` prices the samples exactly as it would the supernet's.
 */
export async function sampledSearch(
  start: { config: SearchConfig; out: string } | { resume: string },
  options: Omit<SearchRunOptions, 'out'>,
  strategy: SamplingStrategy,
): Promise<SearchResult> {
  const dir = 'resume' in start ? start.resume : start.out;
  if ('resume' in start) readSearchConfig(dir); // a directory that holds no search is refused before it gets a lock
  return withRunLockAsync(dir, () => sampledSearchLocked(start, dir, options, strategy));
}

async function sampledSearchLocked(
  start: { config: SearchConfig; out: string } | { resume: string },
  dir: string,
  options: Omit<SearchRunOptions, 'out'>,
  strategy: SamplingStrategy,
): Promise<SearchResult> {
  const started = performance.now();
  const config = 'resume' in start ? readSearchConfig(dir) : start.config;
  if (!('resume' in start)) {
    checkNewSearchDir(dir);
    writeSearchConfig(dir, config);
  }
  const space = spaceFromConfig(config);
  const costModel = options.costModel(supernetLayout(space), config.cost.metric);
  const cost = resolveCostTarget(config.cost, () => templateCost(space, costModel));
  let teacherDir: string | undefined;
  if (needsTeacher(config) || options.teacherDir !== undefined) {
    const teacher = obtainTeacher(config, space.template, searchFile(dir, 'teacher'), options.teacherDir, options.progress);
    teacher.model.dispose();
    teacherDir = teacher.dir;
  }
  options.onSupernetStart?.({ dir, ...(teacherDir !== undefined ? { teacher: teacherDir } : {}) });
  const finished = (log: SearchLog, candidates: SearchCandidate[]): SearchResult => ({
    dir,
    arch: candidates[0]!.arch,
    candidates,
    log,
    finished: true,
    seconds: (performance.now() - started) / 1000,
  });

  const written = readCandidatesFile(dir);
  const writtenLog = readSearchLog(dir);
  if (written !== undefined && writtenLog !== undefined) return finished(writtenLog, written.candidates);

  const runName = config.name ?? 'search';
  const run: SampledSearchRun = {
    dir,
    config,
    space,
    costModel,
    cost: (a) => archCost(costModel, a),
    target: cost.objective !== 'none' ? cost.target : undefined,
    teacherDir,
    candidateArch: (i, s) =>
      candidateArch(s.arch, `${runName}/${strategy.name}-${i}`, costModel.metric, s.cost, `${strategy.name}-search:${runName}`, config.seed),
  };
  const { samples, draws, log: strategyLog } = await strategy.sample(run, searchSamples(config), options.log ?? (() => {}));
  const candidates = samples.map((s, i): SearchCandidate => ({
    rank: i + 1,
    derivation: s.derivation,
    probability: s.probability,
    indices: s.indices,
    cost: s.cost,
    ...(s.parent !== undefined ? { parent: s.parent } : {}),
    arch: run.candidateArch(i, s),
  }));
  const log: SearchLog = {
    ...emptySearchLog(space, costModel, cost, teacherDir !== undefined ? pathInRun(dir, teacherDir) : undefined),
    strategy: strategy.name,
    draws,
    ...strategyLog,
  };
  const file: CandidatesFile = {
    format: CANDIDATES_FORMAT,
    version: 1,
    metric: costModel.metric,
    unit: costModel.unit,
    ...(run.target !== undefined ? { target: run.target } : {}),
    candidates,
  };
  writeJsonAtomic(searchFile(dir, 'log'), log);
  saveArch(searchFile(dir, 'derivedArch'), candidates[0]!.arch);
  if (!existsSync(searchFile(dir, 'report'))) saveArch(searchFile(dir, 'arch'), candidates[0]!.arch);
  // Written last: its presence tells a resumed run that the samples are complete.
  writeJsonAtomic(searchFile(dir, 'candidates'), file);
  return finished(log, candidates);
}
