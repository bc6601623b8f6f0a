import { beforeAll, describe, expect, it } from 'vitest';
import type { ConvSpec } from '../../src/kernels/conv-spec.js';
import type { BinaryEngine } from '../../src/kernels/engine.js';
import { createEngine } from '../../src/kernels/engines.js';
import { applyOutputTransform, foldOutputTransform, multiBaseSum } from '../../src/kernels/output-transform.js';
import { packLevels, packSigns, unpackSigns } from '../../src/kernels/packing.js';
import { packWeights } from '../../src/kernels/weights.js';
import { UsageError } from '../../src/util/errors.js';
import { createRng, randomNormal } from '../../src/util/random.js';
import { ensureWasmBuilt } from './ensure-wasm.js';
import { randomLevels, randomSigns } from './random-tensors.js';

function randomArray(seed: number, n: number, offset = 0): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => offset + randomNormal(rng));
}

describe('foldOutputTransform', () => {
  it('folds α, input scale, conv bias, BatchNorm and λ into one multiply-add', () => {
    const c = 5;
    const alpha = randomArray(1, c, 2);
    const convBias = randomArray(2, c);
    const bn = {
      gamma: randomArray(3, c),
      beta: randomArray(4, c),
      movingMean: randomArray(5, c),
      movingVariance: Float32Array.from(randomArray(6, c), (v) => v * v + 0.1),
      epsilon: 1e-3,
    };
    const t = foldOutputTransform({ channels: c, alpha, inputScale: 2 / 3, convBias, batchNorm: bn, lambda: 0.7 });
    for (const d of [-9, 0, 4, 27]) {
      for (let o = 0; o < c; o++) {
        const conv = d * (2 / 3) * alpha[o]! + convBias[o]!;
        const y = 0.7 * ((bn.gamma[o]! * (conv - bn.movingMean[o]!)) / Math.sqrt(bn.movingVariance[o]! + bn.epsilon) + bn.beta[o]!);
        expect(d * t.scale[o]! + t.bias[o]!).toBeCloseTo(y, 4);
      }
    }
  });

  it('names the mismatched field', () => {
    expect(() => foldOutputTransform({ channels: 3, alpha: [1, 2] })).toThrow(/alpha has 2 values, expected 3/);
    expect(() => multiBaseSum([new Float32Array(2)], [1, 2])).toThrow(UsageError);
  });

  it('multi-base sum is Σ λ_k x_k', () => {
    const y = multiBaseSum([new Float32Array([1, 2]), new Float32Array([10, 20])], [0.5, -1]);
    expect(Array.from(y)).toEqual([-9.5, -19]);
  });
});

const engines: Record<string, BinaryEngine> = {};
beforeAll(() => {
  ensureWasmBuilt();
  engines.js = createEngine('js');
  engines.wasm = createEngine('wasm');
});

describe.each(['js', 'wasm'])('%s engine, fused output', (name) => {
  const spec: ConvSpec = { kernel: 3, stride: 2, dilation: 1, padding: 'same' };
  const shape = { n: 2, h: 7, w: 6, c: 40 };
  // 37 output channels: a whole v128 tail and a partial one, two sign words per pixel.
  const cout = 37;
  const rng = createRng(9);
  const x = packSigns(randomSigns(rng, 2 * 7 * 6 * 40), shape);
  const wA = packWeights(randomSigns(rng, 9 * 40 * cout), { kernel: 3, inChannels: 40, outChannels: cout });
  const wB = packWeights(randomSigns(rng, 9 * 40 * cout), { kernel: 3, inChannels: 40, outChannels: cout });
  const tA = foldOutputTransform({ channels: cout, alpha: randomArray(10, cout, 1), convBias: randomArray(11, cout), lambda: 0.6 });
  const tB = foldOutputTransform({ channels: cout, alpha: randomArray(12, cout, 1), convBias: randomArray(13, cout), lambda: -0.3 });

  it('conv = integer dots through the transform, bit for bit', () => {
    const engine = engines[name]!;
    const dots = engine.convDots(x, wA, spec);
    const y = engine.conv(x, wA, spec, tA);
    expect(Array.from(y.data)).toEqual(Array.from(applyOutputTransform(dots.data, tA)));
  });

  it('accumulating two bases equals the multi-base sum of their outputs', () => {
    const engine = engines[name]!;
    const a = engine.conv(x, wA, spec, tA).data;
    const b = engine.conv(x, wB, spec, tB).data;
    const acc = engine.conv(x, wA, spec, tA).data;
    const both = engine.conv(x, wB, spec, tB, acc);
    expect(both.data).toBe(acc);
    const expected = multiBaseSum([a, b], [1, 1]);
    for (let i = 0; i < expected.length; i++) expect(both.data[i]).toBe(expected[i]);
  });

  it('fused sign packs sign(y) for the next binary layer', () => {
    const engine = engines[name]!;
    const y = engine.conv(x, wA, spec, tA);
    const packed = engine.convSign(x, wA, spec, tA);
    expect(packed.words).toBe(2);
    expect(Array.from(packed.data)).toEqual(Array.from(packSigns(y.data, y).data));
    expect(Array.from(unpackSigns(packed))).toEqual(Array.from(y.data, (v) => (v < 0 ? -1 : 1)));
  });

  it('multi-base sum and soft mixing of base outputs', () => {
    const engine = engines[name]!;
    const rng = createRng(77);
    for (const size of [1, 7, 64, 1001]) {
      const parts = [0, 1, 2].map(() => Float32Array.from({ length: size }, () => randomNormal(rng)));
      const lambdas = [0.5, -1.25, 2];
      const sum = engine.multiBaseSum(parts, lambdas);
      const mix = [0.5, -1.25, 2, 1, 0, 0, 0.25, 0.25, 0.5, -3, 1, 1];
      const mixed = engine.mixBases(parts, mix);
      expect(mixed).toHaveLength(4);
      for (let i = 0; i < size; i++) {
        expect(sum[i]).toBeCloseTo(0.5 * parts[0]![i]! - 1.25 * parts[1]![i]! + 2 * parts[2]![i]!, 5);
        expect(mixed[0]![i]).toBeCloseTo(sum[i]!, 5);
        expect(mixed[1]![i]).toBe(parts[0]![i]);
        expect(mixed[3]![i]).toBeCloseTo(-3 * parts[0]![i]! + parts[1]![i]! + parts[2]![i]!, 5);
      }
    }
    expect(() => engine.multiBaseSum([new Float32Array(2)], [1, 2])).toThrow(/one λ per base/);
    expect(() => engine.mixBases([new Float32Array(2), new Float32Array(3)], [1, 1])).toThrow(/base 1 has 3 values/);
  });

  it('output transform method equals the shared function', () => {
    const engine = engines[name]!;
    const dots = engine.convDots(x, wA, spec).data;
    expect(Array.from(engine.outputTransform(dots, tA))).toEqual(Array.from(applyOutputTransform(dots, tA)));
  });

  it('bit-plane conv accumulates like the binary one', () => {
    const engine = engines[name]!;
    const levels = packLevels(randomLevels(createRng(5), 2 * 7 * 6 * 40, 2), shape, 2);
    const dots = engine.bitPlaneConvDots(levels, wA, spec);
    const acc = new Float32Array(dots.data.length).fill(1);
    const got = engine.bitPlaneConv(levels, wA, spec, tA, acc);
    const expected = applyOutputTransform(dots.data, tA, new Float32Array(dots.data.length).fill(1));
    expect(Array.from(got.data)).toEqual(Array.from(expected));
  });
});
