import { selectBackend, setNativeTrainingThreads, type TrainingKernelOptions } from '../backend/index.js';
import { buildPreset } from '../space/presets.js';
import { describeMachine, type MachineDescription } from '../util/machine.js';
import { median } from '../util/median-time.js';
import { peerTorchVersion, runPeerScript } from '../util/peer.js';
import { silentProgress, type ProgressReporter } from '../util/progress.js';
import { peerScript } from './peer-scripts.js';
import { profileStep, type KernelProfileRow } from './step-profile.js';
import { createBenchTraining, timeTrainStep, timeTrainStepAcross } from './time-train-step.js';

/** The models `bench train-step` measures: network R's full-precision twin and Group-Net R (K=5), full width. */
export const TRAIN_STEP_MODELS = ['fp', 'groupnet-k5'] as const;
export type TrainStepModel = (typeof TRAIN_STEP_MODELS)[number];

/** Images/s at a number of threads: the median over the rounds, and each round's own figure. */
export interface ThreadedRate {
  threads: number;
  imagesPerSec: number;
  rounds: number[];
}

export interface ModelTrainStepResult {
  model: TrainStepModel;
  /** The native training kernels at 1 and 2 threads (absent when the addon is not available here). */
  native?: ThreadedRate[];
  /** The wasm backend with the JS composite kernels (one thread), as without the addon. */
  wasmImagesPerSec: number;
  /**
   * Stock tfjs cpu backend, one step at `cpuBatch` images (its cost is linear in the batch, so
   * images/s compare; a full batch-64 step takes many minutes there). FP twin only.
   */
  cpuImagesPerSec?: number;
  /** PyTorch at 1 and 2 threads (torch.set_num_threads), same network and batch, same run. */
  torch?: ThreadedRate[];
  /**
   * Ours against the peers, each at the same thread count; and our 2 threads against our 1. Native and
   * PyTorch ratios are medians of each round's ratio: the rounds interleave the two, so a slow spell of
   * a shared machine slows both sides of a ratio alike (our thread counts alternate step by step).
   */
  ratios: {
    nativeVsTorch1?: number;
    nativeVsTorch2?: number;
    nativeTwoThreadsVsOne?: number;
    nativeVsWasm?: number;
    wasmVsTorch1?: number;
    wasmVsCpu?: number;
  };
  /** Peak resident memory (MB) of the process after the model's native and wasm runs. */
  peakRssMb: { native?: number; wasm: number };
  /** With `profile`: one native step by kernel at each thread count of the run. */
  profiles?: StepProfile[];
}

/** One native training step by kernel, at `threads` threads. */
export interface StepProfile {
  threads: number;
  stepMs: number;
  kernels: KernelProfileRow[];
}

export interface TrainStepBenchResult {
  batch: number;
  cpuBatch: number;
  machine: MachineDescription;
  torchVersion: string | null;
  models: ModelTrainStepResult[];
}

export interface TrainStepBenchOptions {
  batch?: number;
  /** Timed steps (median) on wasm, native and in PyTorch; cpu always takes one. */
  steps?: number;
  /**
   * Rounds of native and PyTorch measurements, interleaved (default 5); wasm and cpu run once. In a
   * round the native thread counts share one model, step by step in turn (timeTrainStepAcross).
   */
  rounds?: number;
  models?: readonly TrainStepModel[];
  cpu?: boolean;
  /** Batch of the single cpu-backend step (default 8). */
  cpuBatch?: number;
  torch?: boolean;
  /** Thread counts of the native kernels and of PyTorch (default [1, 2]). */
  threads?: readonly number[];
  /** Profile one native step per model, by kernel. */
  profile?: boolean;
  progress?: ProgressReporter;
}

const TORCH_SCRIPT = peerScript('torch_train_step.py');

/** The process's peak resident memory so far, in MB (maxRSS is in KiB). */
const peakRssMb = (): number => process.resourceUsage().maxRSS / 1024;

async function timeOn(training: TrainingKernelOptions, model: TrainStepModel, batch: number, steps: number): Promise<number> {
  await selectBackend('wasm', training);
  return timeTrainStep(buildPreset(model), { batch, steps, warmup: 2 }).imagesPerSec;
}

/** Images/s of the native kernels at each thread count, from one model whose steps take the counts in turn (a settling step after each switch). */
async function timeNativeAcross(threads: readonly number[], model: TrainStepModel, batch: number, steps: number): Promise<number[]> {
  await selectBackend('wasm', { kernels: 'native', threads: Math.max(...threads) });
  const settings = threads.map((t) => () => void setNativeTrainingThreads(t));
  return timeTrainStepAcross(buildPreset(model), { batch, steps, warmup: 1, settle: 1 }, settings).map((t) => t.imagesPerSec);
}

async function nativeAvailable(): Promise<boolean> {
  return (await selectBackend('wasm', { kernels: 'auto', threads: 1 })).training?.kind === 'native';
}

