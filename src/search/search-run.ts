/**
 * The supernet phase of a search, as a run directory (DESIGN §1, §6; the files and their shapes:
 * search-directory.ts): load the data and the teacher, train the supernet's weights and α epoch by
 * epoch (bilevel.ts), write a checkpoint and search.json after every epoch, then derive the
 * candidates. The candidates' evaluation is the next stage (search-evaluation.ts);
 * search-pipeline.ts runs both as one job.
 *
 * Resuming continues from the last finished epoch and, with the same backend, ends with exactly
 * the α of an uninterrupted run: batches, Gumbel noise and initial values all derive from the seed.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import * as tf from '../util/tfjs.js';
import { batchesPerEpoch, loadDataset, splitDataset, toTensorBatch, typedBatchAt, tensorBatches, type Dataset, type DataSplits } from '../data/index.js';
import type { GroupNetModel } from '../nn/group-net.js';
import type { LrSchedule } from '../nn/schedule.js';
import type { Arch } from '../space/arch.js';
import { saveArch } from '../space/arch-file.js';
import type { SearchConfig } from '../space/config.js';
import { spaceFromConfig } from '../space/config-space.js';
import type { SearchSpace } from '../space/search-space.js';
import { needsTeacher } from '../distill/index.js';
import { obtainTeacher } from '../train/teacher-run.js';
import { writeFileAtomic, writeJsonAtomic } from '../util/atomic-write.js';
import { RunDirectoryError, UsageError } from '../util/errors.js';
import { withRunLockAsync } from '../util/run-lock.js';
import { silentProgress, type ProgressReporter } from '../util/progress.js';
import { deriveSeed } from '../util/random.js';
import { VERSION } from '../util/version.js';
import { alphaSeriesOf, alphaSvg } from './alpha-plot.js';
import { ArchitectureWeights, meanNormalizedEntropy } from './architecture-weights.js';
import { BilevelTrainer, type AlphaSampling } from './bilevel.js';
import { costObjectiveFrom, resolveCostTarget } from './cost-objective.js';
import { archCost, costBounds, expectedCost, type CostModel } from './cost-model.js';
import { argmaxIndices, deriveCandidates } from './derive.js';
import {
  CANDIDATES_FORMAT,
  candidateArch,
  pathInRun,
  readSearchConfig,
  readSearchLogToResume,
  searchFile,
  searchLogBehind,
  searchTeacherDir,
  SUPERNET_TRAINED_AGAIN,
  writeSearchConfig,
  SEARCH_LOG_FORMAT,
  type CandidatesFile,
  type SearchCandidate,
  type SearchEpoch,
  type SearchLog,
} from './search-directory.js';
import { Supernet } from './supernet.js';
import { supernetLayout, type SupernetLayout } from './supernet-layout.js';
import { structureWeights } from './structure-weights.js';
import { collapseWarning } from './collapse.js';
import { readSupernetCheckpoint, writeSupernetCheckpoint } from './search-checkpoint.js';

/** A run about to start its supernet: its directory and the teacher its students distil from. */
export interface SupernetStart {
  dir: string;
  teacher?: string;
}

export interface SearchRunOptions {
  /** Run directory (created; must not hold a search already). */
  out: string;
  /** Prices the cost term: builds the cost model for the metric the config names (latency needs the LUT). */
  costModel: (layout: SupernetLayout, metric: 'bops' | 'latency') => CostModel;
  /**
   * The space to search, for a library user's own decisions (pass the same one to resume); default:
   * the config's `space` section. The config still gives the data, the budget and the cost term.
   */
  space?: SearchSpace;
  /** Train or load the teacher from here instead of the config's `teacher` section. */
  teacherDir?: string;
  /** Stop after this many epochs of this process (tests simulate a kill with it). */
  stopAfterEpochs?: number;
  /**
   * Ctrl-C: the supernet stops after its current step and the run returns unfinished; the epoch in
   * progress is lost (as on a kill), --resume continues from the last finished one.
   */
  signal?: AbortSignal;
  progress?: ProgressReporter;
  /** One-line notes (teacher trained, early stop, collapse warnings) go here. */
  log?: (line: string) => void;
  /**
   * Called once the teacher is ready, before the supernet's first step (also when resuming):
   * searchPipeline starts training the presets there (startPresetTraining), on the core the
   * supernet leaves idle.
   */
  onSupernetStart?: (run: SupernetStart) => void;
}

