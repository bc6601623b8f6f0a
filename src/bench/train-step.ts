import { selectBackend, type ConcreteBackend } from '../backend/select.js';
import { buildPreset } from '../space/presets.js';
import { describeMachine, type MachineDescription } from '../util/machine.js';
import { peerTorchVersion, runPeerScript } from '../util/peer.js';
import { peerScript } from './peer-scripts.js';
import { silentProgress, type ProgressReporter } from '../util/progress.js';
import { timeTrainStep } from './time-train-step.js';

/** The models `bench train-step` measures: network R's full-precision twin and Group-Net R (K=5), full width. */
export const TRAIN_STEP_MODELS = ['fp', 'groupnet-k5'] as const;
export type TrainStepModel = (typeof TRAIN_STEP_MODELS)[number];

export interface ModelTrainStepResult {
  model: TrainStepModel;
  wasmImagesPerSec: number;
  /**
   * Stock tfjs cpu backend, one step at `cpuBatch` images (its cost is linear in the batch, so
   * images/s compare; a full batch-64 step takes many minutes there). FP twin only.
   */
  cpuImagesPerSec?: number;
  speedupVsCpu?: number;
  /** PyTorch on one thread, same network and batch, same run. */
  torchImagesPerSec?: number;
  ratioVsTorch?: number;
}

export interface TrainStepBenchResult extends ModelTrainStepResult {
  batch: number;
  cpuBatch: number;
  machine: MachineDescription;
  torchVersion: string | null;
  /** Per model; the top-level numbers repeat the FP twin's (what the foundation issue reports). */
  models: ModelTrainStepResult[];
}

export interface TrainStepBenchOptions {
  batch?: number;
  /** Timed steps on wasm and in PyTorch (median); cpu always takes one. */
  steps?: number;
  models?: readonly TrainStepModel[];
  cpu?: boolean;
  /** Batch of the single cpu-backend step (default 8). */
  cpuBatch?: number;
  torch?: boolean;
  progress?: ProgressReporter;
}

const TORCH_SCRIPT = peerScript('torch_train_step.py');

async function timeOn(backend: ConcreteBackend, model: TrainStepModel, batch: number, steps: number, warmup: number): Promise<number> {
  await selectBackend(backend);
  return timeTrainStep(buildPreset(model), { batch, steps, warmup }).imagesPerSec;
}

/**
 * Images/s of one SGD training step (batch 64 by default) of network R's FP twin and Group-Net R,
 * on wasm with our gradient kernels, on the stock cpu backend, and in PyTorch (1 thread) when
 * `/usr/bin/python3` has torch — all in one run, so the ratios compare like with like.
 */
export async function benchTrainStep(options: TrainStepBenchOptions = {}): Promise<TrainStepBenchResult> {
  const batch = options.batch ?? 64;
  const cpuBatch = options.cpuBatch ?? 8;
  const steps = options.steps ?? 5;
  const models = options.models ?? TRAIN_STEP_MODELS;
  const torchVersion = options.torch === false ? null : peerTorchVersion();
  const progress = (options.progress ?? silentProgress).start('train-step', models.length * 3);
  let done = 0;
  const results: ModelTrainStepResult[] = [];
  for (const model of models) {
    const r: ModelTrainStepResult = { model, wasmImagesPerSec: await timeOn('wasm', model, batch, steps, 2) };
    progress.update(++done, { model, wasm: r.wasmImagesPerSec });
    if (options.cpu !== false && model === 'fp') {
      r.cpuImagesPerSec = await timeOn('cpu', model, cpuBatch, 1, 0);
      r.speedupVsCpu = r.wasmImagesPerSec / r.cpuImagesPerSec;
    }
    progress.update(++done, { model, cpu: r.cpuImagesPerSec ?? '-' });
    if (torchVersion !== null) {
      const peer = runPeerScript<{ imagesPerSec: number }>(TORCH_SCRIPT, ['--model', model, '--batch', String(batch), '--steps', String(steps)]);
      r.torchImagesPerSec = peer.imagesPerSec;
      r.ratioVsTorch = r.wasmImagesPerSec / peer.imagesPerSec;
    }
    progress.update(++done, { model, torch: r.torchImagesPerSec ?? '-' });
    results.push(r);
  }
  progress.stop();
  await selectBackend('wasm');
  const fp = results.find((r) => r.model === 'fp') ?? results[0]!;
  return { ...fp, batch, cpuBatch, machine: describeMachine(), torchVersion, models: results };
}
