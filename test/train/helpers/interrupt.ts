import type { ProgressReporter } from '../../../src/util/progress.js';
import { loadRunModel } from '../../../src/train/run-model.js';

export class Killed extends Error {}

/** A progress reporter that "kills" the run (throws) at its n-th update, like a Ctrl-C between steps. */
export function killAfter(updates: number): ProgressReporter {
  let seen = 0;
  return {
    start: () => ({
      update() {
        if (++seen === updates) throw new Killed();
      },
      stop() {},
    }),
  };
}

/** Every tensor of a run's last checkpoint, by name, as plain numbers (for exact comparison). */
export function runWeights(dir: string): Record<string, number[]> {
  const { model } = loadRunModel(dir);
  const out = Object.fromEntries(Object.entries(model.stateDict()).map(([n, t]) => [n, Array.from(t.dataSync())]));
  model.dispose();
  return out;
}
