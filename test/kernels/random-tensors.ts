import { randomInt, type Rng } from '../../src/util/random.js';

/** Random ±1 values (with some exact zeros when `zeros`, which must act as +1 when packed). */
export function randomSigns(rng: Rng, length: number, zeros = false): Float32Array {
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    if (zeros && rng() < 0.05) out[i] = 0;
    else out[i] = rng() < 0.5 ? -1 : 1;
  }
  return out;
}

/** The ±1 tensor sign(x) stands for (sign(0) = +1). */
export function signOf(x: ArrayLike<number>): Float32Array {
  return Float32Array.from(x, (v) => (v < 0 ? -1 : 1));
}

export function randomLevels(rng: Rng, length: number, bits: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = randomInt(rng, 2 ** bits);
  return out;
}

export function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[randomInt(rng, items.length)]!;
}
