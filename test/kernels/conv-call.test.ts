import { describe, expect, it } from 'vitest';
import { checkConvBuffers, type ConvCall } from '../../src/kernels/conv-call.js';
import { convGeometry, type ConvSpec } from '../../src/kernels/conv-spec.js';
import type { PackedWeights } from '../../src/kernels/weights.js';
import { UsageError } from '../../src/util/errors.js';

const spec: ConvSpec = { kernel: 3, stride: 2, dilation: 1, padding: 'same' };
// 2 images of 5×5×40 (2 words per pixel) into 3 channels: 3×3 output pixels each at stride 2.
const weights: PackedWeights = { kernel: 3, inChannels: 40, outChannels: 3, words: 2, data: new Uint32Array(3 * 9 * 2), tapSums: new Int32Array(27) };
const input = { n: 2, h: 5, w: 5, c: 40, words: 2 };
const geometry = convGeometry(5, 5, spec);

function call(overrides: Partial<ConvCall> = {}): ConvCall {
  return { input, planes: new Uint32Array(2 * 25 * 2), bits: 0, weights, spec, mode: 'int', ...overrides };
}

describe('checkConvBuffers', () => {
  it('gives the sizes of a ±1 call and of a 3-plane call', () => {
    expect(checkConvBuffers(call(), geometry)).toEqual({ cout: 3, planes: 1, planeWords: 100, pixels: 18 });
    expect(checkConvBuffers(call({ bits: 3, planes: new Uint32Array(300) }), geometry)).toEqual({ cout: 3, planes: 3, planeWords: 100, pixels: 18 });
  });

  it('rejects a packed input of the wrong length', () => {
    expect(() => checkConvBuffers(call({ bits: 2 }), geometry)).toThrow(/packed input has 100 words, expected 2×100/);
  });

  it('rejects an accumulator that is not pixels × cout, and a transform of the wrong width', () => {
    const transform = { scale: new Float32Array(3), bias: new Float32Array(3) };
    expect(() => checkConvBuffers(call({ mode: 'accumulate', transform, accumulate: new Float32Array(53) }), geometry)).toThrow(
      /accumulator has 53 values, expected 54/,
    );
    expect(checkConvBuffers(call({ mode: 'accumulate', transform, accumulate: new Float32Array(54) }), geometry).pixels).toBe(18);
    expect(() => checkConvBuffers(call({ mode: 'float', transform: { scale: new Float32Array(2), bias: new Float32Array(2) } }), geometry)).toThrow(UsageError);
  });
});
