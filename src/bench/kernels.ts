/**
 * `groupnas bench kernels` (issue 6), all measured in one run on one thread:
 *  1. per layer: binary MAC/s of the packed engine(s), the fp32 XNNPACK conv of the same layer
 *     (tfjs wasm), their ratio and the fraction of each engine's popcount roofline;
 *  2. the latency look-up table the search prices architectures with, filled for this machine
 *     (cached by fingerprint), with predicted vs measured whole-model latency;
 *  3. whole Group-Net R (K=5) through the packed engine vs PyTorch inference of the FP twin.
 */
import { loadavg } from 'node:os';
import { selectBackend } from '../backend/select.js';
import { createEngine, type BinaryEngine, type EngineChoice, type EngineName } from '../kernels/index.js';
import { describeMachine, machineFingerprint, type MachineDescription } from '../util/machine.js';
import { silentProgress, type ProgressReporter, type ProgressTask } from '../util/progress.js';
import { benchLatencyTable, type LatencyTableBenchOptions, type LatencyTableReport } from './kernel-latency-table.js';
import { benchLayers, measureRooflines, type BenchLayer, type EngineRoofline, type LayerResult } from './kernel-layers.js';
import { benchWholeModel, type ModelBenchResult } from './kernel-model.js';

export interface KernelsBenchOptions {
  /** The engine the table and the whole model use (default `auto`: the fastest here). */
  engine?: EngineChoice;
  /** Per-layer throughput is also measured on wasm when the engine is another one (the acceptance is on wasm). */
  layers?: readonly BenchLayer[];
  layerSeconds?: number;
  /** Latency-table options (cache dir, re-measure, timings, entries, models). */
  table?: Omit<LatencyTableBenchOptions, 'onEntry' | 'onModel'>;
  modelSeconds?: number;
  torch?: boolean;
  /** Parts to run (default all). */
  parts?: readonly KernelsBenchPart[];
  progress?: ProgressReporter;
}

export const KERNELS_BENCH_PARTS = ['layers', 'table', 'model'] as const;
export type KernelsBenchPart = (typeof KERNELS_BENCH_PARTS)[number];

export interface KernelsBenchReport {
  machine: MachineDescription;
  fingerprint: string;
  /** 1-minute load average before and after: the cores are shared, so the numbers carry it. */
  loadAverage: { before: number; after: number };
  engine: EngineName;
  rooflines: EngineRoofline[];
  layers?: LayerResult[];
  table?: LatencyTableReport;
  model?: ModelBenchResult;
  seconds: number;
}

/** A progress task started on the first report, when the total is known (cache hits may leave nothing to report). */
function lazyTask(progress: ProgressReporter, label: string) {
  let task: ProgressTask | undefined;
  return {
    update(done: number, total: number, fields: Record<string, string | number>) {
      task ??= progress.start(label, total);
      task.update(done, fields);
    },
    /** Idempotent: stopping an already stopped (or never started) task does nothing. */
    stop() {
      task?.stop();
      task = undefined;
    },
  };
}

export async function benchKernels(options: KernelsBenchOptions = {}): Promise<KernelsBenchReport> {
  const started = performance.now();
  const before = loadavg()[0]!;
  const parts = new Set(options.parts ?? KERNELS_BENCH_PARTS);
  const progress = options.progress ?? silentProgress;
  const engine = createEngine(options.engine ?? 'auto');
  const layerEngines: BinaryEngine[] = engine.name === 'wasm' || engine.name === 'js' ? [engine] : [engine, createEngine('wasm')];
  const rooflines = measureRooflines(layerEngines);
  const machine = describeMachine();
  const report: KernelsBenchReport = {
    machine,
    fingerprint: machineFingerprint(machine),
    loadAverage: { before, after: before },
    engine: engine.name,
    rooflines,
    seconds: 0,
  };
  // The fp32 reference convs and the models the table checks are built with tfjs on wasm.
  await selectBackend('wasm');

  if (parts.has('layers')) {
    const task = lazyTask(progress, 'layers');
    report.layers = await benchLayers(layerEngines, rooflines, {
      layers: options.layers,
      seconds: options.layerSeconds,
      onLayer: (done, total, name) => task.update(done, total, { layer: name }),
    });
    task.stop();
  }
  if (parts.has('table')) {
    const entries = lazyTask(progress, 'latency table');
    const models = lazyTask(progress, 'predicted vs measured');
    report.table = benchLatencyTable(engine, {
      ...options.table,
      onEntry: (done, total, key) => entries.update(done, total, { entry: key }),
      onModel: (done, total, name) => {
        entries.stop();
        models.update(done, total, { model: name });
      },
    });
    models.stop();
  }
  if (parts.has('model')) {
    const task = lazyTask(progress, 'Group-Net R K=5 vs PyTorch');
    report.model = benchWholeModel(engine, { seconds: options.modelSeconds, torch: options.torch });
    task.update(1, 1, {});
    task.stop();
  }
  report.loadAverage.after = loadavg()[0]!;
  report.seconds = (performance.now() - started) / 1000;
  return report;
}
