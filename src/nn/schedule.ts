import { UsageError } from '../util/errors.js';

/** Learning rate as a pure function of the step, so a resumed run continues on the same curve. */
export type LrSchedule =
  | { kind: 'constant' }
  /** lr·(min + (1−min)·½(1 + cos(π·t/T))) after an optional linear warm-up; `minFactor` default 0. */
  | { kind: 'cosine'; totalSteps: number; warmupSteps?: number; minFactor?: number }
  /** lr·γ^(number of milestones ≤ t) — "divide by 10 when it saturates" (supplement S4.2). */
  | { kind: 'step'; milestones: number[]; gamma: number };

export function learningRateAt(base: number, schedule: LrSchedule, step: number): number {
  switch (schedule.kind) {
    case 'constant':
      return base;
    case 'cosine': {
      const warmup = schedule.warmupSteps ?? 0;
      if (step < warmup) return (base * (step + 1)) / warmup;
      const span = Math.max(1, schedule.totalSteps - warmup);
      const progress = Math.min(1, (step - warmup) / span);
      const min = schedule.minFactor ?? 0;
      return base * (min + (1 - min) * 0.5 * (1 + Math.cos(Math.PI * progress)));
    }
    case 'step':
      return base * schedule.gamma ** schedule.milestones.filter((m) => m <= step).length;
  }
}

export function checkSchedule(schedule: LrSchedule, source = 'schedule'): void {
  if (schedule.kind === 'cosine') {
    if (!Number.isInteger(schedule.totalSteps) || schedule.totalSteps < 1) {
      throw new UsageError(`${source}: totalSteps: expected a positive integer, got ${schedule.totalSteps}`);
    }
  } else if (schedule.kind === 'step') {
    if (!(schedule.gamma > 0)) throw new UsageError(`${source}: gamma: expected a number > 0, got ${schedule.gamma}`);
  } else if (schedule.kind !== 'constant') {
    throw new UsageError(`${source}: kind: expected constant, cosine or step, got ${String((schedule as { kind: unknown }).kind)}`);
  }
}