export interface SearchResult {
  dir: string;
  arch: Arch;
  candidates: SearchCandidate[];
  log: SearchLog;
  /** False when `stopAfterEpochs` interrupted the run before it finished. */
  finished: boolean;
  seconds: number;
}

interface Session {
  config: SearchConfig;
  dir: string;
  space: SearchSpace;
  layout: SupernetLayout;
  costModel: CostModel;
  supernet: Supernet;
  alpha: ArchitectureWeights;
  trainer: BilevelTrainer;
  teacher?: { model: GroupNetModel; dir: string };
  dataset: Dataset;
  splits: DataSplits;
  stepsPerEpoch: number;
}

/**
 * The search's cost-model factory with the config's model built now: `groupnas search` prices the
 * latency table before the evaluation workers start, so nothing else runs while it is timed, and
 * the search reuses that model instead of pricing again.
 */
export function costModelPricedNow(config: SearchConfig, factory: SearchRunOptions['costModel']): SearchRunOptions['costModel'] {
  const priced = factory(supernetLayout(spaceFromConfig(config)), config.cost.metric);
  return (layout, metric) => (metric === priced.metric ? priced : factory(layout, metric));
}

function weightSchedule(config: SearchConfig, stepsPerEpoch: number): LrSchedule {
  return { kind: 'cosine', totalSteps: Math.max(1, config.search.epochs * stepsPerEpoch) };
}

function openSession(asGiven: SearchConfig, dir: string, options: SearchRunOptions): Session {
  const space = options.space ?? spaceFromConfig(asGiven);
  const layout = supernetLayout(space);
  const costModel = options.costModel(layout, asGiven.cost.metric);
  // The session works with an absolute target (cost.relativeTarget priced on this machine).
  const config = { ...asGiven, cost: resolveCostTarget(asGiven.cost, () => templateCost(space, costModel)) };
  const objective = costObjectiveFrom(config.cost);
  const dataset = loadDataset({ data: config.data.dataset });
  const splits = searchSplits(config, dataset);
  if (splits.archVal.count === 0) throw new UsageError(`data.archValFraction: ${config.data.archValFraction} leaves no arch-val images for the α steps`);
  const stepsPerEpoch = batchesPerEpoch(splits.train.count, { batchSize: config.search.batchSize });
  const teacher =
    needsTeacher(config) || options.teacherDir !== undefined
      ? obtainTeacher(config, space.template, searchFile(dir, 'teacher'), options.teacherDir, options.progress)
      : undefined;
  const supernet = new Supernet(layout, { seed: config.seed });
  const alpha = new ArchitectureWeights(space);
  const trainer = new BilevelTrainer(supernet, alpha, costModel, objective, {
    weightOptimizer: config.search.weightOptimizer,
    weightSchedule: weightSchedule(config, stepsPerEpoch),
    archOptimizer: config.search.archOptimizer,
    order: config.search.order,
    sandwich: config.search.sandwich,
    ...(teacher
      ? { distillation: { teacher: teacher.model, kd: config.distillation.kd, temperature: config.distillation.temperature, at: config.distillation.at } }
      : {}),
  });
  return { config, dir, space, layout, costModel, supernet, alpha, trainer, ...(teacher ? { teacher } : {}), dataset, splits, stepsPerEpoch };
}

/** The search's splits of the data set: train (weights), arch-val (α) and test, from the config's seed and limits. */
export function searchSplits(config: SearchConfig, dataset: Dataset): DataSplits {
  return splitDataset(dataset, {
    seed: config.seed,
    archValFraction: config.data.archValFraction,
    ...(config.data.trainLimit > 0 ? { limit: config.data.trainLimit } : {}),
    ...(config.data.testLimit > 0 ? { testLimit: config.data.testLimit } : {}),
  });
}

