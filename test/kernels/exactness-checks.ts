// The exactness checks every binary engine (js, wasm, each native path) is held to: packed conv,
// GEMM and bit-plane conv equal float references on randomized seeded geometries, exactly; k-bit
// packing equals the JavaScript reference bit for bit.
import { expect } from 'vitest';
import type { ConvSpec, Padding } from '../../src/kernels/conv-spec.js';
import type { BinaryEngine } from '../../src/kernels/engine.js';
import { floatConv2d } from '../../src/kernels/float-conv.js';
import { packBitPlanes, packLevels, packSigns, type NhwcShape } from '../../src/kernels/packing.js';
import { packWeights } from '../../src/kernels/weights.js';
import { createRng, randomInt, type Rng } from '../../src/util/random.js';
import { pick, randomLevels, randomSigns, signOf } from './random-tensors.js';

const KERNELS = [1, 3, 5];
const STRIDES = [1, 2];
const DILATIONS = [1, 2, 4, 8];
const PADDINGS: Padding[] = ['same', 'valid', 'symmetric'];
const CHANNELS = [1, 2, 7, 31, 32, 33, 63, 64, 65, 96, 127, 128, 129, 200, 255, 300];

export interface ConvCase {
  shape: NhwcShape;
  cout: number;
  spec: ConvSpec;
}

function randomCase(rng: Rng, spec: ConvSpec, c: number, maxCout = 13): ConvCase {
  const span = (spec.kernel - 1) * spec.dilation + 1;
  // 'same': small inputs so many positions touch the padding; 'valid': just big enough to fit.
  const min = spec.padding === 'valid' ? span : 1;
  return { shape: { n: 1 + randomInt(rng, 2), h: min + randomInt(rng, 5), w: min + randomInt(rng, 5), c }, cout: 1 + randomInt(rng, maxCout), spec };
}

/**
 * Every kernel × stride × dilation × padding twice, every channel count once (3×3, random stride,
 * dilation, padding) and, with `wideCout`, Cout of several 32-channel blocks (partial last block).
 */
export function allGeometryCases(seed: number, options: { wideCout?: boolean } = {}): ConvCase[] {
  const rng = createRng(seed);
  const cases: ConvCase[] = [];
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
  for (const c of CHANNELS)
    cases.push(randomCase(rng, { kernel: 3, stride: pick(rng, STRIDES), dilation: pick(rng, [1, 2]), padding: pick(rng, PADDINGS) }, c));
  if (options.wideCout) {
    for (const cout of [31, 32, 33, 64, 70, 100]) {
      const spec: ConvSpec = { kernel: pick(rng, KERNELS), stride: pick(rng, STRIDES), dilation: 1, padding: pick(rng, PADDINGS) };
      cases.push({ ...randomCase(rng, spec, pick(rng, CHANNELS)), cout });
    }
  }
  return cases;
}

function describeCase(c: ConvCase): string {
  const { shape, cout, spec } = c;
  return `${shape.n}×${shape.h}×${shape.w}×${shape.c} → ${cout}, k${spec.kernel} s${spec.stride} d${spec.dilation} ${spec.padding}`;
}

/** convDots on random ±1 data (with exact zeros, packed as +1, when `zeros`) equals the float conv of the signs. */
export function expectConvDotsExact(engine: BinaryEngine, cases: readonly ConvCase[], rng: Rng, zeros = false): void {
  for (const c of cases) {
    const { shape, cout, spec } = c;
    const x = randomSigns(rng, shape.n * shape.h * shape.w * shape.c, zeros);
    const wts = randomSigns(rng, spec.kernel * spec.kernel * shape.c * cout, zeros);
    const expected = floatConv2d(signOf(x), shape, signOf(wts), cout, spec);
    const got = engine.convDots(packSigns(x, shape), packWeights(wts, { kernel: spec.kernel, inChannels: shape.c, outChannels: cout }), spec);
    expect([got.n, got.h, got.w, got.c], describeCase(c)).toEqual([expected.n, expected.h, expected.w, expected.c]);
    const mismatch = got.data.findIndex((v, i) => v !== expected.data[i]);
    expect(mismatch, `${describeCase(c)}: first mismatch at ${mismatch}`).toBe(-1);
  }
}