async function profileNative(model: TrainStepModel, batch: number, threads: number): Promise<StepProfile> {
  await selectBackend('wasm', { kernels: 'native', threads });
  const training = createBenchTraining(buildPreset(model), batch);
  const { trainer, x, y } = training;
  try {
    trainer.step(x, y);
    trainer.step(x, y);
    return { threads, ...(await profileStep(() => void trainer.step(x, y))) };
  } finally {
    training.dispose();
  }
}

/**
 * Images/s of one SGD training step (batch 64 by default) of network R's FP twin and Group-Net R:
 * the native training kernels at 1 and 2 threads, the wasm composites, the stock cpu backend, and
 * PyTorch at 1 and 2 threads when `/usr/bin/python3` has torch — all in one run, so the ratios
 * compare like with like. The wasm runs come last: the wasm heap only grows, so peak memory read
 * after the native runs is theirs alone.
 */
export async function benchTrainStep(options: TrainStepBenchOptions = {}): Promise<TrainStepBenchResult> {
  const batch = options.batch ?? 64;
  const cpuBatch = options.cpuBatch ?? 8;
  const steps = options.steps ?? 5;
  const rounds = options.rounds ?? 5;
  const models = options.models ?? TRAIN_STEP_MODELS;
  const threads = options.threads ?? [1, 2];
  const torchVersion = options.torch === false ? null : peerTorchVersion();
  const native = await nativeAvailable();
  const perModel = rounds * threads.length * 2 + 2;
  const progress = (options.progress ?? silentProgress).start('train-step', models.length * perModel);
  let done = 0;
  const results: ModelTrainStepResult[] = [];
  for (const model of models) {
    const nativeRounds = threads.map((): number[] => []);
    const torchRounds = threads.map((): number[] => []);
    for (let round = 0; round < rounds; round++) {
      if (native) (await timeNativeAcross(threads, model, batch, steps)).forEach((rate, i) => nativeRounds[i]!.push(rate));
      done += threads.length;
      progress.update(done, { model, round: round + 1, native: threads.join(',') });
      for (const [i, t] of threads.entries()) {
        if (torchVersion !== null) torchRounds[i]!.push(torchImagesPerSec(model, batch, steps, t));
        progress.update(++done, { model, round: round + 1, torch: t });
      }
    }
    const r: ModelTrainStepResult = { model, wasmImagesPerSec: 0, ratios: {}, peakRssMb: { wasm: 0 } };
    if (native) {
      r.native = threads.map((t, i) => threadedRate(t, nativeRounds[i]!));
      r.peakRssMb.native = peakRssMb();
      if (options.profile) {
        r.profiles = [];
        for (const t of threads) r.profiles.push(await profileNative(model, batch, t));
      }
    }
    if (torchVersion !== null) r.torch = threads.map((t, i) => threadedRate(t, torchRounds[i]!));
    r.wasmImagesPerSec = await timeOn({ kernels: 'wasm' }, model, batch, steps);
    r.peakRssMb.wasm = peakRssMb();
    progress.update(++done, { model, wasm: r.wasmImagesPerSec });
    if (options.cpu !== false && model === 'fp') {
      await selectBackend('cpu');
      r.cpuImagesPerSec = timeTrainStep(buildPreset(model), { batch: cpuBatch, steps: 1, warmup: 0 }).imagesPerSec;
    }
    progress.update(++done, { model, cpu: r.cpuImagesPerSec ?? '-' });
    r.ratios = trainStepRatios(r);
    results.push(r);
  }
  progress.stop();
  await selectBackend('wasm');
  return { batch, cpuBatch, machine: describeMachine(), torchVersion, models: results };
}

function torchImagesPerSec(model: TrainStepModel, batch: number, steps: number, threads: number): number {
  const args = ['--model', model, '--batch', String(batch), '--steps', String(steps), '--threads', String(threads)];
  return runPeerScript<{ imagesPerSec: number }>(TORCH_SCRIPT, args).imagesPerSec;
}

function threadedRate(threads: number, rounds: number[]): ThreadedRate {
  return { threads, imagesPerSec: median(rounds), rounds };
}

function rateAt(rates: ThreadedRate[] | undefined, threads: number): ThreadedRate | undefined {
  return rates?.find((r) => r.threads === threads);
}

function quotient(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || b === undefined || b === 0 ? undefined : a / b;
}

/** The median over rounds of a / b, round by round (the rounds of `a` and `b` ran interleaved). */
function roundQuotient(a: ThreadedRate | undefined, b: ThreadedRate | undefined): number | undefined {
  if (a === undefined || b === undefined || a.rounds.length !== b.rounds.length || a.rounds.length === 0) return quotient(a?.imagesPerSec, b?.imagesPerSec);
  return median(a.rounds.map((v, i) => v / b.rounds[i]!));
}

