/**
 * `groupnas bench latency-predictor`: how well the latency look-up table predicts whole models.
 * The search prices every architecture with the table (the sum of its entries, arch-latency.ts), so
 * its choices are only as good as that sum; nn-Meter's published bar is 99% of models within ±10%.
 *
 * For each engine: draw `archs` distinct architectures of a config's space from one seed (uniform per
 * decision, as the supernet's untrained α would), price each with the table (read from the
 * per-machine cache the search uses, entries it lacks measured now), and time each whole packed model
 * at batch 1 in `rounds` interleaved rounds, on the CPU clock like the table's entries (timing.ts: on a
 * shared machine the wall clock mostly measures the other processes). The host's speed moves between
 * the minutes the table and a model are timed in, so each model is timed between two readings of the
 * speed probe the table's entries were timed between (speed-probe.ts), and predicted with the table
 * read at that speed (tableAtSpeed) and calibrated on a few other whole models of the space drawn
 * after them (latency-calibration.ts: entries timed alone run hotter than inside a model). A model's
 * error is the median over its rounds of each round's prediction against that round's measurement (a
 * prediction is for the moment it was probed at). Reported: the share within ±5% and ±10%, the RMSE (ms
 * and relative), the mean signed error (the table's bias) and the worst cases; and the share within ±10%
 * comparing the median prediction with the median measurement (rounds of different host speeds paired),
 * and with the table read at its own speed, which also counts how much the host's speed moved.
 *
 * Two things make a prediction miss: the table (entries timed alone, hot in cache, summed) and the
 * measurement itself (a shared machine). The rounds separate them: `dispersion` is the spread of a
 * model's own measurements, the error floor no table can beat.
 */
import { loadavg } from 'node:os';
import { selectBackend } from '../backend/select.js';
import {
  calibrateLatencyTable,
  CALIBRATION_MODELS,
  MODEL_TIMING,
  createEngine,
  createSpeedProbe,
  latencyEntriesOf,
  measureLatencyTable,
  measurePackedLatency,
  predictArchLatency,
  PROBE_KINDS,
  tableAtSpeed,
  timeBetweenProbes,
  type BinaryEngine,
  type EngineName,
  type LatencyTable,
  type ModelCalibration,
  type PackedModel,
  type TimingClock,
  type EntryTimingOptions,
} from '../kernels/index.js';
import type { Arch } from '../space/arch.js';
import { sampleDistinctArchs } from '../space/distinct-sample.js';
import type { SearchSpace } from '../space/search-space.js';
import { UsageError } from '../util/errors.js';
import { describeMachine, type MachineDescription } from '../util/machine.js';
import { median } from '../util/median-time.js';
import { silentProgress, type ProgressReporter, type ProgressTask } from '../util/progress.js';
import { untrainedPackedModel } from '../train/index.js';

export interface LatencyPredictorOptions {
  /** Architectures sampled (default 100). */
  archs?: number;
  /** Seed of the sample (default 1). */
  seed?: number;
  /** Engines to check (default: wasm, and native where it runs). */
  engines?: readonly EngineName[];
  /** Timing rounds per model, interleaved over the models (default 5; ≥ 2 gives the dispersion; the median of 3 moves with a shared host's spells). */
  rounds?: number;
  /** Seconds of repeats per model and round (default 0.2). */
  modelSeconds?: number;
  /** Clock of the whole models' timing (default `cpu`, as the table's entries; `wall` on a quiet machine is the latency users see). */
  clock?: TimingClock;
  /** Latency-table cache directory (default: the search's per-machine cache); null = measure afresh, keep nothing. */
  cacheDir?: string | null;
  /** Measure the table's entries again now, beside the models, instead of reading the cache. */
  remeasure?: boolean;
  /** Timing of each entry measured (default: the search's, latency-table.ts). */
  entryTiming?: EntryTimingOptions;
  /**
   * Whole models the table is calibrated on before it predicts (default CALIBRATION_MODELS; 0 = the table as timed):
   * the next ones the same seed draws, never among the `archs` checked (latency-calibration.ts).
   */
  calibrationModels?: number;
  progress?: ProgressReporter;
}

