/**
 * One candidate's evaluation, the unit of work of the evaluation pool: train the architecture from
 * scratch (or continue its interrupted run), test it, count its costs, export its packed weights.
 * The same function runs in a worker thread and in the main thread, so the two give equal results
 * for the same seed (the run is deterministic on one backend).
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { loadDatasetCached } from '../../data/dataset-cache.js';
import type { Arch } from '../../space/arch.js';
import { summarize, type CostCounts } from '../../space/summary.js';
import { exportRunModel } from '../../train/export-packed.js';
import { readRunRecord, runFile, runState, type TrainingEpoch } from '../../train/run-directory.js';
import type { TrainingOptions } from '../../train/training-options.js';
import { resumeTraining, trainArch } from '../../train/training-run.js';
import { FileFormatError, UsageError } from '../../util/errors.js';
import { silentProgress, type ProgressReporter } from '../../util/progress.js';
import { canonicalJson } from './canonical-json.js';
import { MODEL_FILE } from './evaluation-file.js';

export interface CandidateTask {
  /** Position in the candidate list (names the run directory). */
  index: number;
  arch: Arch;
  training: TrainingOptions;
  /** The candidate's training run directory, `<evaluation dir>/candidates/<index>`. */
  runDir: string;
  /** The run directory its packed model names as its source (default `runDir`): a queue worker trains in scratch space for the search's host. */
  sourceRunDir?: string;
}

/** What a worker hands back for one candidate (structured-cloneable: plain data only). */
export interface TrainedCandidate {
  index: number;
  /** The task's score, what the Pareto fronts rank: top-1 test accuracy, or for segmentation the test mIoU. */
  testAccuracy: number;
  /** Segmentation: the pixel accuracy (the score above is the mIoU). */
  testPixelAccuracy?: number;
  testLoss: number;
  testImages: number;
  /** The loss curve: train loss, test loss and accuracy per epoch. */
  history: TrainingEpoch[];
  /** Params, binary/float params, packed memory, binary MACs, BOPs, float MACs (space/summary). */
  costs: CostCounts;
  /** The packed model, `<runDir>/model.gnb`. */
  modelFile: string;
  modelBytes: number;
  /** True when an earlier attempt's checkpoint was continued rather than training from scratch. */
  resumed: boolean;
  /** The damage that made an earlier attempt's run unusable, when it was trained again from scratch because of it. */
  rebuilt?: string;
  /** Seconds this attempt spent training (a resumed run counts only its own part). */
  trainSeconds: number;
}

/** A temp file that `writeFileAtomic` leaves behind when its thread is killed between write and rename. */
const STALE_TEMP = /^\..+\.tmp$/;

/** Remove temp files a killed writer left in `runDir` (only call when no thread is writing there). */
export function removeStaleTempFiles(runDir: string): void {
  if (!existsSync(runDir)) return;
  for (const name of readdirSync(runDir)) if (STALE_TEMP.test(name)) rmSync(join(runDir, name), { force: true });
}

/** The existing run in `runDir` must be this very candidate with these very options, or resuming it would mix two experiments. */
function checkSameRun(task: CandidateTask): void {
  const record = readRunRecord(task.runDir);
  for (const [field, ours, theirs] of [
    ['arch', task.arch, record.arch],
    ['options', task.training, record.options],
  ] as const) {
    if (canonicalJson(ours) !== canonicalJson(theirs)) {
      throw new UsageError(
        `${runFile(task.runDir, 'record')}: ${field}: differs from candidate ${task.index}'s; evaluate into a new directory or delete ${task.runDir}`,
      );
    }
  }
}

/** Whether `file` lies inside directory `dir`. */
function isInside(file: string, dir: string): boolean {
  const path = relative(resolve(dir), resolve(file));
  return path !== '' && !path.startsWith('..');
}

/**
 * Train (or resume), test and pack candidate `task.index`. The run directory derives from the task,
 * so a damaged file in it (run.json, history.json, result.json, the checkpoint) is no reason to
 * fail: the run is trained again from scratch and `rebuilt` says why. Synchronous: it occupies its
 * thread, which is why the pool runs it in workers.
 */
export function trainCandidate(task: CandidateTask, progress: ProgressReporter = silentProgress): TrainedCandidate {
  // A worker runs many tasks on the same data: it reads the set once and keeps it.
  const dataset = loadDatasetCached({ data: task.training.data });
  if (runState(task.runDir) === 'absent') return trainAndPack(task, progress, dataset, false);
  try {
    return trainAndPack(task, progress, dataset, true);
  } catch (err) {
    if (!(err instanceof FileFormatError) || !isInside(err.file, task.runDir)) throw err;
    rmSync(task.runDir, { recursive: true, force: true });
    return { ...trainAndPack(task, progress, dataset, false), rebuilt: err.message.split('\n')[0]! };
  }
}

function trainAndPack(task: CandidateTask, progress: ProgressReporter, dataset: ReturnType<typeof loadDatasetCached>, resumed: boolean): TrainedCandidate {
  let result;
  if (resumed) {
    checkSameRun(task);
    removeStaleTempFiles(task.runDir);
    result = resumeTraining(task.runDir, progress, dataset);
  } else {
    result = trainArch(task.arch, task.training, task.runDir, progress, dataset);
  }
  const exported = exportRunModel(task.runDir, join(task.runDir, MODEL_FILE), dataset, task.sourceRunDir);
  return {
    index: task.index,
    ...(result.final.segmentation
      ? { testAccuracy: result.final.segmentation.miou, testPixelAccuracy: result.final.segmentation.pixelAccuracy }
      : { testAccuracy: result.final.accuracy }),
    testLoss: result.final.loss,
    testImages: result.final.count,
    history: result.history,
    costs: summarize(task.arch).totals,
    modelFile: exported.path,
    modelBytes: exported.bytes,
    resumed,
    trainSeconds: result.seconds,
  };
}
