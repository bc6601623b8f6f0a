/**
 * The whole `groupnas search` job as one call: supernet search (new or resumed; or, with
 * `search.strategy` random or evolution, a baseline's samples — evolution's trained on the pool as
 * it goes), then the candidates' evaluation, and with `comparePresets` the presets' — overlapped so no core idles:
 *
 *   pool started   the evaluation workers warm up while the teacher and supernet run (one core each)
 *   supernet start the presets begin training on one worker (startPresetTraining)
 *   supernet done  candidates and presets share every worker; latency is timed once all training ended
 *
 * The job holds the run directory's lock (util/run-lock.ts), so a second search or resume of the same
 * run is refused while it works; activity.json says, meanwhile, that the job runs, and at the end
 * how it ended.
 *
 * The caller only reports: it holds no pool, hook or cleanup of its own (DESIGN §2).
 */
import { defaultTrainingThreads, setNativeTrainingThreads, type TrainingKernelOptions } from '../backend/index.js';
import type { SearchConfig } from '../space/config.js';
import { UsageError } from '../util/errors.js';
import { beginActivity, type ActivityOutcome } from '../util/run-activity.js';
import { withRunLockAsync } from '../util/run-lock.js';
import { EvaluationInterrupted, type CandidateRunner } from './evaluate/index.js';
import { readSearchConfig } from './search-directory.js';
import { evolutionSearch, type TrainForFitness } from './evolution-search.js';
import {
  evaluateSearch,
  startPresetTraining,
  startSearchEvaluationPool,
  trainSearchSamples,
  type EvaluationStageResult,
  type PresetTraining,
} from './search-evaluation.js';
import { randomSearch } from './random-search.js';
import { checkNewSearchDir, resumeSearch, runSearch, type SearchResult, type SearchRunOptions, type SupernetStart } from './search-run.js';

/** A new run (its config and directory) or a run directory to continue. */
export type SearchStart = { config: SearchConfig; out: string } | { resume: string };

export interface SearchPipelineOptions extends Omit<SearchRunOptions, 'out'> {
  /** Train, test, pack and time the candidates after the supernet (default true). */
  evaluate?: boolean;
  /** Worker threads of the evaluation (default: `evaluation.workers` of the config). */
  workers?: number;
  /** The training kernels of those workers, as this thread's (default: auto, the cores shared among the workers). */
  evaluationKernels?: TrainingKernelOptions;
  taskTimeoutMs?: number;
  /** Also evaluate COMPARED_PRESETS into `presets/`; they train during the supernet phase. */
  comparePresets?: boolean;
  /**
   * Who evaluates the candidates, started with the run (and destroyed at its end): by default this
   * host's worker pool; a job queue's runner (src/queue) sends them to workers on other hosts.
   */
  startRunner?: (run: { dir: string; config: SearchConfig }) => CandidateRunner;
}

export interface SearchPipelineResult {
  search: SearchResult;
  /** Undefined when the search did not finish, or no evaluation was asked for. */
  evaluation?: EvaluationStageResult;
}

/**
 * Run the search and its evaluation. `signal` stops whichever phase is running: the supernet
 * returns unfinished (`search.finished` false), an evaluation throws EvaluationInterrupted; either
 * way every finished epoch and candidate is kept for `{ resume: dir }`, and the workers are gone.
 */
export async function searchPipeline(start: SearchStart, options: SearchPipelineOptions): Promise<SearchPipelineResult> {
  const dir = 'resume' in start ? start.resume : start.out;
  if (options.startRunner !== undefined && options.workers !== undefined)
    throw new UsageError('workers: set by the runner given (startRunner); give one of the two');
  if ('resume' in start) readSearchConfig(dir); // a directory that holds no search is refused before it gets a lock
  return withRunLockAsync(dir, () => searchLocked(start, options));
}

