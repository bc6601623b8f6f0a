// Exactness of the binary engines: packed conv == float conv on ±1 data, over randomized
// seeded shapes and every kernel size, stride, dilation and padding mode.
import { beforeAll, describe, expect, it } from 'vitest';
import type { ConvSpec, Padding } from '../../src/kernels/conv-spec.js';
import type { BinaryEngine } from '../../src/kernels/engine.js';
import { createEngine } from '../../src/kernels/engines.js';
import { floatConv2d } from '../../src/kernels/float-conv.js';
import { packSigns, type NhwcShape } from '../../src/kernels/packing.js';
import { packWeights } from '../../src/kernels/weights.js';
import { UsageError } from '../../src/util/errors.js';
import { createRng, randomInt, type Rng } from '../../src/util/random.js';
import { ensureWasmBuilt } from './ensure-wasm.js';
import { pick, randomSigns } from './random-tensors.js';

const KERNELS = [1, 3, 5];
const STRIDES = [1, 2];
const DILATIONS = [1, 2, 4, 8];
const PADDINGS: Padding[] = ['same', 'valid', 'symmetric'];
const CHANNELS = [1, 2, 7, 31, 32, 33, 63, 64, 65, 96, 127, 128, 129, 200, 255, 300];

interface Case {
  shape: NhwcShape;
  cout: number;
  spec: ConvSpec;
}

function randomCase(rng: Rng, spec: ConvSpec, c: number): Case {
  const span = (spec.kernel - 1) * spec.dilation + 1;
  // 'same': small inputs so many positions touch the padding; 'valid': just big enough to fit.
  const min = spec.padding === 'valid' ? span : 1;
  const h = min + randomInt(rng, 5);
  const w = min + randomInt(rng, 5);
  return { shape: { n: 1 + randomInt(rng, 2), h, w, c }, cout: 1 + randomInt(rng, 13), spec };
}

function allGeometryCases(seed: number): Case[] {
  const rng = createRng(seed);
  const cases: Case[] = [];
  for (const kernel of KERNELS) {
    for (const stride of STRIDES) {
      for (const dilation of DILATIONS) {
        for (const padding of PADDINGS) {
          if (kernel === 1 && dilation > 1) continue; // dilation is meaningless for 1×1
          for (let r = 0; r < 2; r++) cases.push(randomCase(rng, { kernel, stride, dilation, padding }, pick(rng, CHANNELS)));
        }
      }
    }
  }
  // Every channel count at least once, with a 3×3 kernel and random stride/dilation/padding.
  for (const c of CHANNELS) {
    cases.push(randomCase(rng, { kernel: 3, stride: pick(rng, STRIDES), dilation: pick(rng, [1, 2]), padding: pick(rng, PADDINGS) }, c));
  }
  return cases;
}

function describeCase(c: Case): string {
  const { shape, cout, spec } = c;
  return `${shape.n}×${shape.h}×${shape.w}×${shape.c} → ${cout}, k${spec.kernel} s${spec.stride} d${spec.dilation} ${spec.padding}`;
}

const engines: Record<string, BinaryEngine> = {};

beforeAll(() => {
  ensureWasmBuilt();
  engines.js = createEngine('js');
  engines.wasm = createEngine('wasm');
});

describe.each(['js', 'wasm'])('%s engine', (name) => {
  it('packed conv equals the float conv on ±1 data, exactly', () => {
    const engine = engines[name]!;
    const rng = createRng(20240601);
    for (const c of allGeometryCases(7)) {
      const { shape, cout, spec } = c;
      const x = randomSigns(rng, shape.n * shape.h * shape.w * shape.c);
      const wts = randomSigns(rng, spec.kernel * spec.kernel * shape.c * cout);
      const expected = floatConv2d(x, shape, wts, cout, spec);
      const got = engine.convDots(packSigns(x, shape), packWeights(wts, { kernel: spec.kernel, inChannels: shape.c, outChannels: cout }), spec);
      expect([got.n, got.h, got.w, got.c], describeCase(c)).toEqual([expected.n, expected.h, expected.w, expected.c]);
      const mismatch = got.data.findIndex((v, i) => v !== expected.data[i]);
      expect(mismatch, `${describeCase(c)}: first mismatch at ${mismatch}`).toBe(-1);
    }
  });

  it('binary GEMM equals the float dot products', () => {
    const engine = engines[name]!;
    const rng = createRng(3);
    for (const k of [1, 31, 32, 33, 129, 300]) {
      const m = 1 + randomInt(rng, 9);
      const n = 1 + randomInt(rng, 9);
      const a = randomSigns(rng, m * k);
      const b = randomSigns(rng, n * k);
      const pa = packSigns(a, { n: 1, h: 1, w: m, c: k });
      const pb = packSigns(b, { n: 1, h: 1, w: n, c: k });
      const got = engine.gemm(pa.data, pb.data, m, n, k);
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let dot = 0;
          for (let q = 0; q < k; q++) dot += a[i * k + q]! * b[j * k + q]!;
          expect(got[i * n + j]).toBe(dot);
        }
      }
    }
  });

  it('rejects mismatched operands with a clear message', () => {
    const engine = engines[name]!;
    const x = packSigns(new Float32Array(8), { n: 1, h: 2, w: 2, c: 2 });
    const w3 = packWeights(new Float32Array(9 * 3 * 4), { kernel: 3, inChannels: 3, outChannels: 4 });
    expect(() => engine.convDots(x, w3, { kernel: 3, stride: 1, dilation: 1, padding: 'same' })).toThrow(/2 channels, weights expect 3/);
    const w2 = packWeights(new Float32Array(9 * 2 * 4), { kernel: 3, inChannels: 2, outChannels: 4 });
    expect(() => engine.convDots(x, w2, { kernel: 3, stride: 1, dilation: 1, padding: 'valid' })).toThrow(UsageError);
  });
});