/** The template's price, which cost.relativeTarget scales: only an architecture of the space has one. */
export function templateCost(space: SearchSpace, costModel: CostModel): number {
  try {
    space.encode(space.template);
  } catch (e) {
    throw new UsageError(
      `cost.relativeTarget: the template is not an architecture of search space ${space.name} (${(e as Error).message}), so it has no price to scale; ` +
        `give cost.target instead`,
    );
  }
  return archCost(costModel, space.template);
}

function closeSession(s: Session): void {
  s.trainer.dispose();
  s.alpha.dispose();
  s.supernet.dispose();
  s.teacher?.model.dispose();
}

function newLog(s: Session): SearchLog {
  // search.json keeps the teacher relative to the run directory, so a copied run uses its own.
  return emptySearchLog(s.space, s.costModel, s.config.cost, s.teacher ? pathInRun(s.dir, s.teacher.dir) : undefined);
}

/** search.json before its first epoch: the space's variables, the price list's metric, the target and bounds, the teacher. */
export function emptySearchLog(space: SearchSpace, costModel: CostModel, cost: SearchConfig['cost'], teacher: string | undefined): SearchLog {
  return {
    format: SEARCH_LOG_FORMAT,
    version: 1,
    toolVersion: VERSION,
    space: space.name,
    variables: space.variables.map((v) => ({ id: v.id, decision: v.decision.name, site: v.site, choices: [...v.choices] })),
    cost: {
      metric: costModel.metric,
      unit: costModel.unit,
      objective: cost.objective,
      ...(cost.target !== undefined ? { target: cost.target } : {}),
      ...(cost.relativeTarget !== undefined ? { relativeTarget: cost.relativeTarget, templateCost: templateCost(space, costModel) } : {}),
      ...costBounds(costModel),
    },
    ...(teacher !== undefined ? { teacher } : {}),
    epochs: [],
    warnings: [],
  };
}

/** The α sampling of one step: softmax, or Gumbel with the temperature annealed over the search. */
function samplingFor(config: SearchConfig, epoch: number, step: number): { sampling: AlphaSampling; temperature?: number } {
  const g = config.search.gumbel;
  if (!g.enabled) return { sampling: { kind: 'softmax' } };
  // Exponential annealing from `temperature` to `minTemperature` over the search (GDAS).
  const span = Math.max(1, config.search.epochs - 1);
  const temperature = g.temperature * (g.minTemperature / g.temperature) ** (Math.min(epoch, span) / span);
  return { sampling: { kind: 'gumbel', temperature, seed: deriveSeed(config.seed, `gumbel:${epoch}:${step}`) }, temperature };
}

function writeLogFiles(s: Session, log: SearchLog): void {
  writeJsonAtomic(searchFile(s.dir, 'log'), log);
  writeFileAtomic(searchFile(s.dir, 'alphaPlot'), alphaSvg(alphaSeriesOf(log), `α probabilities per epoch — ${s.space.name} (${log.epochs.length} epochs)`));
}

function fmt(v: number): string {
  return Math.abs(v) >= 1e5 ? v.toExponential(3) : Number(v.toPrecision(4)).toString();
}

/** One turn of the event loop: worker results, progress relays and signals get through between steps. */
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

