/**
 * Candidate evaluation (DESIGN §1): every candidate architecture is trained from scratch,
 * tested and packed in a pool of worker threads (evaluation-pool.ts) — one task per candidate, each
 * worker with its own tfjs backend set up once — and, once the pool is done, each packed model is
 * timed in this thread one at a time, so no timing contends with training for a core (a caller's
 * pool outlives the evaluation, but its idle workers sleep and take no CPU).
 *
 * Layout under `dir`: evaluation-file.ts (evaluation.json, one training run per candidate).
 *
 * Faults: a task that throws, a worker that dies, or a task that runs past `taskTimeoutMs` is tried
 * again (`retries`, default once; the retry continues the run from its last checkpoint), then
 * recorded as failed with its reason while the other candidates go on. An abort signal (Ctrl-C)
 * stops the pool — running tasks' workers are terminated — and leaves a directory that a rerun
 * with the same arguments resumes: finished candidates are skipped, unfinished runs continue.
 */
import { availableParallelism } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import type { ConcreteBackend } from '../../backend/select.js';
import { createEngine } from '../../kernels/index.js';
import type { Arch } from '../../space/arch.js';
import { summarize } from '../../space/summary.js';
import { withAbsoluteTeacher, type TrainingOptions } from '../../train/training-options.js';
import { fileSystemError, GroupnasError, UsageError } from '../../util/errors.js';
import { silentProgress, type ProgressReporter } from '../../util/progress.js';
import { withRunLockAsync } from '../../util/run-lock.js';
import { removeStaleTempFiles, type TrainedCandidate } from './candidate-task.js';
import { canonicalJson } from './canonical-json.js';
import {
  candidateAgain,
  candidateRunDir,
  EVALUATION_FILE,
  EVERY_CANDIDATE_AGAIN,
  EVALUATION_FORMAT,
  EVALUATION_VERSION,
  readEvaluationToResume,
  writeEvaluation,
  type AttemptFailure,
  type CandidateRecord,
  type CandidateResult,
  type EvaluationRecord,
  type ReferenceModel,
} from './evaluation-file.js';
import { AttemptFailed, type CandidateRunner } from './candidate-runner.js';
import { startEvaluationPool } from './evaluation-pool.js';
import type { WorkerTask } from './evaluate-worker.js';
import { attemptTimeoutMs, type InjectedFault } from './fault-injection.js';
import { measureLatencies, type LatencyOptions } from './measure-latency.js';
import { firstLine } from './first-line.js';
import { relayProgress } from './progress-port.js';

export interface EvaluateCandidatesOptions {
  /** Evaluation directory (created); holds evaluation.json and candidates/<i>/. Reuse it to resume. */
  dir: string;
  /** The final training schedule of every candidate (with `distillation` for KD from the teacher). */
  training: TrainingOptions;
  /**
   * Workers already started (and perhaps warmed up) by the caller, who destroys them afterwards: a
   * piscina pool (startEvaluationPool) or another runner of the same contract (candidate-runner.ts);
   * `workers`, `backend` and `workerHeapMb` are then its own. Without it, a pool is started here
   * and destroyed before the latency phase.
   */
  pool?: CandidateRunner;
  /** Worker threads (default: os.availableParallelism()). */
  workers?: number;
  /**
   * Tasks in flight at first (default: every worker): a caller that keeps a core busy meanwhile
   * (the supernet) starts with fewer, then widens to every worker once `allLanesWhen` settles.
   */
  startLanes?: number;
  allLanesWhen?: Promise<unknown>;
  /** What the progress bars and notes call a candidate (default `candidate`; the presets say `preset`). */
  label?: string;
  /**
   * The candidates given may extend the directory's: those it holds must come first, the rest are
   * added (an evolution search's later generations). Default: they must be the same ones.
   */
  extend?: boolean;
  /** Stop a task's worker after this many milliseconds (includes the worker's start-up on its first task); default: no limit. */
  taskTimeoutMs?: number;
  /** Extra attempts after a failure (default 1). */
  retries?: number;
  /** JS heap limit of each worker in MiB (EvaluationPoolOptions.workerHeapMb). */
  workerHeapMb?: number;
  /** tfjs backend of every worker (default `wasm`). */
  backend?: ConcreteBackend;
  /** How latency is measured after training; `false` skips it. */
  latency?: LatencyOptions | false;
  progress?: ProgressReporter;
  /** Ctrl-C: stop the pool, keep what is finished, throw EvaluationInterrupted. */
  signal?: AbortSignal;
  /** One-line notes: failures, retries, resumed candidates. */
  log?: (line: string) => void;
  /** Test hook: candidate index → a fault injected into its first attempts (fault-injection.ts). */
  injectFaults?: Readonly<Record<number, InjectedFault>>;
}