export interface ArchPrediction {
  name: string;
  /** The median over the rounds of the table's sum read at the speed probed around the round. */
  predictedMs: number;
  /** Each round's prediction (at the speed probed around it). */
  roundPredictedMs: number[];
  /** The table's sum at the table's own speed (what the search prices with). */
  tableSpeedMs: number;
  /** The median of each round. */
  measuredMs: number[];
  /** Median over the rounds. */
  medianMs: number;
  /**
   * The median over the rounds of (round's prediction − round's measurement) / round's measurement:
   * each round is predicted at the host's speed probed around it, so it is compared with that round.
   */
  error: number;
  /** (predictedMs − medianMs) / medianMs: the two medians compared, which may come from rounds of different host speeds. */
  medianPairError: number;
  /** (max − min) / median of the rounds: how much the model's own measurement moves. */
  dispersion: number;
}

export interface EnginePredictorReport {
  engine: EngineName;
  archs: ArchPrediction[];
  /** Shares of the archs whose |error| ≤ 5% and ≤ 10%. */
  within5: number;
  within10: number;
  /** The share whose |medianPairError| ≤ 10%. */
  medianPairWithin10: number;
  /** The share within ±10% with the table read at its own speed, not at each model's moment. */
  tableSpeedWithin10: number;
  rmseMs: number;
  /** √mean(error²): the RMSE relative to each measured latency. */
  relativeRmse: number;
  /** Mean signed relative error: > 0 the table over-predicts on average. */
  meanError: number;
  /** Median and 90th percentile of the per-model dispersion. */
  dispersion: { median: number; p90: number };
  /** Share of the archs a perfect-but-for-noise predictor (its own first round) keeps within ±10% of the median. */
  noiseWithin10: number;
  /** Share of the (model, round) pairs whose round was predicted within ±10%: how well the probe follows the host's speed round by round. */
  roundWithin10: number;
  /** The archs with the largest |error|, worst first. */
  worst: ArchPrediction[];
  /** The whole-model calibration the predictions include (absent: the table as timed). */
  calibration?: ModelCalibration;
  /** Share within ±10% and mean signed error of the same predictions without the calibration's factor. */
  uncalibrated?: { within10: number; meanError: number };
  tableEntries: number;
  tableMeasuredNow: number;
  seconds: number;
}