async function runEpochs(s: Session, log: SearchLog, startEpoch: number, options: SearchRunOptions): Promise<boolean> {
  const c = s.config;
  const progress = options.progress ?? silentProgress;
  const total = c.search.epochs;
  const overall = progress.start('search', total * s.stepsPerEpoch);
  // A resumed search starts where its checkpoint is (one that already finished says so, not "stopped at 0").
  if (startEpoch > 0) overall.update(startEpoch * s.stepsPerEpoch, { epoch: `${startEpoch}/${total} (resumed)` });
  const started = performance.now();
  const batchOptions = { batchSize: c.search.batchSize, seed: c.seed, stats: s.dataset.stats };
  const archValOptions = { batchSize: c.search.batchSize, seed: deriveSeed(c.seed, 'arch-val batches'), stats: s.dataset.stats };
  const archValBatches = batchesPerEpoch(s.splits.archVal.count, archValOptions);
  let ranHere = 0;
  let finished = true;
  for (let epoch = startEpoch; epoch < total; epoch++) {
    if ((options.stopAfterEpochs !== undefined && ranHere >= options.stopAfterEpochs) || options.signal?.aborted) {
      finished = false;
      break;
    }
    const warmup = epoch < c.search.warmupEpochs;
    const bar = progress.start(`epoch ${epoch + 1}/${total}${warmup ? ' (warm-up, α frozen)' : ''}`, s.stepsPerEpoch);
    const epochStart = performance.now();
    const sums = { loss: 0, acc: 0, n: 0, archLoss: 0, archAcc: 0, archCost: 0, archN: 0 };
    let temperature: number | undefined;
    let step = 0;
    for (const batch of tensorBatches(s.splits.train, batchOptions, epoch)) {
      try {
        const r = samplingFor(c, epoch, step);
        temperature = r.temperature;
        s.trainer.use(r.sampling);
        if (!warmup && step % c.search.archEvery === 0) {
          const v = toTensorBatch(typedBatchAt(s.splits.archVal, archValOptions, epoch, Math.floor(step / c.search.archEvery) % archValBatches));
          try {
            const a = s.trainer.architectureStep({ x: v.x, y: v.y }, { x: batch.x, y: batch.y });
            sums.archLoss += a.loss;
            sums.archAcc += a.accuracy;
            sums.archCost += a.expectedCost;
            sums.archN++;
          } finally {
            tf.dispose([v.x, v.y]);
          }
        }
        const w = s.trainer.weightStep(batch.x, batch.y);
        sums.loss += w.loss;
        sums.acc += w.accuracy;
        sums.n++;
      } finally {
        tf.dispose([batch.x, batch.y]);
      }
      step++;
      await yieldToEventLoop();
      const done = epoch * s.stepsPerEpoch + step;
      const elapsed = (performance.now() - started) / 1000;
      const remaining = ((total - epoch) * s.stepsPerEpoch - step) * (elapsed / Math.max(1, done - startEpoch * s.stepsPerEpoch));
      const fields: Record<string, string | number> = {
        loss: sums.loss / sums.n,
        acc: `${((sums.acc / sums.n) * 100).toFixed(1)}%`,
        ...(sums.archN > 0 ? { [`E[${s.costModel.metric}]`]: fmt(sums.archCost / sums.archN) } : {}),
        'total ETA': `${Math.round(remaining)}s`,
      };
      bar.update(step, fields);
      overall.update(done, { epoch: `${epoch + 1}/${total}`, ...fields });
      if (options.signal?.aborted) break;
    }
    bar.stop();
    if (options.signal?.aborted) {
      finished = false;
      break;
    }
    const probabilities = s.alpha.probabilities();
    const argmax = argmaxIndices(probabilities);
    const expected = expectedCostOf(s);
    const record: SearchEpoch = {
      epoch: epoch + 1,
      warmup,
      probabilities,
      alpha: s.alpha.values(),
      entropy: meanNormalizedEntropy(probabilities),
      expectedCost: expected,
      argmax,
      argmaxCost: archCost(s.costModel, s.space.decode(argmax)),
      trainLoss: sums.loss / Math.max(1, sums.n),
      trainAccuracy: sums.acc / Math.max(1, sums.n),
      ...(sums.archN > 0 ? { archSteps: sums.archN, archLoss: sums.archLoss / sums.archN, archAccuracy: sums.archAcc / sums.archN } : {}),
      ...(temperature !== undefined ? { temperature } : {}),
      seconds: (performance.now() - epochStart) / 1000,
    };
    log.epochs.push(record);
    ranHere++;
    const stop = !warmup && c.search.entropyStop > 0 && record.entropy < c.search.entropyStop;
    if (stop) {
      log.stoppedEarly = { epoch: epoch + 1, entropy: record.entropy };
      options.log?.(`α entropy ${record.entropy.toFixed(3)} < ${c.search.entropyStop} after epoch ${epoch + 1}: stopping early`);
    }
    // The history first: a kill between the two leaves a log one epoch ahead of the checkpoint
    // (trimmed on resume), never a checkpoint whose epochs the log lacks.
    writeLogFiles(s, log);
    writeSupernetCheckpoint(s, stop ? total : epoch + 1);
    if (stop) break;
  }
  overall.stop();
  return finished;
}