async function searchLocked(start: SearchStart, options: SearchPipelineOptions): Promise<SearchPipelineResult> {
  const { evaluate = true, workers, evaluationKernels, taskTimeoutMs, comparePresets = false, startRunner, ...searchOptions } = options;
  const config = 'resume' in start ? readSearchConfig(start.resume) : start.config;
  const dir = 'resume' in start ? start.resume : start.out;
  if (!('resume' in start)) checkNewSearchDir(dir);
  const evaluates = evaluate && config.evaluation.candidates > 0;
  if (config.search.strategy === 'evolution' && !evaluates) {
    throw new UsageError(
      'search.strategy: evolution trains its architectures as it searches, on the evaluation’s workers: it needs the evaluation (evaluation.candidates > 0, no --no-evaluate)',
    );
  }
  const activity = beginActivity(dir);
  let outcome: ActivityOutcome = 'failed';
  let error: unknown;
  const log = options.log;
  const pool = evaluates
    ? (startRunner?.({ dir, config }) ??
      startSearchEvaluationPool(config, {
        ...(workers !== undefined ? { workers } : {}),
        ...(evaluationKernels ? { training: evaluationKernels } : {}),
        ...(log ? { log } : {}),
      }))
    : undefined;
  // Presets still training when the run ends early (a stopped supernet, a failure) stop as interrupted, not failed.
  const ended = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, ended.signal]) : ended.signal;
  const shared = {
    ...(taskTimeoutMs !== undefined ? { taskTimeoutMs } : {}),
    signal,
    ...(options.progress ? { progress: options.progress } : {}),
    ...(log ? { log } : {}),
  };
  let presetTraining: PresetTraining | undefined;
  let restoreThreads = () => {};
  let teacher: string | undefined;
  const onSupernetStart = (run: SupernetStart) => {
    teacher = run.teacher;
    if (pool !== undefined && comparePresets) {
      presetTraining = startPresetTraining(run, pool, shared);
      if (pool.threadsPerWorker !== undefined) restoreThreads = leaveCoresToPresets(pool.threadsPerWorker, log);
    }
    options.onSupernetStart?.(run);
  };
  try {
    const runOptions = { ...searchOptions, onSupernetStart };
    const trainOnPool: TrainForFitness = async (archs) => {
      const records = await trainSearchSamples(dir, teacher, archs, { ...shared, pool: pool! });
      return records.map((c) => (c.status === 'done' ? c.result!.testAccuracy : undefined));
    };
    const search =
      config.search.strategy === 'random'
        ? await randomSearch(start, runOptions)
        : config.search.strategy === 'evolution'
          ? await evolutionSearch(start, { ...runOptions, train: trainOnPool })
          : 'resume' in start
            ? await resumeSearch(start.resume, runOptions)
            : await runSearch(config, { ...runOptions, out: start.out });
    outcome = search.finished ? 'done' : 'stopped';
    if (!search.finished || pool === undefined) return { search };
    outcome = 'failed';
    const evaluation = await evaluateSearch(search, { ...shared, pool, comparePresets, ...(presetTraining ? { presetTraining } : {}) });
    outcome = 'done';
    return { search, ...(evaluation ? { evaluation } : {}) };
  } catch (err) {
    outcome = err instanceof EvaluationInterrupted ? 'stopped' : 'failed';
    error = err;
    throw err;
  } finally {
    restoreThreads();
    ended.abort();
    presetTraining?.supernetDone();
    await pool?.destroy();
    activity.end(outcome, error);
  }
}

/**
 * While the presets train on a worker of this host's pool beside the supernet, this thread's kernels
 * leave that worker its threads (else three threads share two cores and the kernels' helpers wait on
 * each other); returns what puts the count back. Nothing changes without native kernels here.
 */
function leaveCoresToPresets(workerThreads: number, log: ((line: string) => void) | undefined): () => void {
  const threads = Math.max(1, defaultTrainingThreads() - workerThreads);
  const before = setNativeTrainingThreads(threads);
  if (before === undefined || before === threads) return () => {};
  log?.(`supernet: ${threads} kernel thread(s) while the presets train on a worker (${workerThreads} thread(s))`);
  return () => void setNativeTrainingThreads(before);
}
