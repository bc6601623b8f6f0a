/**
 * `groupnas bench kernels`, all measured in one run on one thread:
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
  /** Per-layer throughput is also measured on wasm when the engine is another one (the portable engine every machine has). */
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

const ms = (s: number, digits = 3): string => (s * 1e3).toFixed(digits);
const giga = (v: number): string => (v / 1e9).toFixed(1);
const pct = (v: number | undefined): string => (v === undefined ? '-' : `${(v * 100).toFixed(0)}%`);

/** The report as tables, machine and load first. */
export function formatKernelsReport(r: KernelsBenchReport): string {
  const m = r.machine;
  const lines = [
    `machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, simd [${m.simd.join(' ')}], node ${m.node} (fingerprint ${r.fingerprint})`,
    `load average (1 min): ${r.loadAverage.before.toFixed(2)} before, ${r.loadAverage.after.toFixed(2)} after — the cores are shared; one thread, batch 1`,
    `engine: ${r.engine}; popcount roofline: ${r.rooflines.map((x) => `${x.engine} ${giga(x.macsPerSecond)} G binary MAC/s`).join(', ') || 'none measured'}`,
  ];
  if (r.layers) {
    const engines = r.layers[0]?.engines.map((e) => e.engine) ?? [];
    lines.push(
      '',
      'Per layer (3×3 conv, symmetric zero padding): binary = conv + per-channel transform to float32; sign = with the fused sign (packed output)',
    );
    lines.push(
      [
        'layer'.padEnd(30),
        'fp32 ms'.padStart(8),
        'G FLOP/s'.padStart(8),
        ...engines.flatMap((e) => [`${e} ms`.padStart(10), 'G bMAC/s'.padStart(8), 'roofline'.padStart(8), 'sign ms'.padStart(8), '× fp32'.padStart(7)]),
      ].join('  '),
    );
    for (const l of r.layers) {
      lines.push(
        [
          l.layer.name.padEnd(30),
          ms(l.fp32Seconds).padStart(8),
          giga(l.fp32FlopsPerSecond).padStart(8),
          ...l.engines.flatMap((e) => [
            ms(e.seconds).padStart(10),
            giga(e.macsPerSecond).padStart(8),
            pct(e.rooflineFraction).padStart(8),
            ms(e.signSeconds).padStart(8),
            `${e.speedupVsFp32.toFixed(1)}×`.padStart(7),
          ]),
        ].join('  '),
      );
    }
  }
  if (r.table) {
    const t = r.table;
    lines.push(
      '',
      `Latency table (${t.engine}): ${t.entries} entries, ${t.measured} measured now in ${t.seconds.toFixed(1)} s, the rest ` +
        `cached${t.cacheFile ? ` — ${t.cacheFile}` : ''}`,
    );
    lines.push(`${'model (batch 1)'.padEnd(48)}  ${'predicted ms'.padStart(12)}  ${'measured ms'.padStart(11)}  ${'error'.padStart(6)}`);
    for (const p of t.predictions) {
      lines.push(
        `${p.model.padEnd(48)}  ${ms(p.predictedSeconds, 2).padStart(12)}  ${ms(p.measuredSeconds, 2).padStart(11)}  ` +
          `${`${p.error >= 0 ? '+' : ''}${(p.error * 100).toFixed(0)}%`.padStart(6)}`,
      );
    }
  }
  if (r.model) {
    const w = r.model;
    lines.push('', `Whole model: ${w.model} through the packed ${w.engine} engine`);
    for (const l of w.latency)
      lines.push(`  batch ${String(l.batch).padEnd(3)} ${ms(l.medianSeconds, 2).padStart(9)} ms  ${l.imagesPerSecond.toFixed(1).padStart(8)} images/s`);
    if ('unavailable' in w.torch) {
      lines.push(`  PyTorch peer: ${w.torch.unavailable}`);
    } else {
      const { fpTwin, groupNetFloat } = w.torch;
      const packed1 = w.latency[0]!.imagesPerSecond;
      lines.push(`  PyTorch ${fpTwin.torch}, ${fpTwin.threads} thread, batch 1:`);
      lines.push(
        `    full-precision twin of R: ${fpTwin.imagesPerSec.toFixed(1)} images/s → packed Group-Net K=5 runs at ` +
          `${(packed1 / fpTwin.imagesPerSec).toFixed(2)}× its speed`,
      );
      lines.push(
        `    Group-Net K=5 in float simulation: ${groupNetFloat.imagesPerSec.toFixed(1)} images/s → packed is ` +
          `${(packed1 / groupNetFloat.imagesPerSec).toFixed(1)}× faster`,
      );
    }
  }
  lines.push('', `(${r.seconds.toFixed(0)} s)`);
  return lines.join('\n');
}
