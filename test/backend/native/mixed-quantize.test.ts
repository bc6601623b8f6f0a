// The addon's mixed-quantizer calls refuse operands that do not fit before touching memory (the
// values are checked against the stock-op composite in fused-ops.test.ts).
import { describe, expect, it } from 'vitest';
import { openNativeTraining } from '../../../src/backend/native/native-training.js';
import { nativeTrainingUnavailable } from './native-status.js';

const reason = nativeTrainingUnavailable();

describe.skipIf(reason !== undefined)('the addon refuses lying operands to the mixed quantizer', () => {
  const size = 40;
  const honest = () => ({
    bits: Int32Array.of(1, 2, 4),
    p: Float32Array.of(0.2, 0.3, 0.5),
    factor: Float32Array.of(0, 1.5, 7.5),
    step: Float32Array.of(0, 2 / 3, 2 / 15),
    beta: 2,
    approx: 0,
    x: new Float32Array(size).map((_, i) => i / 10 - 2),
    dy: new Float32Array(size).fill(1),
    out: new Float32Array(size),
    dp: new Float32Array(3) as Float32Array | null,
    threads: 1,
  });
  type Args = ReturnType<typeof honest>;
  const forward = (a: Args) => {
    const { addon } = openNativeTraining(1);
    addon.mixedQuantizeForward(a.bits, a.p, a.factor, a.step, a.beta, a.approx, a.x, a.out, a.threads);
  };
  const backward = (a: Args) => {
    const { addon } = openNativeTraining(1);
    addon.mixedQuantizeBackward(a.bits, a.p, a.factor, a.step, a.beta, a.approx, a.x, a.dy, a.out, a.dp, a.threads);
  };

  it('accepts the honest calls, with and without ∂p', () => {
    const a = honest();
    expect(() => forward(a)).not.toThrow();
    // x[24] = 0.4: y = 0.2·sign(0.4) + 0.3·(2/3)·round(0.4·1.5) + 0.5·(2/15)·round(0.4·7.5) = 0.2 + 0.2 + 0.2
    expect(a.out[24]).toBeCloseTo(0.6, 6);
    expect(() => backward(a)).not.toThrow();
    expect(() => backward({ ...a, dp: null })).not.toThrow();
  });

  it.each([
    ['a short output', (a: Args) => forward({ ...a, out: new Float32Array(size - 1) })],
    ['one bit width', (a: Args) => forward({ ...a, bits: Int32Array.of(1), p: Float32Array.of(1), factor: Float32Array.of(0), step: Float32Array.of(0) })],
    ['a 9-bit width', (a: Args) => forward({ ...a, bits: Int32Array.of(1, 2, 9) })],
    ['fewer factors than widths', (a: Args) => forward({ ...a, factor: Float32Array.of(0, 1.5) })],
    ['bits as a Float32Array', (a: Args) => forward({ ...a, bits: Float32Array.of(1, 2, 4) as unknown as Args['bits'] })],
    ['β = 0', (a: Args) => forward({ ...a, beta: 0 })],
    ['approx = 2', (a: Args) => backward({ ...a, approx: 2 })],
    ['a short dy', (a: Args) => backward({ ...a, dy: new Float32Array(size - 2) })],
    ['a ∂p of two', (a: Args) => backward({ ...a, dp: new Float32Array(2) })],
    ['65 threads', (a: Args) => backward({ ...a, threads: 65 })],
  ])('refuses %s with a RangeError', (_what, bad) => {
    expect(() => bad(honest())).toThrow(RangeError);
  });

  it('refuses an output that overlaps an input', () => {
    const a = honest();
    const heap = new Float32Array(2 * size);
    heap.set(a.x);
    expect(() => forward({ ...a, x: heap.subarray(0, size), out: heap.subarray(size - 1, 2 * size - 1) })).toThrow(/overlap/);
    expect(() => backward({ ...a, dp: a.p })).toThrow(/overlap/);
  });
});
