// The fused magnitude-aware sign on the native kernels equals the composite's 14 ops (α to 1e-5
// relative: the composite's mean is XNNPACK's matrix–vector product, ours one chain per channel),
// forward and gradient: sign(0) = +1, the clip at |W| = 1 inclusive, NaN kept; output channels not
// multiples of 16, conv and dense weights; the same bits at 1, 2 and 3 threads; the addon refuses
// arrays of the wrong length before touching memory.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../helpers/tfjs.js';
import { openNativeTraining } from '../../../src/backend/native/native-training.js';
import { useTrainingKernels } from '../../../src/backend/register-wasm-kernels.js';
import { selectBackend } from '../../../src/backend/select.js';
import { magnitudeAwareSign } from '../../../src/nn/quantizers/magnitude-aware-sign.js';
import { createRng } from '../../../src/util/random.js';
import { randomHostTensor, type HostTensor } from '../kernels/compare-backends.js';
import { nativeTrainingUnavailable, sameBits } from './native-status.js';

const reason = nativeTrainingUnavailable();

/** Wb and ∂W of Σ Wb·cotangent on the kernels `kind`. */
function run(kind: 'native' | 'wasm', w: HostTensor, cotangent: HostTensor): { wb: Float32Array; dw: Float32Array } {
  useTrainingKernels(kind);
  const before = tf.memory().numTensors;
  const [wb, dw] = tf.tidy(() => {
    const weights = tf.tensor(w.values, w.shape);
    const g = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(magnitudeAwareSign(x), tf.tensor(cotangent.values, cotangent.shape))))(weights);
    return [magnitudeAwareSign(weights), g];
  });
  const out = { wb: wb!.dataSync() as Float32Array, dw: dw!.dataSync() as Float32Array };
  tf.dispose([wb!, dw!]);
  expect(tf.memory().numTensors).toBe(before);
  return out;
}

/** Within `tolerance` relative, NaN where the other is NaN. */
function close(a: Float32Array, b: Float32Array, tolerance: number): boolean {
  return (
    a.length === b.length && a.every((v, i) => (Number.isNaN(v) ? Number.isNaN(b[i]!) : Math.abs(v - b[i]!) <= tolerance * Math.max(Math.abs(b[i]!), 1e-30)))
  );
}

describe.skipIf(reason !== undefined)('magnitude-aware sign on the native kernels', () => {
  beforeAll(async () => {
    await selectBackend('wasm', { kernels: 'native', threads: 1 });
  });

  it.each([
    ['a 3×3 conv, 17 → 35 channels', [3, 3, 17, 35]],
    ['a 3×3 conv of R, 64 → 64', [3, 3, 64, 64]],
    ['a 1×1 conv, 5 → 3', [1, 1, 5, 3]],
    ['a dense kernel, 33 → 10', [33, 10]],
    // past native/src/magnitude-aware-sign.c's GN_MAS_MIN_PARALLEL: the only size that runs on more than one thread
    ['a 3×3 conv, 256 → 129', [3, 3, 256, 129]],
  ] as const)('%s: the composite’s values, the same bits at 1, 2 and 3 threads', (_what, shape) => {
    const rng = createRng(shape.reduce((a: number, b: number) => a * b, 1));
    const w = randomHostTensor(rng, [...shape]);
    const cotangent = randomHostTensor(rng, [...shape]);
    // zeros of both signs (sign +1), the clip's edge (inside), just outside it
    [0, -0, 1, -1, Math.fround(1 + 2 ** -23), -2].forEach((v, i) => (w.values[i] = v));
    const wasm = run('wasm', w, cotangent);
    const runs = [1, 2, 3].map((threads) => {
      openNativeTraining(threads);
      return run('native', w, cotangent);
    });
    openNativeTraining(1);
    const [one, ...others] = runs;
    expect(close(one!.wb, wasm.wb, 1e-5), 'Wb').toBe(true);
    expect(close(one!.dw, wasm.dw, 1e-5), '∂W').toBe(true);
    // sign(0) = +1; |W| = 1 inside the clip, above it outside
    for (const { wb, dw } of [wasm, one!])
      expect([wb[0]! > 0, wb[1]! > 0, dw[2] !== 0, dw[3] !== 0, dw[4] === 0, dw[5] === 0]).toEqual([true, true, true, true, true, true]);
    for (const other of others) expect(sameBits(other.wb, one!.wb) && sameBits(other.dw, one!.dw)).toBe(true);
  });

  it('keeps NaN: a NaN weight gives NaN in its Wb, its channel’s α and its gradient', () => {
    const rng = createRng(5);
    const w = randomHostTensor(rng, [3, 3, 4, 6]);
    const cotangent = randomHostTensor(rng, [3, 3, 4, 6]);
    w.values[7] = NaN; // output channel 1
    const native = run('native', w, cotangent);
    const wasm = run('wasm', w, cotangent);
    const channel = (values: Float32Array, o: number): number[] => Array.from(values).filter((_, i) => i % 6 === o);
    expect(channel(native.wb, 1).every(Number.isNaN)).toBe(true);
    expect(channel(wasm.wb, 1).every(Number.isNaN)).toBe(true);
    expect(Number.isNaN(native.dw[7]!) && Number.isNaN(wasm.dw[7]!)).toBe(true);
    expect(close(Float32Array.from(channel(native.wb, 0)), Float32Array.from(channel(wasm.wb, 0)), 1e-5)).toBe(true);
  });

  it('the addon refuses arrays of the wrong length', () => {
    const addon = openNativeTraining(1).addon;
    expect(() => addon.magnitudeAwareSign(new Float32Array(10), 3, new Float32Array(10), new Float32Array(3), 1)).toThrow(
      /w: 10 values are not whole 3-channel/,
    );
    expect(() => addon.magnitudeAwareSign(new Float32Array(9), 3, new Float32Array(8), new Float32Array(3), 1)).toThrow(/wb: expected 9 elements, got 8/);
    expect(() => addon.magnitudeAwareSign(new Float32Array(9), 3, new Float32Array(9), new Float32Array(2), 1)).toThrow(/alpha: expected 3 elements, got 2/);
    const shared = new Float32Array(9);
    expect(() => addon.magnitudeAwareSign(shared, 3, shared, new Float32Array(3), 1)).toThrow(/overlap/);
    const grad = (w: number, dy: number, alpha: number, dw: number): void =>
      addon.magnitudeAwareSignGrad(new Float32Array(w), 3, new Float32Array(dy), new Float32Array(alpha), new Float32Array(dw), 1);
    expect(() => grad(9, 8, 3, 9)).toThrow(/dy: expected 9 elements, got 8/);
    expect(() => grad(9, 9, 2, 9)).toThrow(/alpha: expected 3 elements, got 2/);
    expect(() => grad(9, 9, 3, 8)).toThrow(/dw: expected 9 elements, got 8/);
    expect(() => grad(10, 10, 3, 10)).toThrow(/w: 10 values are not whole 3-channel/);
    const dw = new Float32Array(9);
    expect(() => addon.magnitudeAwareSignGrad(new Float32Array(9), 3, dw, new Float32Array(3), dw, 1)).toThrow(/overlap/);
  });
});