/** E[cost] under softmax(α), as a number. */
function expectedCostOf(s: Session): number {
  return tf.tidy(() => expectedCost(s.costModel, structureWeights(s.layout, s.alpha.softmax())).dataSync()[0]!);
}

/**
 * Derive the result: with a cost target, arch.json is the most probable architecture within 10%
 * of it (`fitToTarget`; the argmax's cost can be far from where E[cost] settled); without one, the
 * argmax. `candidates.json` lists it first, then the most probable distinct others.
 */
function finish(s: Session, log: SearchLog): { arch: Arch; candidates: SearchCandidate[] } {
  const c = s.config;
  const price = (a: Arch) => archCost(s.costModel, a);
  const targeted = c.cost.objective !== 'none' && c.cost.target !== undefined;
  const ordered = deriveCandidates(
    s.space,
    s.alpha.probabilities(),
    Math.max(1, c.evaluation.candidates),
    targeted ? { cost: price, target: c.cost.target! } : undefined,
  );
  if (ordered.length === 0) throw new UsageError(`search space ${s.space.name}: no derived architecture satisfies the space's constraints`);
  // Named after the config, not the run directory: the same config and seed give byte-identical files wherever they run.
  const runName = c.name ?? 'search';
  const candidates = ordered.map(({ indices, derivation, probability }, i): SearchCandidate => {
    const decoded = s.space.decode(indices);
    const cost = price(decoded);
    const name = `${runName}/${i === 0 ? 'chosen' : `candidate-${i}`}`;
    return { rank: i + 1, derivation, probability, indices, cost, arch: candidateArch(decoded, name, s.costModel.metric, cost, `search:${runName}`, c.seed) };
  });
  const warning = collapseWarning(s.space, s.costModel, candidates[0]!.arch, c.cost);
  if (warning !== undefined && !log.warnings.includes(warning)) {
    log.warnings.push(warning);
    writeLogFiles(s, log);
  }
  const file: CandidatesFile = {
    format: CANDIDATES_FORMAT,
    version: 1,
    metric: s.costModel.metric,
    unit: s.costModel.unit,
    ...(targeted ? { target: c.cost.target } : {}),
    candidates,
  };
  writeJsonAtomic(searchFile(s.dir, 'candidates'), file);
  saveArch(searchFile(s.dir, 'derivedArch'), candidates[0]!.arch);
  // Evaluation replaces arch.json with the chosen candidate; a resumed, re-derived run keeps that choice.
  if (!existsSync(searchFile(s.dir, 'report'))) saveArch(searchFile(s.dir, 'arch'), candidates[0]!.arch);
  return { arch: candidates[0]!.arch, candidates };
}

async function run(s: Session, log: SearchLog, startEpoch: number, options: SearchRunOptions): Promise<SearchResult> {
  const started = performance.now();
  options.onSupernetStart?.({ dir: s.dir, ...(s.teacher ? { teacher: s.teacher.dir } : {}) });
  const finished = await runEpochs(s, log, startEpoch, options);
  if (!finished) {
    return {
      dir: s.dir,
      arch: s.space.decode(argmaxIndices(s.alpha.probabilities())),
      candidates: [],
      log,
      finished,
      seconds: (performance.now() - started) / 1000,
    };
  }
  for (const w of log.warnings) options.log?.(`warning: ${w}`);
  const { arch, candidates } = finish(s, log);
  return { dir: s.dir, arch, candidates, log, finished, seconds: (performance.now() - started) / 1000 };
}

