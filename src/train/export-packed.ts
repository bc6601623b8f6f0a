/**
 * `groupnas export`: a training run's last checkpoint becomes a `.gnb` packed model that
 * the packed inference engine runs (src/kernels). The checkpoint's BN statistics are the
 * recalibrated ones the run's test accuracy was measured with, so the packed model reproduces
 * that accuracy. The file also records the input normalization of the run's data set (the
 * engine sees the same numbers as tfjs did), and the run's tfjs test accuracy for comparison.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { loadDataset, type Dataset } from '../data/index.js';
import * as tf from '../util/tfjs.js';
import {
  ALPHA_SUFFIX,
  binaryConvWeightNames,
  exportPackedModel,
  PackedModel,
  packStateDict,
  type ArrayTensor,
  type BinaryEngine,
  type PackedModelMetadata,
} from '../kernels/index.js';
import { buildModel, channelScale, type GroupNetModel } from '../nn/index.js';
import { DEFAULT_ACTIVATION_CLIP } from '../space/activation-clip.js';
import type { Arch } from '../space/arch.js';
import { UsageError } from '../util/errors.js';
import { ACTIVITY_FILE } from '../util/run-activity.js';
import { withRunLock } from '../util/run-lock.js';
import { VERSION } from '../util/version.js';
import { checkRunDataset, readRunResult, runFile, RUN_FILES, type RunRecord } from './run-directory.js';
import { loadRunModel } from './run-model.js';

export interface ExportedModel {
  path: string;
  bytes: number;
  arch: Arch;
  metadata: PackedModelMetadata;
}

/**
 * Pack the last checkpoint of run directory `runDir` into `out` (written atomically; nothing is written on error).
 * `loaded`: the run's data set when the caller has it loaded already (its checksum is still checked).
 * `sourceRun`: the run directory the model names as its source, when the run is trained in scratch
 * space for a directory elsewhere (a queue worker's for the search's host); default `runDir`.
 */
export function exportRunModel(runDir: string, out: string, loaded?: Dataset, sourceRun = runDir): ExportedModel {
  return withOutputLock(out, () => exportLocked(runDir, out, loaded, sourceRun));
}

/**
 * An export into a run directory (model.gnb beside a run's files; every run directory a job wrote
 * has its activity.json) holds that directory's lock while it writes: refused while a job works there.
 */
export function withOutputLock<T>(out: string, work: () => T): T {
  return existsSync(join(dirname(out), ACTIVITY_FILE)) ? withRunLock(dirname(out), work) : work();
}

function exportLocked(runDir: string, out: string, loaded: Dataset | undefined, sourceRun: string): ExportedModel {
  const { record, model, dataset } = openRunForExport(runDir, out, loaded);
  try {
    const result = readRunResult(runDir);
    const metadata: PackedModelMetadata = {
      activationClip: DEFAULT_ACTIVATION_CLIP,
      normalization: { mean: [...dataset.stats.mean], std: [...dataset.stats.std] },
      dataset: {
        data: record.options.data,
        name: record.dataset.name,
        checksum: record.dataset.checksum,
        testImages: result?.testImages ?? Math.min(record.options.testLimit ?? dataset.test.count, dataset.test.count),
      },
      ...(result ? { tfjsTestAccuracy: result.testAccuracy } : {}),
      ...(result?.testMiou !== undefined ? { tfjsTestMiou: result.testMiou } : {}),
      source: { run: resolve(sourceRun), epochs: result?.epochs.length ?? 0, exportedAt: new Date().toISOString(), toolVersion: VERSION },
    };
    exportPackedModel(out, record.arch, packedExportState(model), { activationClip: DEFAULT_ACTIVATION_CLIP, metadata: { ...metadata } });
    return { path: out, bytes: statSync(out).size, arch: record.arch, metadata };
  } finally {
    model.dispose();
  }
}

/**
 * A run's trained model and the data set it was trained on (for its input normalization), checked
 * for an export to `out`: a run with a checkpoint, an `out` that is not a directory, the same data
 * (by checksum). The caller disposes the model.
 */
export function openRunForExport(runDir: string, out: string, loaded?: Dataset): { record: RunRecord; model: GroupNetModel; dataset: Dataset } {
  if (!existsSync(runFile(runDir, 'checkpoint'))) {
    throw new UsageError(`${runDir}: no ${RUN_FILES.checkpoint} (is it a groupnas training run that has finished a step?)`);
  }
  if (existsSync(out) && statSync(out).isDirectory()) throw new UsageError(`${out}: is a directory; expected a file name such as model.gnb`);
  const { record, model } = loadRunModel(runDir);
  try {
    const dataset = loaded ?? loadDataset({ data: record.options.data });
    checkRunDataset(runDir, record, dataset);
    return { record, model, dataset };
  } catch (err) {
    model.dispose();
    throw err;
  }
}

/**
 * The state dict the packed engine needs from a tfjs model: every parameter and buffer, plus each
 * binary conv's α as this backend's tfjs computes it (`channelScale`), so that the engine's folded
 * output transforms — and its logits — are bit-identical to the model's inference on this backend.
 */
export function packedExportState(model: GroupNetModel): Record<string, ArrayTensor> {
  const state: Record<string, ArrayTensor> = {};
  const variables = model.stateDict();
  for (const [name, variable] of Object.entries(variables)) {
    state[name] = { shape: [...variable.shape], data: variable.dataSync() as Float32Array };
  }
  for (const name of binaryConvWeightNames(model.arch)) {
    const weight = variables[name];
    if (weight === undefined) continue; // packStateDict names the missing weight
    const alpha = tf.tidy(() => channelScale(weight).dataSync() as Float32Array);
    state[`${name}${ALPHA_SUFFIX}`] = { shape: [alpha.length], data: alpha };
  }
  return state;
}

/** The packed state of `arch` with its initial weights: what a model costs to run does not depend on its weights. */
function untrainedState(arch: Arch, seed: number): Record<string, ArrayTensor> {
  const model = buildModel(arch, { seed });
  try {
    return packedExportState(model);
  } finally {
    model.dispose();
  }
}

/** `arch` with its initial weights, packed into `out` (to time it). */
export function exportUntrainedModel(arch: Arch, out: string, seed = 0): void {
  exportPackedModel(out, arch, untrainedState(arch, seed));
}

/** `arch` with its initial weights as a packed model on `engine` (to time it). */
export function untrainedPackedModel(arch: Arch, engine: BinaryEngine, seed = 0): PackedModel {
  return new PackedModel(packStateDict(arch, untrainedState(arch, seed)), engine);
}