export interface LatencyPredictorReport {
  machine: MachineDescription;
  space: string;
  seed: number;
  rounds: number;
  clock: TimingClock;
  loadAverage: { before: number; after: number };
  engines: EnginePredictorReport[];
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** The statistics of one engine's predictions (exported for tests: pure arithmetic). */
export function summarizePredictions(
  archs: ArchPrediction[],
  worstCount = 5,
): Omit<EnginePredictorReport, 'engine' | 'calibration' | 'uncalibrated' | 'tableEntries' | 'tableMeasuredNow' | 'seconds'> {
  const n = archs.length;
  const share = (ok: (a: ArchPrediction) => boolean) => (n === 0 ? Number.NaN : archs.filter(ok).length / n);
  const mean = (f: (a: ArchPrediction) => number) => archs.reduce((s, a) => s + f(a), 0) / n;
  const dispersions = archs.map((a) => a.dispersion).sort((a, b) => a - b);
  return {
    archs,
    within5: share((a) => Math.abs(a.error) <= 0.05),
    within10: share((a) => Math.abs(a.error) <= 0.1),
    medianPairWithin10: share((a) => Math.abs(a.medianPairError) <= 0.1),
    tableSpeedWithin10: share((a) => Math.abs(a.tableSpeedMs / a.medianMs - 1) <= 0.1),
    rmseMs: Math.sqrt(mean((a) => (a.predictedMs - a.medianMs) ** 2)),
    relativeRmse: Math.sqrt(mean((a) => a.error ** 2)),
    meanError: mean((a) => a.error),
    dispersion: { median: quantile(dispersions, 0.5), p90: quantile(dispersions, 0.9) },
    noiseWithin10: share((a) => Math.abs(a.measuredMs[0]! / a.medianMs - 1) <= 0.1),
    roundWithin10:
      archs.reduce((sum, a) => sum + a.measuredMs.filter((ms, r) => Math.abs(a.roundPredictedMs[r]! / ms - 1) <= 0.1).length, 0) /
      archs.reduce((sum, a) => sum + a.measuredMs.length, 0),
    worst: [...archs].sort((a, b) => Math.abs(b.error) - Math.abs(a.error)).slice(0, worstCount),
  };
}

function checkEngine(
  engine: BinaryEngine,
  archs: readonly Arch[],
  calibrationArchs: readonly Arch[],
  rounds: number,
  options: LatencyPredictorOptions,
  progress: ProgressReporter,
): EnginePredictorReport {
  const started = performance.now();
  const entries = [...archs, ...calibrationArchs].flatMap(latencyEntriesOf);
  // Started on the first entry measured: cache hits report nothing.
  let tableTask: ProgressTask | undefined;
  const timed = measureLatencyTable(entries, engine, {
    ...(options.cacheDir !== undefined ? { cacheDir: options.cacheDir } : {}),
    ...(options.remeasure ? { remeasure: true } : {}),
    ...options.entryTiming,
    onProgress: (done, total, key) => {
      tableTask ??= progress.start(`latency table (${engine.name})`, total);
      tableTask.update(done, { entry: key });
    },
  });
  tableTask?.stop();
  const clock = options.clock ?? 'cpu';
  // The calibration's models are timed as the checked ones.
  const timing = { ...MODEL_TIMING, clock, ...(options.modelSeconds !== undefined ? { seconds: options.modelSeconds } : {}) };
  const probe = options.entryTiming?.probe ?? createSpeedProbe(engine, clock);
  let table: LatencyTable = timed;
  let calibration: ModelCalibration | undefined;
  if (calibrationArchs.length > 0) {
    const calibrationTask = progress.start(`calibration on ${calibrationArchs.length} whole models (${engine.name})`, 1);
    const models = calibrationArchs.map((arch) => untrainedPackedModel(arch, engine));
    ({ table, calibration } = calibrateLatencyTable(timed, models, probe, { timing }));
    calibrationTask.update(1);
    calibrationTask.stop();
  }
  const models: PackedModel[] = archs.map((arch) => untrainedPackedModel(arch, engine));
  const times: number[][] = archs.map(() => []);
  const predicted: number[][] = archs.map(() => []);
  const task = progress.start(`whole models (${engine.name}), ${rounds} rounds`, rounds * archs.length);
  for (let r = 0; r < rounds; r++) {
    models.forEach((model, i) => {
      const { value, speed } = timeBetweenProbes(probe, PROBE_KINDS, () => measurePackedLatency(model, 1, timing));
      times[i]!.push(value.medianSeconds * 1000);
      predicted[i]!.push(predictArchLatency(tableAtSpeed(table, speed), archs[i]!) * 1000);
      task.update(r * archs.length + i + 1);
    });
  }
  task.stop();
  const predictions = archs.map((arch, i): ArchPrediction => {
    const measuredMs = times[i]!;
    const medianMs = median(measuredMs);
    const predictedMs = median(predicted[i]!);
    const roundRatios = measuredMs.map((ms, r) => predicted[i]![r]! / ms);
    return {
      name: arch.name ?? `arch ${i}`,
      predictedMs,
      roundPredictedMs: predicted[i]!,
      tableSpeedMs: predictArchLatency(table, arch) * 1000,
      measuredMs,
      medianMs,
      error: median(roundRatios) - 1,
      medianPairError: (predictedMs - medianMs) / medianMs,
      dispersion: (Math.max(...measuredMs) - Math.min(...measuredMs)) / medianMs,
    };
  });
  const factor = calibration?.factor ?? 1;
  return {
    engine: engine.name,
    ...summarizePredictions(predictions),
    ...(calibration
      ? {
          calibration,
          uncalibrated: {
            // The factor scales every round's prediction: the median ratio scales with it.
            within10: predictions.filter((a) => Math.abs((1 + a.error) / factor - 1) <= 0.1).length / predictions.length,
            meanError: predictions.reduce((sum, a) => sum + (1 + a.error) / factor - 1, 0) / predictions.length,
          },
        }
      : {}),
    tableEntries: timed.measurements.size,
    tableMeasuredNow: timed.timedNow,
    seconds: (performance.now() - started) / 1000,
  };
}

/** Check the table's predictions on `archs` sampled from `space`, per engine (builds models with tfjs on wasm). */
export async function benchLatencyPredictor(space: SearchSpace, options: LatencyPredictorOptions = {}): Promise<LatencyPredictorReport> {
  const before = loadavg()[0]!;
  const count = options.archs ?? 100;
  const seed = options.seed ?? 1;
  const rounds = options.rounds ?? 5;
  const calibrationCount = options.calibrationModels ?? CALIBRATION_MODELS;
  if (!Number.isInteger(count) || count < 1) throw new UsageError(`archs: expected an integer ≥ 1, got ${count}`);
  if (!Number.isInteger(calibrationCount) || calibrationCount < 0) throw new UsageError(`calibration models: expected an integer ≥ 0, got ${calibrationCount}`);
  if (!Number.isInteger(rounds) || rounds < 1) throw new UsageError(`rounds: expected an integer ≥ 1, got ${rounds}`);
  const progress = options.progress ?? silentProgress;
  const engineNames = options.engines ?? defaultEngines();
  const engines = engineNames.map((name) => createEngine(name));
  // The models' weights come from nn's builder, on tfjs.
  await selectBackend('wasm');
  // One draw, so the models checked are the same with or without calibration, and never calibrate it.
  const drawn = sampleDistinctArchs(space, count + calibrationCount, seed);
  const archs = drawn.slice(0, count);
  const reports = engines.map((engine) => checkEngine(engine, archs, drawn.slice(count), rounds, options, progress));
  return {
    machine: describeMachine(),
    space: space.name,
    seed,
    rounds,
    clock: options.clock ?? 'cpu',
    loadAverage: { before, after: loadavg()[0]! },
    engines: reports,
  };
}

function defaultEngines(): EngineName[] {
  try {
    createEngine('native');
    return ['wasm', 'native'];
  } catch {
    return ['wasm'];
  }
}

const pct = (v: number, digits = 1) => `${(v * 100).toFixed(digits)}%`;
const signed = (v: number) => `${v >= 0 ? '+' : ''}${(v * 100).toFixed(1)}%`;

export function formatLatencyPredictor(r: LatencyPredictorReport): string {
  const m = r.machine;
  const lines = [
    `machine: ${m.cpu}, ${m.cores} cores, simd [${m.simd.join(' ')}], node ${m.node}`,
    `load average (1 min): ${r.loadAverage.before.toFixed(2)} before, ${r.loadAverage.after.toFixed(2)} after — the cores are shared; batch 1, one thread`,
    `space ${r.space}: ${r.engines[0]?.archs.length ?? 0} distinct architectures from seed ${r.seed}, each timed in ${r.rounds} interleaved rounds on the ${r.clock} clock`,
  ];
  for (const e of r.engines) {
    lines.push(
      '',
      `${e.engine}: within ±5% ${pct(e.within5)}, within ±10% ${pct(e.within10)} (median against median: ${pct(e.medianPairWithin10)}; table read at its own speed: ${pct(e.tableSpeedWithin10)}); RMSE ${e.rmseMs.toFixed(3)} ms (${pct(e.relativeRmse)} relative); ` +
        `mean error ${signed(e.meanError)}`,
      `  measurement dispersion (max−min of the rounds / median): median ${pct(e.dispersion.median)}, 90th percentile ${pct(e.dispersion.p90)}; ` +
        `a single round lands within ±10% of the median for ${pct(e.noiseWithin10)}; each round predicted at its own speed: ${pct(e.roundWithin10)} within ±10%`,
      e.calibration && e.uncalibrated
        ? `  calibrated on ${e.calibration.models.length} other whole models: entries × ${e.calibration.factor.toFixed(3)} ` +
            `(models ${Math.min(...e.calibration.models.map((m) => m.ratio)).toFixed(3)}–${Math.max(...e.calibration.models.map((m) => m.ratio)).toFixed(3)}); ` +
            `without it: within ±10% ${pct(e.uncalibrated.within10)}, mean error ${signed(e.uncalibrated.meanError)}`
        : '  not calibrated: the table as its entries were timed',
      `  table: ${e.tableEntries} entries (${e.tableMeasuredNow} measured now, the rest cached); ${e.seconds.toFixed(0)} s`,
      `  worst: ${'arch'.padEnd(40)} ${'predicted ms'.padStart(12)} ${'measured ms'.padStart(11)} ${'error'.padStart(7)} ${'dispersion'.padStart(10)}`,
    );
    for (const a of e.worst) {
      lines.push(
        `         ${a.name.padEnd(40)} ${a.predictedMs.toFixed(3).padStart(12)} ${a.medianMs.toFixed(3).padStart(11)} ${signed(a.error).padStart(7)} ` +
          `${pct(a.dispersion).padStart(10)}`,
      );
    }
  }
  return lines.join('\n');
}