export interface EvaluationOutcome {
  /** Path of evaluation.json. */
  file: string;
  record: EvaluationRecord;
  /** Indices trained by this call, skipped as already done, and failed for good. */
  evaluated: number[];
  skipped: number[];
  failed: number[];
  workers: number;
  /** Wall time of the pool phase and of the latency phase. */
  trainingSeconds: number;
  latencySeconds: number;
}

/** The evaluation was stopped by its abort signal; the directory resumes with a rerun. */
export class EvaluationInterrupted extends GroupnasError {}

const noop = () => {};

type AttemptOutcome = { kind: 'done'; value: TrainedCandidate } | { kind: 'interrupted' } | { kind: AttemptFailure['kind']; message: string };

function checkCount(name: string, value: number | undefined, min: number): void {
  if (value !== undefined && (!Number.isInteger(value) || value < min)) throw new UsageError(`${name}: expected an integer ≥ ${min}, got ${value}`);
}

/**
 * A fresh record, or the one on disk when it describes this very evaluation (resume). What of it is
 * damaged is evaluated again, with one line saying so.
 */
function startingRecord(file: string, candidates: readonly Arch[], training: TrainingOptions, extend: boolean, log: (line: string) => void): EvaluationRecord {
  const fresh = (arch: Arch, index: number): CandidateRecord => ({ index, arch, status: 'pending', failures: [] });
  const { record: existing, damage } = readEvaluationToResume(file);
  if (damage.file !== undefined) log(`${file} is damaged (${damage.file}): ${EVERY_CANDIDATE_AGAIN}`);
  if (existing === undefined) {
    return { format: EVALUATION_FORMAT, version: EVALUATION_VERSION, training, candidates: candidates.map(fresh) };
  }
  if (canonicalJson(existing.training) !== canonicalJson(training)) {
    throw new UsageError(`${file}: training: differs from this evaluation's training options; evaluate into a new directory`);
  }
  if (extend ? existing.candidates.length > candidates.length : existing.candidates.length !== candidates.length) {
    throw new UsageError(
      `${file}: candidates: holds ${existing.candidates.length} candidates, but ${candidates.length} were given; evaluate into a new directory`,
    );
  }
  return {
    ...existing,
    candidates: candidates.map((arch, i) => {
      if (i >= existing.candidates.length) return fresh(arch, i);
      const old = existing.candidates[i];
      if (old === undefined) {
        log(`${file}: ${damage.candidates.get(i)}: ${candidateAgain(i)}`);
        return fresh(arch, i);
      }
      if (canonicalJson(old.arch) !== canonicalJson(arch)) {
        throw new UsageError(`${file}: candidates[${i}].arch: differs from candidate ${i} given; evaluate into a new directory`);
      }
      // Failed candidates get fresh attempts: their failure may have been the machine's, not theirs.
      return old.status === 'done' ? old : { ...fresh(arch, i), failures: old.failures };
    }),
  };
}

/** What one evaluation's attempts share: its options, its record (rewritten after every change), and where it stands. */
interface Evaluation {
  dir: string;
  options: EvaluateCandidatesOptions;
  record: EvaluationRecord;
  /** What the bars and notes call a candidate. */
  label: string;
  retries: number;
  progress: ProgressReporter;
  log: (line: string) => void;
  /** Indices trained by this call, in the order they finished. */
  evaluated: number[];
  /** Rewrite evaluation.json. */
  save(): void;
  /** Move the overall bar to the candidates finished so far. */
  showFinished(): void;
}

/** Candidate `index`'s training run directory. */
function runDirOf(e: Evaluation, index: number): string {
  return candidateRunDir(e.dir, index);
}

