/**
 * The evaluation stage of a search (DESIGN §1), after a finished supernet: its candidates — and,
 * when compared, the hand-designed presets on the same backbone — are trained from scratch, tested,
 * packed and timed in a worker pool (evaluate/), the Pareto fronts drawn, the best candidate within
 * the cost target chosen, and the run directory gets the chosen arch.json and model.gnb, pareto.svg
 * and report.md (search-directory.ts). Candidates and presets share one training schedule
 * (`sharedEvaluationOptions`), so they compare fairly.
 *
 * Everything is resumable: evaluation/ and presets/ keep each finished candidate.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { saveArch } from '../space/arch-file.js';
import type { TrainingKernelOptions } from '../backend/index.js';
import type { Arch } from '../space/arch.js';
import type { SearchConfig } from '../space/config.js';
import { templateFromConfig } from '../space/config-space.js';
import { exportUntrainedModel } from '../train/index.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { IncompleteRunError, UsageError } from '../util/errors.js';
import type { ProgressReporter } from '../util/progress.js';
import type { CostMetric } from './cost-model.js';
import {
  searchParetoPoints,
  EVALUATION_FILE,
  evaluateCandidates,
  evaluatedArch,
  timeEvaluations,
  evaluationTrainingOptions,
  readEvaluationToResume,
  canonicalJson,
  searchWarmUp,
  startEvaluationPool,
  type CandidateRecord,
  type EvaluateCandidatesOptions,
  type EvaluationOutcome,
  type CandidateRunner,
  type EvaluationPool,
  type InjectedFault,
  type ReferenceModel,
} from './evaluate/index.js';
import { accuracyVersusCost, bestWithinBudget, dominates, paretoFront } from './pareto.js';
import { paretoSvg } from './pareto-plot.js';
import { scoreName, searchReport, type ChosenArchitecture } from './report.js';
import { readSearchConfig, searchFile, searchTeacherDir, type SearchLog } from './search-directory.js';
import type { SearchResult, SupernetStart } from './search-run.js';

/** The hand-designed architectures a search is compared with, on the config's backbone. */
export const COMPARED_PRESETS = ['groupnet-k1', 'groupnet-k3', 'groupnet-k5'] as const;

/** The untrained template in evaluation/, when a relative latency target is held to it without the presets. */
export const TEMPLATE_MODEL_FILE = 'template.gnb';

export interface EvaluationStageOptions {
  /** Worker threads of the pool (default: `evaluation.workers` of the config). */
  workers?: number;
  /** Workers started early by the caller (startSearchEvaluationPool, or a job queue's runner), who destroys them; `workers` is then theirs. */
  pool?: CandidateRunner;
  taskTimeoutMs?: number;
  /** Ctrl-C: the pool stops, `evaluation/` keeps what finished, EvaluationInterrupted is thrown. */
  signal?: AbortSignal;
  progress?: ProgressReporter;
  log?: (line: string) => void;
  /** Test hook, passed to the pool (fault-injection.ts). */
  injectFaults?: Readonly<Record<number, InjectedFault>>;
  /**
   * Also evaluate the presets of COMPARED_PRESETS the same way into `<dir>/presets/` and add them to
   * the plot and report. A run whose presets/ already holds an evaluation continues it regardless.
   */
  comparePresets?: boolean;
  /** The presets' training started during the supernet phase (startPresetTraining); implies comparePresets. */
  presetTraining?: PresetTraining;
}

/** The presets' training, begun on one worker while the supernet trains (startPresetTraining). */
export interface PresetTraining {
  /** Settles when every preset is trained or failed; rejects with EvaluationInterrupted on the signal. */
  trained: Promise<EvaluationOutcome>;
  /** The supernet is done (or stopped): the presets may take every worker now. */
  supernetDone(): void;
}

export interface EvaluationStageResult {
  outcome: EvaluationOutcome;
  /** The presets' evaluation, when compared. */
  presets?: EvaluationOutcome;
  /** Presets (by index in `presets`) that dominate the chosen candidate on accuracy and measured latency. */
  dominatingPresets: number[];
  /** Index of the chosen candidate (undefined when none finished: arch.json stays the derived one). */
  chosen?: number;
  /** Candidate indices on the accuracy/latency and accuracy/BOPs fronts. */
  latencyFront: number[];
  bopsFront: number[];
  /** Wall seconds of this call (a resumed evaluation counts only what it did). */
  seconds: number;
}

const accuracyOf = (c: CandidateRecord) => (c.status === 'done' ? c.result!.testAccuracy : Number.NaN);
const latencyOf = (c: CandidateRecord) => c.latency?.medianMs ?? Number.NaN;
const bopsOf = (c: CandidateRecord) => (c.status === 'done' ? c.result!.costs.bops : Number.NaN);

