// The sign conv's input gradient with an addend (the gradient x gets from a residual), at the addon: dx plus the addend is
// the plain dx plus it, element by element (IEEE addition, as tf.add), on both of its paths (stride 1 adds it per band while
// the rows are in cache, strided convs in the pass that applies the STE mask), for any thread count; lying operands are refused.
import { describe, expect, it } from 'vitest';
import { openNativeTraining } from '../../../src/backend/native/native-training.js';
import { createRng } from '../../../src/util/random.js';
import { randomHostTensor } from '../kernels/compare-backends.js';
import { nativeTrainingUnavailable, sameBits } from './native-status.js';

const reason = nativeTrainingUnavailable();

/** n, h, w, c, kernel, stride, dilation → the addon's 15-number geometry (symmetric padding (k − 1)·d/2). */
function geometry(n: number, h: number, w: number, c: number, k: number, stride: number, dilation: number, cout: number): Int32Array {
  const pad = ((k - 1) * dilation) / 2;
  const out = (size: number) => Math.floor((size + 2 * pad - dilation * (k - 1) - 1) / stride) + 1;
  return Int32Array.of(n, h, w, c, k, k, stride, stride, dilation, dilation, pad, pad, out(h), out(w), cout);
}

interface Operands {
  g: Int32Array;
  dy: Float32Array;
  filter: Float32Array;
  bits: Int32Array;
  addend: Float32Array;
  xSize: number;
}

function operands(g: Int32Array, seed: number): Operands {
  const [n, h, w, c, k] = g;
  const [oh, ow, cout] = g.subarray(12);
  const rng = createRng(seed);
  const xSize = n! * h! * w! * c!;
  const x = randomHostTensor(rng, [xSize]).values.map((v, i) => (i % 13 === 0 ? 0 : v * 1.3));
  const filter = randomHostTensor(rng, [k! * k! * c! * cout!]).values;
  const bits = new Int32Array(2 * n! * h! * w! * Math.ceil(c! / 32));
  const native = openNativeTraining(1);
  native.addon.signConv2d(0, native.pathId, -1, g, x, filter, new Float32Array(n! * oh! * ow! * cout!), 1, bits, null);
  const dy = randomHostTensor(rng, [n! * oh! * ow! * cout!]).values;
  return { g, dy, filter, bits, addend: randomHostTensor(rng, [xSize]).values, xSize };
}

function inputGradient(o: Operands, threads: number, addend: Float32Array | null): Float32Array {
  const native = openNativeTraining(threads);
  const dx = new Float32Array(o.xSize);
  native.addon.signConv2d(1, native.pathId, -1, o.g, o.dy, o.filter, dx, threads, o.bits, addend);
  return dx;
}

describe.skipIf(reason !== undefined)('the sign conv input gradient plus an addend (native)', () => {
  it.each([
    ['3×3 stride 1 (added per band)', geometry(3, 9, 7, 17, 3, 1, 1, 17)],
    ['3×3 stride 1, dilation 2, 40 channels', geometry(2, 11, 13, 40, 3, 1, 2, 40)],
    ['3×3 stride 2 (added with the mask)', geometry(2, 14, 14, 33, 3, 2, 1, 70)],
    ['1×1 stride 2, batch 1', geometry(1, 7, 9, 5, 1, 2, 1, 12)],
  ])('%s: dx + addend, bit for bit, at 1, 2 and 3 threads', (_what, g) => {
    const o = operands(g, g[3]! * 7 + g[6]!);
    const plain = inputGradient(o, 1, null);
    const expected = plain.map((v, i) => v + o.addend[i]!);
    for (const threads of [1, 2, 3]) expect(sameBits(inputGradient(o, threads, o.addend), expected), `${threads} threads`).toBe(true);
  });

  it('refuses an addend of the wrong length, one that overlaps dx, and one for the forward or the filter gradient', () => {
    const o = operands(geometry(2, 5, 5, 3, 3, 1, 1, 3), 1);
    const native = openNativeTraining(1);
    const dx = new Float32Array(o.xSize);
    const call = (op: 0 | 1 | 2, a: Float32Array, b: Float32Array | null, out: Float32Array, addend: Float32Array | null) =>
      native.addon.signConv2d(op, native.pathId, -1, o.g, a, b, out, 1, o.bits, addend);
    expect(() => call(1, o.dy, o.filter, dx, o.addend)).not.toThrow();
    expect(() => call(1, o.dy, o.filter, dx, o.addend.subarray(1))).toThrow(/addend: expected 150 elements, got 149/);
    const heap = new Float32Array(2 * o.xSize);
    expect(() => call(1, o.dy, o.filter, heap.subarray(0, o.xSize), heap.subarray(o.xSize - 1, 2 * o.xSize - 1))).toThrow(/overlap/);
    expect(() => call(0, new Float32Array(o.xSize), o.filter, new Float32Array(o.dy.length), o.addend)).toThrow(/addend: expected null/);
    expect(() => call(2, o.dy, null, new Float32Array(o.filter.length), o.addend)).toThrow(/addend: expected null/);
  });
});