/** One attempt at candidate `c`, once a worker slot is free (the pool's slots keep callers from over-committing it). */
async function attemptOnce(e: Evaluation, pool: CandidateRunner, c: CandidateRecord, attempt: number): Promise<AttemptOutcome> {
  let release: () => void;
  try {
    release = await pool.slots.acquire(e.options.signal);
  } catch {
    return { kind: 'interrupted' };
  }
  try {
    return await attemptOnAFreeWorker(e, pool, c, attempt);
  } finally {
    release();
  }
}

/** Run the candidate's task on a worker, relaying its progress; the runner says how a failed attempt failed (AttemptFailed). */
async function attemptOnAFreeWorker(e: Evaluation, pool: CandidateRunner, c: CandidateRecord, attempt: number): Promise<AttemptOutcome> {
  const { signal } = e.options;
  const channel = new MessageChannel();
  const stopRelay = relayProgress(channel.port1, e.progress, `${e.label} ${c.index}`);
  const fault = e.options.injectFaults?.[c.index];
  const timeoutMs = attemptTimeoutMs(e.options.taskTimeoutMs, fault, attempt);
  const task: WorkerTask = {
    task: { index: c.index, arch: c.arch, training: e.options.training, runDir: runDirOf(e, c.index) },
    attempt,
    progress: channel.port2,
    ...(fault ? { fault } : {}),
  };
  try {
    const value = await pool.run(task, { ...(signal ? { signal } : {}), ...(timeoutMs !== undefined ? { timeoutMs } : {}), transferList: [channel.port2] });
    return { kind: 'done', value };
  } catch (err) {
    if (signal?.aborted) return { kind: 'interrupted' };
    if (err instanceof AttemptFailed) return { kind: err.kind, message: err.message };
    // A full, read-only or forbidden disk fails every candidate alike: the evaluation stops with it.
    const refused = fileSystemError(err);
    if (refused) throw refused;
    return { kind: 'error', message: firstLine(err) };
  } finally {
    stopRelay();
  }
}

/** The candidate's result as evaluation.json records it (paths relative to the evaluation directory). */
function candidateResult(e: Evaluation, c: CandidateRecord, v: TrainedCandidate): CandidateResult {
  return {
    testAccuracy: v.testAccuracy,
    ...(v.testPixelAccuracy !== undefined ? { testPixelAccuracy: v.testPixelAccuracy } : {}),
    testLoss: v.testLoss,
    testImages: v.testImages,
    history: v.history,
    costs: v.costs,
    runDir: relative(e.dir, runDirOf(e, c.index)),
    modelFile: relative(e.dir, v.modelFile),
    modelBytes: v.modelBytes,
    trainSeconds: v.trainSeconds,
  };
}

/** Attempts at one candidate until one succeeds or `retries` more have failed; every outcome is saved as it happens. */
async function evaluateOne(e: Evaluation, pool: CandidateRunner, c: CandidateRecord): Promise<void> {
  for (let attempt = 1; attempt <= 1 + e.retries; attempt++) {
    const outcome = await attemptOnce(e, pool, c, attempt);
    if (outcome.kind === 'interrupted') return;
    if (outcome.kind === 'done') {
      c.status = 'done';
      c.result = candidateResult(e, c, outcome.value);
      e.evaluated.push(c.index);
      e.save();
      e.showFinished();
      if (outcome.value.rebuilt !== undefined) e.log(`${e.label} ${c.index}: ${outcome.value.rebuilt}: trained it again from scratch`);
      else if (outcome.value.resumed) e.log(`${e.label} ${c.index}: continued its run from the last checkpoint`);
      return;
    }
    c.failures.push({ attempt, kind: outcome.kind, message: outcome.message });
    e.log(`candidate ${c.index}: attempt ${attempt} failed: ${outcome.message}${attempt <= e.retries ? ' — retrying' : ''}`);
    e.save();
  }
  c.status = 'failed';
  c.reason = c.failures[c.failures.length - 1]!.message;
  e.save();
  e.showFinished();
}

/**
 * Evaluate the candidates `todo` (in that order) on `workers` lanes, each taking the next candidate
 * when it is done; with `startLanes` fewer, the others join once `allLanesWhen` settles.
 */