/** A target for a message: 4 significant digits (a relative target priced on the machine is rarely round). */
function formatTarget(target: number): string {
  return Number(target.toPrecision(4)).toString();
}

/** The fraction of the template's latency that the config's target is, when it is one. */
function relativeLatencyTarget(config: SearchConfig): number | undefined {
  return config.cost.metric === 'latency' && config.cost.target === undefined ? config.cost.relativeTarget : undefined;
}

/**
 * The target the choice holds the candidates' measured costs to. A relative latency target is priced
 * in the latency table's milliseconds, which are not the evaluation's (all models timed together, on
 * the wall clock, another hour: groupnet-k5 priced 1.44 ms and measured 1.87 in one run); so the
 * target is that fraction of the template as measured beside the candidates: the trained preset when
 * the presets are compared, else the untrained template timed in the candidates' rounds (`reference`).
 */
export function choiceTarget(
  config: SearchConfig,
  cost: SearchLog['cost'],
  presets: readonly CandidateRecord[],
  reference?: ReferenceModel,
): CostTarget | undefined {
  const relative = relativeLatencyTarget(config);
  const template = (COMPARED_PRESETS as readonly string[]).indexOf(config.space.template);
  const trainedMs = presets[template] ? latencyOf(presets[template]) : Number.NaN;
  const untrainedMs = reference?.name === config.space.template ? (reference.latency?.medianMs ?? Number.NaN) : Number.NaN;
  const [measured, how] = Number.isFinite(trainedMs) ? [trainedMs, ''] : [untrainedMs, ', untrained, timed with the candidates'];
  if (relative !== undefined && Number.isFinite(measured))
    return { value: relative * measured, basis: ` (${relative} × ${config.space.template}'s measured ${formatTarget(measured)}${how})` };
  return cost.target === undefined ? undefined : { value: cost.target, basis: '' };
}

/** The untrained template packed into the evaluation directory, to be timed with the candidates (ReferenceModel). */
function templateReference(config: SearchConfig, evaluationDir: string): Omit<ReferenceModel, 'latency'> {
  const modelFile = TEMPLATE_MODEL_FILE;
  const file = join(evaluationDir, modelFile);
  if (!existsSync(file)) exportUntrainedModel(templateFromConfig(config), file, config.seed);
  return { name: config.space.template, modelFile };
}

/** A cost target and, for messages, how it was priced. */
export interface CostTarget {
  value: number;
  basis: string;
}

/**
 * The chosen architecture: best measured accuracy within the config's cost target (latency target
 * against measured latency, BOPs target against BOPs); without a target, or when nothing fits it,
 * the most accurate candidate (which lies on both fronts).
 */
function chooseCandidate(
  target: CostTarget | undefined,
  metric: CostMetric,
  candidates: readonly CandidateRecord[],
  log: (line: string) => void,
  score: string,
): ChosenArchitecture | undefined {
  const cost = metric === 'latency' ? latencyOf : bopsOf;
  const limit = target === undefined ? undefined : `${formatTarget(target.value)}${target.basis}`;
  if (target !== undefined) {
    const within = bestWithinBudget(candidates, accuracyOf, cost, target.value);
    if (within !== undefined) return { index: within, rule: `best ${score} with ${metric === 'latency' ? 'measured latency' : 'BOPs'} ≤ ${limit}` };
  }
  const best =
    bestWithinBudget(candidates, accuracyOf, latencyOf, Number.POSITIVE_INFINITY) ?? bestWithinBudget(candidates, accuracyOf, bopsOf, Number.POSITIVE_INFINITY);
  if (best === undefined) return undefined;
  if (limit !== undefined) log(`no evaluated candidate meets the ${metric} target ${limit}; choosing the one of best ${score}`);
  return {
    index: best,
    rule: limit !== undefined ? `no candidate within the ${metric} target ${limit}: best ${score}` : `best ${score} (no cost target)`,
  };
}

/**
 * The evaluation's worker pool, to start before the supernet phase: the workers set up their backend
 * (with the training kernels asked for, e.g. the CLI's --kernels) and rehearse a training step of a
 * few of the space's architectures beside the supernet's training (evaluate/warm-up.ts), so the
 * evaluation begins with warm workers. The caller passes it to evaluateSearch and destroys it afterwards.
 */
