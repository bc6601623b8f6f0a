/**
 * A latency table calibrated on whole models. Its entries are each timed alone, in a loop that keeps
 * the entry's weights, inputs and code hot; inside a model every piece of work follows others that
 * evicted some of them. On the native engine the sum of a model's entries is a steady 0.94–0.96 of
 * the model (scripts/latency-table-bias.mjs, scripts/entry-context.mjs); on wasm, whose kernels copy
 * their operands into the wasm heap on every call, 0.97–1.01. So a few whole models of the same
 * space, disjoint from those the table will price, are timed as the latency bench times models
 * (between readings of the speed probe, predicted at the probed speed, several interleaved rounds),
 * and the table's entries are scaled by the geometric mean of measured ÷ predicted. Host speed
 * cancels in each ratio: model and prediction are read at the same moment.
 */
import type { Arch } from '../space/arch.js';
import { UsageError } from '../util/errors.js';
import { median } from '../util/median-time.js';
import { predictArchLatency } from './arch-latency.js';
import { tableAtSpeed, type LatencyTable } from './latency-table.js';
import { measurePackedLatency } from './packed-inference.js';
import type { PackedModel } from './packed-model.js';
import { PROBE_KINDS, timeBetweenProbes, type SpeedProbe } from './speed-probe.js';
import type { TimingOptions } from './timing.js';

/** Whole models a table is calibrated on by default (the search's and `bench latency-predictor`'s). */
export const CALIBRATION_MODELS = 12;

/** How a whole model is timed at batch 1, here and where `bench latency-predictor` checks models: on the CPU clock, as the entries. */
export const MODEL_TIMING: TimingOptions = { warmUpSeconds: 0.05, seconds: 0.2, minRepeats: 5, clock: 'cpu' };

export interface CalibrationOptions {
  /** Interleaved rounds over the models (default 3); each model keeps the median of its ratios. */
  rounds?: number;
  /** How each model is timed (default MODEL_TIMING). */
  timing?: TimingOptions;
  /** Seconds of one predict of the model at batch 1 (default: measurePackedLatency's median). */
  timeModel?: (model: PackedModel, timing: TimingOptions) => number;
}

export interface ModelCalibration {
  /** Geometric mean over the models of measured ÷ predicted. */
  factor: number;
  /** Per model: its arch name and the median over the rounds of measured ÷ predicted. */
  models: { name: string; ratio: number }[];
}

/** Time `models` whole beside `probe` and return the table scaled to them, with what was measured. */
export function calibrateLatencyTable(
  table: LatencyTable,
  models: readonly PackedModel[],
  probe: SpeedProbe,
  options: CalibrationOptions = {},
): { table: LatencyTable; calibration: ModelCalibration } {
  const rounds = options.rounds ?? 3;
  if (models.length === 0) throw new UsageError('latency calibration: no models to calibrate on');
  if (!Number.isInteger(rounds) || rounds < 1) throw new UsageError(`latency calibration: rounds must be an integer ≥ 1, got ${rounds}`);
  const timing: TimingOptions = { ...MODEL_TIMING, ...options.timing };
  const timeModel = options.timeModel ?? ((model, t) => measurePackedLatency(model, 1, t).medianSeconds);
  // The table's own factor is left out: it is what is being measured.
  const uncalibrated: LatencyTable = { ...table, modelFactor: 1 };
  const ratios: number[][] = models.map(() => []);
  for (let round = 0; round < rounds; round++) {
    models.forEach((model, i) => {
      const { value: seconds, speed } = timeBetweenProbes(probe, PROBE_KINDS, () => timeModel(model, timing));
      ratios[i]!.push(seconds / predictArchLatency(tableAtSpeed(uncalibrated, speed), model.arch));
    });
  }
  const perModel = models.map((model, i) => ({ name: archName(model.arch, i), ratio: median(ratios[i]!) }));
  const factor = Math.exp(perModel.reduce((sum, m) => sum + Math.log(m.ratio), 0) / perModel.length);
  return { table: { ...table, modelFactor: factor }, calibration: { factor, models: perModel } };
}

function archName(arch: Arch, i: number): string {
  return arch.name ?? `calibration model ${i}`;
}