async function runLanes(e: Evaluation, pool: CandidateRunner, todo: readonly number[], workers: number): Promise<void> {
  const queue = [...todo];
  const lane = async () => {
    for (let i = queue.shift(); i !== undefined && !e.options.signal?.aborted; i = queue.shift()) await evaluateOne(e, pool, e.record.candidates[i]!);
  };
  const startLanes = Math.min(e.options.startLanes ?? workers, workers);
  const lanes = Array.from({ length: startLanes }, lane);
  if (startLanes < workers) {
    const widen = e.options.allLanesWhen ?? Promise.resolve();
    // Settled either way: a caller's failure must not leave this evaluation waiting for lanes.
    lanes.push(widen.then(noop, noop).then(() => Promise.all(Array.from({ length: workers - startLanes }, lane)).then(noop)));
  }
  await Promise.all(lanes);
}

function checkOptions(options: EvaluateCandidatesOptions): void {
  checkCount('workers', options.workers, 1);
  checkCount('retries', options.retries, 0);
  checkCount('taskTimeoutMs', options.taskTimeoutMs, 1);
  checkCount('workerHeapMb', options.workerHeapMb, 16);
  checkCount('startLanes', options.startLanes, 1);
  if (options.pool !== undefined) {
    for (const name of ['workers', 'backend', 'workerHeapMb'] as const) {
      if (options[name] !== undefined) throw new UsageError(`${name}: set by the pool given (options.pool), not per evaluation`);
    }
  }
}

/**
 * The candidates still to evaluate, longest first: the biggest start at once, so no worker is left
 * alone with a big one at the end while the others idle (multiply-accumulates are a fair proxy of
 * training time).
 */
function pendingLongestFirst(record: EvaluationRecord): number[] {
  const work = (c: CandidateRecord) => {
    const t = summarize(c.arch).totals;
    return t.binaryMacs + t.floatMacs;
  };
  return record.candidates
    .filter((c) => c.status !== 'done')
    .sort((a, b) => work(b) - work(a) || a.index - b.index)
    .map((c) => c.index);
}

/**
 * Train, test, pack and time `candidates` (see the file comment). Resolves when every candidate is
 * done or failed; rejects with EvaluationInterrupted when `signal` aborts first.
 */
export async function evaluateCandidates(candidates: readonly Arch[], options: EvaluateCandidatesOptions): Promise<EvaluationOutcome> {
  checkOptions(options);
  // evaluation.json gives the teacher's path back absolute: so are the asked options, to compare wherever the run resumes from
  const asked = { ...options, training: withAbsoluteTeacher(options.training) };
  // Held for the workers too (they train below it): one evaluation at a time per directory.
  return withRunLockAsync(options.dir, () => evaluateLocked(candidates, asked));
}

async function evaluateLocked(candidates: readonly Arch[], options: EvaluateCandidatesOptions): Promise<EvaluationOutcome> {
  const { dir, signal } = options;
  const progress = options.progress ?? silentProgress;
  const file = join(dir, EVALUATION_FILE);
  const record = startingRecord(file, candidates, options.training, options.extend === true, options.log ?? noop);
  const label = options.label ?? 'candidate';
  const overall = progress.start(label === 'candidate' ? 'evaluate' : `evaluate ${label}s`, candidates.length);
  const countFinished = () => record.candidates.filter((c) => c.status !== 'pending').length;
  const e: Evaluation = {
    dir,
    options,
    record,
    label,
    retries: options.retries ?? 1,
    progress,
    log: options.log ?? noop,
    evaluated: [],
    save: () => writeEvaluation(file, record),
    showFinished: () => overall.update(countFinished()),
  };
  e.save();
  e.showFinished();

  const skipped = record.candidates.filter((c) => c.status === 'done').map((c) => c.index);
  const todo = pendingLongestFirst(record);
  if (skipped.length > 0) e.log(`evaluation: ${skipped.length} of ${candidates.length} candidates already evaluated in ${file}; skipping them`);
  const workers = Math.min(options.pool?.workers ?? options.workers ?? availableParallelism(), Math.max(1, todo.length));
  const poolStart = performance.now();
  if (todo.length > 0 && !signal?.aborted) {
    if (options.pool?.warmsUp)
      e.log(
        `evaluation: ${Math.min(options.pool.preparedWorkers, options.pool.workers)} of ${options.pool.workers} workers warmed up before the first ${label}`,
      );
    const pool =
      options.pool ??
      startEvaluationPool({
        workers,
        ...(options.backend !== undefined ? { backend: options.backend } : {}),
        ...(options.workerHeapMb !== undefined ? { workerHeapMb: options.workerHeapMb } : {}),
        log: e.log,
      });
    try {
      await runLanes(e, pool, todo, workers);
    } finally {
      if (pool !== options.pool) await pool.destroy();
      // Workers stopped mid-write (timeouts, deaths, Ctrl-C) may have left temp files; none is writing now.
      for (const c of record.candidates) if (c.status !== 'done') removeStaleTempFiles(runDirOf(e, c.index));
    }
  }
  const trainingSeconds = (performance.now() - poolStart) / 1000;
  overall.stop();
  if (signal?.aborted) {
    throw new EvaluationInterrupted(
      `evaluation interrupted: ${countFinished()} of ${candidates.length} candidates finished; rerun with the same directory (${dir}) to resume`,
    );
  }
  const outcome: EvaluationOutcome = {
    file,
    record,
    evaluated: e.evaluated,
    skipped,
    failed: record.candidates.filter((c) => c.status === 'failed').map((c) => c.index),
    workers,
    trainingSeconds,
    latencySeconds: 0,
  };
  return options.latency === false ? outcome : timeEvaluation(outcome, options);
}