/** Refuse a directory that holds a search already (a new search must not overwrite one). */
export function checkNewSearchDir(dir: string): void {
  if (existsSync(searchFile(dir, 'config'))) {
    throw new RunDirectoryError(dir, 'taken', 'already holds a search; continue it with resumeSearch, or choose another directory');
  }
}

/** Start a search in a new run directory. */
export async function runSearch(config: SearchConfig, options: SearchRunOptions): Promise<SearchResult> {
  return withRunLockAsync(options.out, () => runNewSearch(config, options));
}

async function runNewSearch(config: SearchConfig, options: SearchRunOptions): Promise<SearchResult> {
  const dir = options.out;
  checkNewSearchDir(dir);
  writeSearchConfig(dir, config);
  const s = openSession(config, dir, options);
  try {
    return await run(s, newLog(s), 0, options);
  } finally {
    closeSession(s);
  }
}

/**
 * A relative target is priced again against the template each session, so after the machine's latency
 * table changed (timed again, another machine) a resumed run — its α steps, the derivation and the
 * choice — aims at the target on today's prices, and search.json records that one; say when it moved.
 */
function tellTargetRepriced(before: SearchLog['cost'], now: SearchLog['cost'], log: ((line: string) => void) | undefined): void {
  if (before.target === now.target || before.target === undefined || now.target === undefined) return;
  log?.(
    `cost target priced again on this machine's ${now.metric} table: ${fmt(before.target)} → ${fmt(now.target)} ${now.unit}` +
      (now.templateCost !== undefined ? ` (the template now costs ${fmt(now.templateCost)})` : ''),
  );
}

/** Continue a search where its last epoch checkpoint left it. */
export async function resumeSearch(dir: string, options: Omit<SearchRunOptions, 'out'>): Promise<SearchResult> {
  readSearchConfig(dir);
  return withRunLockAsync(dir, () => resumeLocked(dir, options));
}

/**
 * The teacher a run was started with from elsewhere (`--teacher`; search.json keeps it relative to the
 * run), so that resuming it without the flag distils from the same teacher instead of training one.
 */
function givenTeacher(dir: string, log: SearchLog | string): string | undefined {
  if (typeof log === 'string' || log.teacher === undefined) return undefined;
  const path = resolve(searchTeacherDir(dir, log.teacher));
  return path === resolve(searchFile(dir, 'teacher')) ? undefined : path;
}

async function resumeLocked(dir: string, given: Omit<SearchRunOptions, 'out'>): Promise<SearchResult> {
  const config = readSearchConfig(dir);
  const history = readSearchLogToResume(dir);
  const teacherDir = given.teacherDir ?? givenTeacher(dir, history);
  const options = { ...given, ...(teacherDir !== undefined ? { teacherDir } : {}) };
  let s = openSession(config, dir, { ...options, out: dir });
  try {
    let log = newLog(s);
    let start = 0;
    if (existsSync(searchFile(dir, 'checkpoint'))) {
      const position = typeof history === 'string' ? 0 : readSupernetCheckpoint(s).epoch;
      const why = typeof history === 'string' ? history : searchLogBehind(history, position);
      if (typeof history === 'string' || why !== undefined) {
        options.log?.(`${searchFile(dir, 'log')} ${why}: ${SUPERNET_TRAINED_AGAIN}`);
        if (position > 0) {
          closeSession(s);
          s = openSession(config, dir, { ...options, out: dir });
        }
      } else {
        start = position;
        tellTargetRepriced(history.cost, log.cost, options.log);
        log = { ...history, cost: log.cost, epochs: history.epochs.slice(0, position) };
      }
    }
    return await run(s, log, start, { ...options, out: dir });
  } finally {
    closeSession(s);
  }
}
