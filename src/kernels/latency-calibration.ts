/**
 * One factor between the latency table and whole models. The table's entries are timed alone, hot
 * in cache, and their sum runs a few percent under the whole model it prices: on the native engine
 * one steady bias (× 1.04–1.07 over five runs and two spells of the host, docs/RESULTS.md "would one
 * calibration factor do?"). A few whole models, each timed between readings of the speed probe and
 * predicted with the table read at that speed (as `bench latency-predictor` does), give the median
 * measured ÷ predicted; the table then reads every entry times that factor, so an absolute latency
 * target means what it says. Relative targets and rankings do not move: every price scales alike.
 */
import type { Arch } from '../space/arch.js';
import { UsageError } from '../util/errors.js';
import { median } from '../util/median-time.js';
import { predictArchLatency } from './arch-latency.js';
import type { BinaryEngine } from './engine.js';
import { tableAtSpeed, type LatencyCalibration, type LatencyTable } from './latency-table.js';
import { measurePackedLatency } from './packed-inference.js';
import type { PackedModel } from './packed-model.js';
import { createSpeedProbe, PROBE_KINDS, timeBetweenProbes, type SpeedProbe } from './speed-probe.js';
import type { TimingClock } from './timing.js';

export interface CalibrationOptions {
  /** Interleaved rounds over the models (default 3): each model keeps the median of its rounds. */
  rounds?: number;
  /** Seconds of repeats per model and round (default 0.1). */
  seconds?: number;
  /** Default `cpu`, the clock the table's entries are timed on. */
  clock?: TimingClock;
  /** The speed probe the table's entries were timed between (default: createSpeedProbe on the engine and clock). */
  probe?: SpeedProbe;
}

/** Time `models` (packed on `engine`) against `table`'s sum of their entries; the table's own calibration is left out. */
export function measureCalibration(
  table: LatencyTable,
  models: readonly { arch: Arch; model: PackedModel }[],
  engine: BinaryEngine,
  options: CalibrationOptions = {},
): LatencyCalibration {
  if (models.length === 0) throw new UsageError('latency calibration: no models to time');
  const rounds = options.rounds ?? 3;
  if (!Number.isInteger(rounds) || rounds < 1) throw new UsageError(`latency calibration: rounds must be an integer ≥ 1, got ${rounds}`);
  const clock = options.clock ?? 'cpu';
  const probe = options.probe ?? createSpeedProbe(engine, clock);
  const uncalibrated: LatencyTable = { ...table, calibration: undefined };
  const measured: number[][] = models.map(() => []);
  const predicted: number[][] = models.map(() => []);
  const timing = { warmUpSeconds: 0.05, seconds: options.seconds ?? 0.1, minRepeats: 5, clock } as const;
  // Rounds interleaved over the models: a slow spell of the host inflates one round of each, not one model.
  for (let round = 0; round < rounds; round++) {
    models.forEach(({ arch, model }, i) => {
      const { value, speed } = timeBetweenProbes(probe, PROBE_KINDS, () => measurePackedLatency(model, 1, timing));
      measured[i]!.push(value.medianSeconds);
      predicted[i]!.push(predictArchLatency(tableAtSpeed(uncalibrated, speed), arch));
    });
  }
  const ratios = models.map((_, i) => median(measured[i]!) / median(predicted[i]!));
  return { factor: median(ratios), ratios };
}

/** `table` with every entry read times the calibration's factor. */
export function calibratedTable(table: LatencyTable, calibration: LatencyCalibration): LatencyTable {
  return { ...table, calibration };
}