/**
 * The latency phase alone: time, in this thread, every trained candidate of `outcome` that has no
 * latency yet, and record it. evaluateCandidates ends with it unless told `latency: false`, for a
 * caller that has other training to wait for before anything is timed.
 */
export function timeEvaluation(
  outcome: EvaluationOutcome,
  options: Pick<EvaluateCandidatesOptions, 'latency' | 'progress' | 'signal' | 'label'> = {},
): EvaluationOutcome {
  return timeEvaluations([outcome], options)[0]!;
}

/**
 * Time the untimed trained candidates of several evaluations (a search's candidates and its
 * presets) together, in interleaved rounds (measure-latency.ts), so they are compared under the
 * same conditions; each evaluation.json records its own. A `reference` model (in the first
 * evaluation's directory, ReferenceModel) joins those rounds when they time anything, and the first
 * evaluation.json records it; a reference added to an evaluation timed already stays untimed.
 */
export function timeEvaluations(
  outcomes: readonly EvaluationOutcome[],
  options: Pick<EvaluateCandidatesOptions, 'latency' | 'progress' | 'signal' | 'label'> & { reference?: Omit<ReferenceModel, 'latency'> } = {},
): EvaluationOutcome[] {
  const started = performance.now();
  const untimed = outcomes.flatMap((o) => o.record.candidates.filter((c) => c.status === 'done' && c.latency === undefined).map((c) => ({ o, c })));
  if (options.latency !== false && untimed.length > 0) {
    if (options.signal?.aborted) {
      const dirs = [...new Set(untimed.map(({ o }) => dirname(o.file)))].join(', ');
      throw new EvaluationInterrupted(
        `evaluation interrupted before timing ${untimed.length} trained candidates; rerun with the same directory (${dirs}) to resume`,
      );
    }
    const latency = options.latency ?? {};
    const engine = createEngine(latency.engine ?? 'auto');
    const first = outcomes[0]!;
    const reference = options.reference;
    const files = untimed.map(({ o, c }) => join(dirname(o.file), c.result!.modelFile));
    const bar = (options.progress ?? silentProgress).start('latency', files.length + (reference ? 1 : 0));
    try {
      const measured = measureLatencies(reference ? [...files, join(dirname(first.file), reference.modelFile)] : files, latency, engine);
      untimed.forEach(({ c }, n) => (c.latency = measured[n]!));
      if (reference) first.record.reference = { ...reference, latency: measured[files.length]! };
      for (const o of new Set([...untimed.map(({ o }) => o), ...(reference ? [first] : [])])) writeEvaluation(o.file, o.record);
      bar.update(measured.length, { models: measured.length });
    } finally {
      bar.stop();
    }
  }
  const seconds = (performance.now() - started) / 1000;
  return outcomes.map((o) => ({ ...o, latencySeconds: o.latencySeconds + seconds }));
}
