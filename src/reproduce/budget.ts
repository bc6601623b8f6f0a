/**
 * A reproduction's budget: everything except the preset and the seed that decides a row's result.
 * One table compares presets only at one budget, so a directory of rows holds exactly one.
 */
import type { TrainingOptions } from '../train/training-options.js';
import { UsageError } from '../util/errors.js';

export interface ReproduceBudget {
  backbone: string;
  widthMultiplier: number;
  /** The training options shared by every row (`data` is `embedded`, `debian` or an absolute directory). */
  training: Omit<TrainingOptions, 'seed' | 'checkpointEverySteps'>;
}

/** The preset every other row is compared with; distilling it from a teacher would compare the teacher with itself. */
export const UNDISTILLED_PRESET = 'fp';

/** Refuse a budget no row could train with, before anything is written (a repeated flag arrives as an array). */
export function checkBudget(b: ReproduceBudget): void {
  const t = b.training;
  const positiveIntegers: [string, unknown][] = [
    ['epochs', t.epochs],
    ['batch', t.batchSize],
    ['limit', t.limit],
    ['test-limit', t.testLimit],
  ];
  for (const [name, v] of positiveIntegers) {
    if (v !== undefined && !(typeof v === 'number' && Number.isInteger(v) && v >= 1))
      throw new UsageError(`--${name}: expected one positive integer, got ${JSON.stringify(v)}`);
  }
  const positives: [string, unknown][] = [
    ['width-mult', b.widthMultiplier],
    ['lr', t.learningRate],
  ];
  for (const [name, v] of positives) {
    if (!(typeof v === 'number' && Number.isFinite(v) && v > 0)) throw new UsageError(`--${name}: expected one positive number, got ${JSON.stringify(v)}`);
  }
}

/** The training options of one row: the budget, the seed, and no distillation for the full-precision twin. */
export function rowTrainingOptions(budget: ReproduceBudget, preset: string, seed: number, checkpointEverySteps: number): TrainingOptions {
  const { distillation, ...rest } = budget.training;
  return { ...rest, ...(distillation !== undefined && preset !== UNDISTILLED_PRESET ? { distillation } : {}), seed, checkpointEverySteps };
}

/** Leaves of a JSON-like value by dotted path (`distillation.kd`); absent optional fields are left out. */
function leaves(value: unknown, prefix = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) {
      for (const [path, leaf] of leaves(v, prefix ? `${prefix}.${k}` : k)) out.set(path, leaf);
    }
  } else if (value !== undefined) {
    out.set(prefix, value);
  }
  return out;
}

const show = (v: unknown) => (v === undefined ? 'none' : JSON.stringify(v));

/**
 * Every field where `found` (what a directory was trained with) differs from `asked`, e.g.
 * `training.epochs: 5 in --out, 3 asked`;
 * fields named in `ignore` (dotted paths) do not count.
 */
export function describeDifferences(asked: unknown, found: unknown, ignore: readonly string[] = []): string[] {
  const [a, f] = [leaves(asked), leaves(found)];
  const paths = [...new Set([...a.keys(), ...f.keys()])].filter((p) => !ignore.includes(p)).sort();
  return paths.filter((p) => show(a.get(p)) !== show(f.get(p))).map((p) => `${p}: ${show(f.get(p))} in --out, ${show(a.get(p))} asked`);
}

/** One line for a report: "embedded data, resnet-r ×0.5, 3 epochs × all training images, …". */
export function describeBudget(b: ReproduceBudget): string {
  const t = b.training;
  const parts = [
    `data ${t.data}`,
    `${b.backbone} ×${b.widthMultiplier}`,
    `${t.epochs} epoch${t.epochs === 1 ? '' : 's'}`,
    t.limit !== undefined ? `first ${t.limit} training images` : 'all training images',
    t.testLimit !== undefined ? `first ${t.testLimit} test images` : 'all test images',
    `batch ${t.batchSize}`,
    `${t.optimizer} lr ${t.learningRate} ${t.schedule}`,
    `weight decay ${t.weightDecay}`,
    ...(t.labelSmoothing > 0 ? [`label smoothing ${t.labelSmoothing}`] : []),
    t.augment ? 'augmented' : 'no augmentation',
    ...(t.distillation
      ? [
          `distilled from ${t.distillation.teacher} (kd ${t.distillation.kd}, at ${t.distillation.at}, T ${t.distillation.temperature}; not the ` +
            `${UNDISTILLED_PRESET} row)`,
        ]
      : []),
  ];
  return parts.join(', ');
}