/** The ratios a model's rates give (see ModelTrainStepResult.ratios). */
export function trainStepRatios(r: Omit<ModelTrainStepResult, 'ratios'>): ModelTrainStepResult['ratios'] {
  const n1 = rateAt(r.native, 1);
  const n2 = rateAt(r.native, 2);
  const t1 = rateAt(r.torch, 1);
  const t2 = rateAt(r.torch, 2);
  const ratios: ModelTrainStepResult['ratios'] = {};
  const set = (key: keyof ModelTrainStepResult['ratios'], v: number | undefined) => {
    if (v !== undefined) ratios[key] = v;
  };
  set('nativeVsTorch1', roundQuotient(n1, t1));
  set('nativeVsTorch2', roundQuotient(n2, t2));
  set('nativeTwoThreadsVsOne', roundQuotient(n2, n1));
  set('nativeVsWasm', quotient(n1?.imagesPerSec, r.wasmImagesPerSec));
  set('wasmVsTorch1', quotient(r.wasmImagesPerSec, t1?.imagesPerSec));
  set('wasmVsCpu', quotient(r.wasmImagesPerSec, r.cpuImagesPerSec));
  return ratios;
}

const ratioText = (v: number | undefined, digits = 2): string => (v === undefined ? '-' : `${v.toFixed(digits)}×`);
const rateText = (v: number | undefined): string => (v === undefined ? '-' : v >= 10 ? v.toFixed(1) : v.toPrecision(2));

/** The report `groupnas bench train-step` prints: one row per model, then each profile. */
export function formatTrainStep(r: TrainStepBenchResult): string {
  const lines = [
    `train step, batch ${r.batch} (cpu backend: one step of ${r.cpuBatch}) — ${r.machine.cpu}, ${r.machine.simd.join(' ')}, node ${r.machine.node}, ` +
      `torch ${r.torchVersion ?? 'absent'}`,
    'images/s      native 1t  native 2t   wasm   torch 1t  torch 2t | native/torch 1t  2t/2t  native 2t/1t  native/wasm  peak RSS MB (native, wasm)',
  ];
  const at = (rates: ThreadedRate[] | undefined, threads: number) => rateText(rateAt(rates, threads)?.imagesPerSec);
  for (const m of r.models) {
    lines.push(
      `${m.model.padEnd(13)} ${at(m.native, 1).padStart(9)} ${at(m.native, 2).padStart(10)} ${rateText(m.wasmImagesPerSec).padStart(6)} ` +
        `${at(m.torch, 1).padStart(10)} ${at(m.torch, 2).padStart(9)} | ${ratioText(m.ratios.nativeVsTorch1).padStart(15)} ` +
        `${ratioText(m.ratios.nativeVsTorch2).padStart(6)} ${ratioText(m.ratios.nativeTwoThreadsVsOne).padStart(13)} ${ratioText(m.ratios.nativeVsWasm, 1).padStart(12)}  ` +
        `${m.peakRssMb.native?.toFixed(0) ?? '-'}, ${m.peakRssMb.wasm.toFixed(0)}`,
    );
  }
  for (const m of r.models) {
    if (m.profiles !== undefined && m.profiles.length > 0) lines.push('', ...formatStepProfiles(m.model, m.profiles));
  }
  return lines.join('\n');
}

/**
 * One native step by kernel, a column per thread count (ms, calls, share of the step) and, with
 * two or more, how much faster the last count runs each kernel than the first: the kernels that do
 * not gain from threads show themselves.
 */
export function formatStepProfiles(model: string, profiles: StepProfile[], top = 15): string[] {
  const first = profiles[0]!;
  const last = profiles[profiles.length - 1]!;
  const gain = profiles.length > 1 ? `  ${last.threads}t/${first.threads}t` : '';
  const lines = [
    `profile of one native step, ${model}: ${profiles.map((p) => `${p.stepMs.toFixed(0)} ms at ${p.threads}t`).join(', ')}`,
    `  ${'kernel'.padEnd(36)}${profiles.map((p) => `${`${p.threads}t ms`.padStart(10)}  calls  share`).join('')}${gain}`,
  ];
  for (const k of first.kernels.slice(0, top)) {
    const cells = profiles.map((p) => {
      const row = p.kernels.find((q) => q.kernel === k.kernel);
      return row === undefined
        ? `${'-'.padStart(10)}  ${'-'.padStart(5)}  ${'-'.padStart(5)}`
        : `${row.ms.toFixed(1).padStart(10)}  ${String(row.calls).padStart(5)}  ${(100 * row.share).toFixed(1).padStart(4)}%`;
    });
    const lastRow = last.kernels.find((q) => q.kernel === k.kernel);
    const ratio = profiles.length > 1 && lastRow !== undefined && lastRow.ms > 0 ? `  ${(k.ms / lastRow.ms).toFixed(2).padStart(5)}×` : '';
    lines.push(`  ${k.kernel.padEnd(36)}${cells.join('')}${ratio}`);
  }
  return lines;
}
