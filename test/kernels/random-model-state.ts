import type { ArrayTensor } from '../../src/kernels/pack-state-dict.js';
import { createRng, deriveSeed, randomNormal } from '../../src/util/random.js';

/**
 * Random but plausible values for every parameter and BN buffer of a model, so that BN
 * statistics, λ, soft-connection mixes and LBD scales all matter (none at its initial value).
 */
export function randomModelState(names: { name: string; shape: number[] }[], seed: number): Record<string, ArrayTensor> {
  const state: Record<string, ArrayTensor> = {};
  for (const { name, shape } of names) {
    const rng = createRng(deriveSeed(seed, name));
    const size = shape.reduce((a, b) => a * b, 1);
    const value = (): number => {
      if (name.endsWith('runningVar')) return 0.3 + rng();
      if (name.endsWith('gamma')) return 1 + 0.3 * randomNormal(rng);
      if (name.endsWith('lambda') || name.endsWith('mix') || name.endsWith('scales')) return 0.5 + 0.3 * randomNormal(rng);
      return 0.4 * randomNormal(rng);
    };
    state[name] = { shape, data: Float32Array.from({ length: size }, value) };
  }
  return state;
}