/** gemm of random ±1 rows (k bits each, m × n of them up to the given sizes) equals their float dot products. */
export function expectGemmExact(engine: BinaryEngine, ks: readonly number[], maxM: number, maxN: number): void {
  const rng = createRng(3);
  for (const k of ks) {
    const m = 1 + randomInt(rng, maxM);
    const n = 1 + randomInt(rng, maxN);
    const a = randomSigns(rng, m * k);
    const b = randomSigns(rng, n * k);
    const got = engine.gemm(packSigns(a, { n: 1, h: 1, w: m, c: k }).data, packSigns(b, { n: 1, h: 1, w: n, c: k }).data, m, n, k);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let dot = 0;
        for (let q = 0; q < k; q++) dot += a[i * k + q]! * b[j * k + q]!;
        expect(got[i * n + j], `k=${k} (${i}, ${j})`).toBe(dot);
      }
    }
  }
}

/** bitPlaneConvDots of random k-bit levels equals the float conv of the levels, over 40 random geometries. */
export function expectBitPlaneDotsExact(engine: BinaryEngine, bits: number, maxCout: number): void {
  const rng = createRng(100 + bits);
  for (let r = 0; r < 40; r++) {
    const spec: ConvSpec = { kernel: pick(rng, KERNELS), stride: pick(rng, STRIDES), dilation: pick(rng, DILATIONS), padding: pick(rng, PADDINGS) };
    const span = (spec.kernel - 1) * spec.dilation + 1;
    const min = spec.padding === 'valid' ? span : 1;
    const shape = { n: 1 + randomInt(rng, 2), h: min + randomInt(rng, 4), w: min + randomInt(rng, 4), c: pick(rng, [1, 5, 31, 32, 33, 63, 65, 130, 300]) };
    const cout = 1 + randomInt(rng, maxCout);
    const levels = randomLevels(rng, shape.n * shape.h * shape.w * shape.c, bits);
    const wts = randomSigns(rng, spec.kernel ** 2 * shape.c * cout);
    const expected = floatConv2d(levels, shape, wts, cout, spec);
    const got = engine.bitPlaneConvDots(
      packLevels(levels, shape, bits),
      packWeights(wts, { kernel: spec.kernel, inChannels: shape.c, outChannels: cout }),
      spec,
    );
    const where = `${JSON.stringify(shape)} → ${cout} ${JSON.stringify(spec)}`;
    expect([got.h, got.w, got.c], where).toEqual([expected.h, expected.w, expected.c]);
    expect(
      got.data.findIndex((v, i) => v !== expected.data[i]),
      where,
    ).toBe(-1);
  }
}

/**
 * `engine.packBitPlanes` gives packing.ts's bits: channel counts around the word size, 1–8 bits, clip
 * ranges whose factor is 4 (β = 0.75 at 2 bits, 3.75 at 4: (q + ½)/4 are exact ties, rounded to even) and
 * others, values past the clip, −0, NaN and ±∞.
 */
export function expectBitPlanesExact(engine: BinaryEngine): void {
  const rng = createRng(6);
  for (const beta of [2, 0.1, 0.75, 3.75])
    for (const bits of [1, 2, 3, 4, 8])
      for (const c of [1, 15, 17, 31, 32, 33, 64, 100]) {
        const shape = { n: 2, h: 3, w: 1, c };
        const levels = 2 ** bits - 1;
        const factor = Math.fround(levels / beta);
        const special = [NaN, Infinity, -Infinity, -0, 0, beta, 2 * beta];
        const x = Float32Array.from({ length: 6 * c }, () => {
          const r = rng();
          if (r < 0.15) return special[Math.floor(rng() * special.length)]!;
          if (r < 0.4) return (Math.floor(rng() * levels) + 0.5) / factor;
          return (rng() - 0.3) * 1.5 * beta;
        });
        const got = engine.packBitPlanes(x, shape, bits, beta);
        const want = packBitPlanes(x, shape, bits, beta);
        expect([got.words, got.bits], `c=${c} bits=${bits} β=${beta}`).toEqual([want.words, want.bits]);
        expect(Array.from(got.planes), `c=${c} bits=${bits} β=${beta}`).toEqual(Array.from(want.planes));
      }
}