export function startSearchEvaluationPool(
  config: SearchConfig,
  options: { workers?: number; training?: TrainingKernelOptions; log?: (line: string) => void } = {},
): EvaluationPool {
  return startEvaluationPool({
    workers: options.workers ?? config.evaluation.workers,
    warmUp: searchWarmUp(config),
    ...(options.training ? { training: options.training } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
}

/** What every evaluation of a run shares — candidates' and presets' alike, so both are trained and timed the same way. */
function sharedEvaluationOptions(
  dir: string,
  config: SearchConfig,
  teacher: string | undefined,
  options: EvaluationStageOptions,
): Omit<EvaluateCandidatesOptions, 'dir'> {
  if (options.pool !== undefined && options.workers !== undefined) throw new UsageError('workers: set by the pool given (options.pool); give one of the two');
  return {
    training: evaluationTrainingOptions(config, teacher),
    ...(options.pool ? { pool: options.pool } : { workers: options.workers ?? config.evaluation.workers }),
    ...(options.taskTimeoutMs !== undefined ? { taskTimeoutMs: options.taskTimeoutMs } : {}),
    // The CPU clock: what the latency table holds, and what other processes sharing the cores do not inflate (kernels/timing.ts).
    latency: { engine: config.evaluation.engine, timing: { minRepeats: config.evaluation.latencyRepeats, clock: 'cpu' } },
    ...(options.progress ? { progress: options.progress } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.log ? { log: options.log } : {}),
  };
}

const presetArchsOf = (config: SearchConfig) => COMPARED_PRESETS.map((name) => templateFromConfig({ ...config, space: { ...config.space, template: name } }));

/**
 * Start training the presets into `<run.dir>/presets/` on one worker of `pool` while the supernet
 * trains on this thread (the teacher they distil from is ready by then: SearchRunOptions.onSupernetStart);
 * `supernetDone()` lets them take every worker. Their latency is measured later, by evaluateSearch,
 * once no training runs. The pool's worker slots keep the candidates' tasks from over-committing it.
 */
export function startPresetTraining(
  run: SupernetStart,
  pool: CandidateRunner,
  options: Omit<EvaluationStageOptions, 'pool' | 'workers' | 'comparePresets' | 'presetTraining' | 'injectFaults'> = {},
): PresetTraining {
  const config = readSearchConfig(run.dir);
  let supernetDone = () => {};
  const done = new Promise<void>((resolve) => (supernetDone = resolve));
  const trained = evaluateCandidates(presetArchsOf(config), {
    ...sharedEvaluationOptions(run.dir, config, run.teacher, { ...options, pool }),
    dir: searchFile(run.dir, 'presets'),
    label: 'preset',
    latency: false,
    startLanes: 1,
    allLanesWhen: done,
  });
  // Rejections surface through `trained` when evaluateSearch awaits it; a run stopped before that must not crash on them.
  trained.catch(() => {});
  return { trained, supernetDone };
}

/**
 * Train (not time) `archs` into the run's evaluation/ as its candidates, for a strategy that picks the
 * next architectures by how the last ones did (evolution-search.ts): the list may extend what
 * evaluation/ holds, and a list it holds trained already is read back, not trained again (a resumed
 * run replays its generations). The evaluation after the search finds them trained and times them.
 */
export async function trainSearchSamples(
  dir: string,
  teacher: string | undefined,
  archs: readonly Arch[],
  options: EvaluationStageOptions,
): Promise<readonly CandidateRecord[]> {
  const evaluationDir = searchFile(dir, 'evaluation');
  const { record } = readEvaluationToResume(join(evaluationDir, EVALUATION_FILE));
  const held = record?.candidates.slice(0, archs.length) ?? [];
  const trained = held.filter((c, i): c is CandidateRecord => c?.status === 'done' && canonicalJson(c.arch) === canonicalJson(archs[i]));
  if (trained.length === archs.length) return trained;
  const outcome = await evaluateCandidates(archs, {
    ...sharedEvaluationOptions(dir, readSearchConfig(dir), teacher, options),
    dir: evaluationDir,
    latency: false,
    extend: true,
  });
  return outcome.record.candidates;
}

/**
 * After a finished supernet search: train, test, pack and time its candidates in a worker pool
 * into `<dir>/evaluation/` (resumable), then write pareto.svg, arch.json + model.gnb of the chosen
 * candidate, and report.md. Undefined when the config asks for no candidates.
 */
export async function evaluateSearch(search: SearchResult, options: EvaluationStageOptions = {}): Promise<EvaluationStageResult | undefined> {
  const dir = search.dir;
  const config = readSearchConfig(dir);
  if (config.evaluation.candidates <= 0 || search.candidates.length === 0) return undefined;
  const log = options.log ?? (() => {});
  const started = performance.now();
  const common = sharedEvaluationOptions(dir, config, search.log.teacher !== undefined ? searchTeacherDir(dir, search.log.teacher) : undefined, options);
  const archs = search.candidates.map((c) => c.arch);
  const candidatesDir = searchFile(dir, 'evaluation');
  // Trained first, beside the presets' training when that began during the supernet phase; timed
  // once every training is over, so no timing contends with training for a core.
  options.presetTraining?.supernetDone();
  const [trained, presetsTrained] = await Promise.all([
    evaluateCandidates(archs, { ...common, dir: candidatesDir, latency: false, ...(options.injectFaults ? { injectFaults: options.injectFaults } : {}) }),
    options.presetTraining?.trained,
  ]);
  const comparePresets = options.comparePresets === true || existsSync(join(searchFile(dir, 'presets'), EVALUATION_FILE));
  const presetsToTime =
    presetsTrained ??
    (comparePresets
      ? await evaluateCandidates(presetArchsOf(config), { ...common, dir: searchFile(dir, 'presets'), label: 'preset', latency: false })
      : undefined);
  // Candidates and presets timed together, interleaved: they compare under the same load. Without
  // the presets, a relative latency target needs the template timed among them all the same.
  const untimed = trained.record.candidates.some((c) => c.status === 'done' && c.latency === undefined);
  const reference =
    presetsToTime === undefined && relativeLatencyTarget(config) !== undefined && untimed ? { reference: templateReference(config, candidatesDir) } : {};
  const [outcome, presets] = timeEvaluations(presetsToTime ? [trained, presetsToTime] : [trained], { ...common, ...reference }) as [
    EvaluationOutcome,
    EvaluationOutcome?,
  ];
  const records = outcome.record.candidates;
  const latencyObjectives = accuracyVersusCost(accuracyOf, 'latency', latencyOf);
  const latencyFront = paretoFront(records, latencyObjectives);
  if (presets) for (const i of presets.failed) log(`preset ${COMPARED_PRESETS[i]} failed: ${presets.record.candidates[i]!.reason ?? 'unknown reason'}`);
  const bopsFront = paretoFront(records, accuracyVersusCost(accuracyOf, 'BOPs', bopsOf));
  const presetRecords = presets?.record.candidates ?? [];
  // A choice among some of the candidates could pass over the best one: with any failed, none is made.
  const chosen =
    outcome.failed.length === 0
      ? chooseCandidate(
          config.cost.objective !== 'none' ? choiceTarget(config, search.log.cost, presetRecords, outcome.record.reference) : undefined,
          config.cost.metric,
          records,
          log,
          scoreName(config),
        )
      : undefined;
  const points = searchParetoPoints(records, presetRecords, chosen?.index);
  const dominatingPresets =
    chosen === undefined ? [] : presetRecords.filter((p) => p.status === 'done' && dominates(p, records[chosen.index]!, latencyObjectives)).map((p) => p.index);
  const title =
    `${config.name ?? 'search'}: ${records.filter((c) => c.status === 'done').length} of ${records.length} candidates ` +
    `evaluated${presets ? ', with the presets' : ''}`;
  writeFileAtomic(searchFile(dir, 'paretoPlot'), paretoSvg(points, title, scoreName(config)));
  if (chosen !== undefined) {
    const c = records[chosen.index]!;
    saveArch(searchFile(dir, 'arch'), evaluatedArch(c));
    writeFileAtomic(searchFile(dir, 'model'), readFileSync(join(candidatesDir, c.result!.modelFile)));
  }
  for (const i of outcome.failed) log(`candidate ${i} failed: ${records[i]!.reason ?? 'unknown reason'}`);
  const seconds = (performance.now() - started) / 1000;
  writeFileAtomic(
    searchFile(dir, 'report'),
    searchReport({
      dir,
      config,
      search: search.log,
      derived: search.candidates,
      evaluation: outcome,
      ...(presets ? { presets } : {}),
      dominatingPresets,
      chosen,
      latencyFront,
      bopsFront,
      evaluationSeconds: seconds,
    }),
  );
  if (chosen === undefined) {
    throw new IncompleteRunError(
      `search ${dir}: ${outcome.failed.length} of ${records.length} candidates failed their evaluation (see above), so no architecture was chosen; ` +
        `arch.json and model.gnb are left as they were; rerun with --resume ${dir} to evaluate them again`,
    );
  }
  return {
    outcome,
    ...(presets ? { presets } : {}),
    dominatingPresets,
    ...(chosen !== undefined ? { chosen: chosen.index } : {}),
    latencyFront,
    bopsFront,
    seconds,
  };
}
