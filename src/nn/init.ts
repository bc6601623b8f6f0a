import { randomNormal, type Rng } from '../util/random.js';
import type { Initializer } from './parameters.js';

const size = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

export function constant(value: number): Initializer {
  return (shape) => new Float32Array(size(shape)).fill(value);
}

/** N(0, std²) with std = sqrt(2 / fanOut) — PyTorch ResNet's kaiming_normal_(mode='fan_out', nonlinearity='relu'). */
export function heNormalFanOut(fanOut: number): Initializer {
  const std = Math.sqrt(2 / fanOut);
  return (shape, rng: Rng) => {
    const out = new Float32Array(size(shape));
    for (let i = 0; i < out.length; i++) out[i] = std * randomNormal(rng);
    return out;
  };
}

/** U(−bound, bound) — with bound = 1/sqrt(fanIn) this is PyTorch's nn.Linear default. */
export function uniform(bound: number): Initializer {
  return (shape, rng: Rng) => {
    const out = new Float32Array(size(shape));
    for (let i = 0; i < out.length; i++) out[i] = (2 * rng() - 1) * bound;
    return out;
  };
}

/** A fixed matrix given row by row (rows × cols), e.g. the starting soft-connection matrix. */
export function matrix(rows: number[][]): Initializer {
  return (shape) => {
    const out = new Float32Array(size(shape));
    rows.forEach((row, r) => row.forEach((v, c) => (out[r * row.length + c] = v)));
    return out;
  };
}
