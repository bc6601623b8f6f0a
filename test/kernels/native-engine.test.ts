// The native engine on every dispatch path this CPU runs, each forced with
// GROUPNAS_NATIVE_PATH: packed conv, GEMM and bit planes exactly equal the float reference
// (same randomized geometry as the js/wasm exactness tests), output modes equal the shared
// transform bit for bit, and whole packed models equal the js reference engine's logits.
// Skipped, with the reason in the suite name, when the addon is not built.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConvSpec } from '../../src/kernels/conv-spec.js';
import { createEngine } from '../../src/kernels/engines.js';
import { floatConv2d } from '../../src/kernels/float-conv.js';
import { loadNativeAddon, NATIVE_PATHS, type NativePath } from '../../src/util/native-addon.js';
import { NATIVE_PATH_ENV, NativeEngine } from '../../src/kernels/native-engine.js';
import { applyOutputTransform, mixBases } from '../../src/kernels/output-transform.js';
import { packBitPlanes, packLevels, packSigns } from '../../src/kernels/packing.js';
import { packWeights } from '../../src/kernels/weights.js';
import { NotAvailableError, UsageError } from '../../src/util/errors.js';
import { createRng } from '../../src/util/random.js';
import { allGeometryCases, expectBitPlaneDotsExact, expectBitPlanesExact, expectConvDotsExact, expectGemmExact } from './exactness-checks.js';
import { randomLevels, randomSigns } from './random-tensors.js';

function nativeStatus(): { paths: NativePath[]; reason?: string } {
  try {
    return { paths: loadNativeAddon().paths() };
  } catch (err) {
    if (err instanceof NotAvailableError) return { paths: [], reason: err.message };
    throw err;
  }
}
const status = nativeStatus();
const unsupported = NATIVE_PATHS.filter((p) => !status.paths.includes(p));

describe.skipIf(status.paths.length > 0)(`native engine: skipped — ${status.reason ?? ''}`, () => {
  it('createEngine("native") fails clearly and auto falls back to wasm, saying so', () => {
    expect(() => createEngine('native')).toThrow(NotAvailableError);
    const messages: string[] = [];
    const engine = createEngine('auto', { onFallback: (m) => messages.push(m) });
    expect(engine.name).not.toBe('native');
    expect(messages[0]).toMatch(/native engine: .* — using the (wasm|js) engine/);
  });
});

describe.skipIf(unsupported.length === 0 || status.paths.length === 0)(`native paths this CPU cannot run: ${unsupported.join(', ')}`, () => {
  it.each(unsupported)('forcing %s is refused with a clear message', (path) => {
    expect(() => new NativeEngine({ path })).toThrow(new RegExp(`path ${path} is not supported by this CPU`));
  });
});

describe.skipIf(status.paths.length === 0)('native engine selection', () => {
  it('auto picks native, fastest path first; the env var must name a known path', () => {
    const saved = process.env[NATIVE_PATH_ENV];
    try {
      delete process.env[NATIVE_PATH_ENV];
      const engine = createEngine('auto', {
        onFallback: () => {
          throw new Error('no fallback expected');
        },
      });
      expect(engine.name).toBe('native');
      expect((engine as NativeEngine).path).toBe(status.paths[0]);
      process.env[NATIVE_PATH_ENV] = 'sse9';
      expect(() => new NativeEngine()).toThrow(/GROUPNAS_NATIVE_PATH: expected one of avx512, avx2, popcnt, portable, got sse9/);
    } finally {
      if (saved === undefined) delete process.env[NATIVE_PATH_ENV];
      else process.env[NATIVE_PATH_ENV] = saved;
    }
  });
});

describe.skipIf(status.paths.length === 0)('native engine, several threads', () => {
  it.each([2, 3])('large convs split across %i threads give the single-thread results, every output mode and bit planes', (threads) => {
    const rng = createRng(12);
    const shape = { n: 1, h: 31, w: 29, c: 130 };
    const cout = 70;
    const spec: ConvSpec = { kernel: 3, stride: 1, dilation: 1, padding: 'same' };
    const x = packSigns(randomSigns(rng, 31 * 29 * 130), shape);
    const w = packWeights(randomSigns(rng, 9 * 130 * cout), { kernel: 3, inChannels: 130, outChannels: cout });
    const t = { scale: Float32Array.from({ length: cout }, () => rng() - 0.5), bias: Float32Array.from({ length: cout }, () => rng() - 0.5) };
    const one = new NativeEngine({ threads: 1 });
    const two = new NativeEngine({ threads });
    expect(two.threads).toBe(threads);
    const dots = two.convDots(x, w, spec).data;
    expect(Array.from(dots)).toEqual(Array.from(createEngine('js').convDots(x, w, spec).data));
    expect(Array.from(two.conv(x, w, spec, t).data)).toEqual(Array.from(one.conv(x, w, spec, t).data));
    expect(Array.from(two.conv(x, w, spec, t, new Float32Array(dots.length).fill(1)).data)).toEqual(
      Array.from(one.conv(x, w, spec, t, new Float32Array(dots.length).fill(1)).data),
    );
    expect(Array.from(two.convSign(x, w, spec, t).data)).toEqual(Array.from(one.convSign(x, w, spec, t).data));
    const levels = packLevels(randomLevels(rng, 31 * 29 * 130, 2), shape, 2);
    expect(Array.from(two.bitPlaneConvDots(levels, w, spec).data)).toEqual(Array.from(one.bitPlaneConvDots(levels, w, spec).data));
  });

  it('the thread count comes from GROUPNAS_NATIVE_THREADS, a whole number from 1 to 64', () => {
    const saved = process.env.GROUPNAS_NATIVE_THREADS;
    try {
      process.env.GROUPNAS_NATIVE_THREADS = '2';
      expect(new NativeEngine().threads).toBe(2);
      process.env.GROUPNAS_NATIVE_THREADS = '3';
      expect(new NativeEngine().threads).toBe(3);
      for (const bad of ['4x', '0', '65']) {
        process.env.GROUPNAS_NATIVE_THREADS = bad;
        expect(() => new NativeEngine()).toThrow(`GROUPNAS_NATIVE_THREADS: expected a whole number from 1 to 64, got ${bad}`);
      }
    } finally {
      if (saved === undefined) delete process.env.GROUPNAS_NATIVE_THREADS;
      else process.env.GROUPNAS_NATIVE_THREADS = saved;
    }
  });
});

describe.each(status.paths)('native engine, path %s (forced by GROUPNAS_NATIVE_PATH)', (path) => {
  let engine: NativeEngine;
  let saved: string | undefined;
  beforeAll(() => {
    saved = process.env[NATIVE_PATH_ENV];
    process.env[NATIVE_PATH_ENV] = path;
    engine = new NativeEngine();
  });
  afterAll(() => {
    if (saved === undefined) delete process.env[NATIVE_PATH_ENV];
    else process.env[NATIVE_PATH_ENV] = saved;
  });

  it('runs the forced path', () => {
    expect(engine.path).toBe(path);
  });

  it('packed conv equals the float conv on ±1 data, exactly', () => {
    expectConvDotsExact(engine, allGeometryCases(7, { wideCout: true }), createRng(20240601), true);
  });

  it('binary GEMM equals the float dot products', () => {
    expectGemmExact(engine, [1, 31, 32, 33, 129, 300, 1152], 30, 70);
  });

  it.each([2, 4])('bit planes, k = %i: integer sums equal the float conv of the levels, exactly', (bits) => {
    expectBitPlaneDotsExact(engine, bits, 40);
  });

  describe('fused outputs', () => {
    const rng = createRng(41);
    const shape = { n: 2, h: 5, w: 6, c: 45 };
    const cout = 37;
    const spec: ConvSpec = { kernel: 3, stride: 1, dilation: 1, padding: 'same' };
    const x = packSigns(randomSigns(rng, 2 * 5 * 6 * 45), shape);
    const wA = packWeights(randomSigns(rng, 9 * 45 * cout), { kernel: 3, inChannels: 45, outChannels: cout });
    const wB = packWeights(randomSigns(rng, 9 * 45 * cout), { kernel: 3, inChannels: 45, outChannels: cout });
    const affine = (seed: number) => {
      const r = createRng(seed);
      return { scale: Float32Array.from({ length: cout }, () => r() * 0.2 - 0.1), bias: Float32Array.from({ length: cout }, () => r() * 4 - 2) };
    };
    const tA = affine(1);
    const tB = affine(2);

    it('conv = integer dots through the shared transform, bit for bit; accumulate adds into the given array', () => {
      const dots = engine.convDots(x, wA, spec).data;
      expect(Array.from(engine.conv(x, wA, spec, tA).data)).toEqual(Array.from(applyOutputTransform(dots, tA)));
      const acc = engine.conv(x, wA, spec, tA).data;
      const both = engine.conv(x, wB, spec, tB, acc);
      expect(both.data).toBe(acc);
      expect(Array.from(both.data)).toEqual(Array.from(applyOutputTransform(engine.convDots(x, wB, spec).data, tB, applyOutputTransform(dots, tA))));
      expect(Array.from(engine.outputTransform(dots, tA))).toEqual(Array.from(applyOutputTransform(dots, tA)));
    });

    it('fused sign packs sign(y) for the next binary layer', () => {
      const y = engine.conv(x, wA, spec, tA);
      const packed = engine.convSign(x, wA, spec, tA);
      expect(Array.from(packed.data)).toEqual(Array.from(packSigns(y.data, y).data));
      expect([packed.n, packed.h, packed.w, packed.c, packed.words]).toEqual([2, 5, 6, cout, 2]);
    });

    it('bit-plane conv with transform and accumulate', () => {
      const levels = packBitPlanes(
        Float32Array.from({ length: 2 * 5 * 6 * 45 }, () => rng() * 2.5 - 0.2),
        shape,
        2,
        2,
      );
      const dots = engine.bitPlaneConvDots(levels, wA, spec).data;
      const acc = new Float32Array(dots.length).fill(0.5);
      const got = engine.bitPlaneConv(levels, wA, spec, tA, acc).data;
      expect(Array.from(got)).toEqual(Array.from(applyOutputTransform(dots, tA, new Float32Array(dots.length).fill(0.5))));
    });
  });

  it('packSigns equals the reference for any channel count; −0 and NaN pack as +1', () => {
    const rng = createRng(5);
    for (const c of [1, 15, 16, 17, 31, 32, 33, 48, 64, 100]) {
      const shape = { n: 1, h: 3, w: 2, c };
      const x = Float32Array.from({ length: 6 * c }, () => (rng() < 0.1 ? -0 : rng() < 0.05 ? NaN : rng() - 0.5));
      expect(Array.from(engine.packSigns(x, shape).data), `c=${c}`).toEqual(Array.from(packSigns(x, shape).data));
    }
  });

  it('packBitPlanes equals the reference bit for bit: any channel count, 1–8 bits, ties, clipping, −0, NaN, ±∞', () => {
    expectBitPlanesExact(engine);
    expect(() => engine.packBitPlanes(new Float32Array(5), { n: 1, h: 1, w: 2, c: 3 }, 2, 2)).toThrow(UsageError);
    expect(() => engine.packBitPlanes(new Float32Array(6), { n: 1, h: 1, w: 2, c: 3 }, 9, 2)).toThrow(/bits must be an integer in 1..8/);
    expect(() => engine.packBitPlanes(new Float32Array(6), { n: 1, h: 1, w: 2, c: 3 }, 2, 0)).toThrow(/beta must be a finite number > 0/);
  });

  it('float conv, multi-base sum and base mixing match the reference to float rounding', () => {
    const rng = createRng(8);
    const shape = { n: 2, h: 7, w: 5, c: 3 };
    const x = Float32Array.from({ length: 2 * 7 * 5 * 3 }, () => rng() - 0.5);
    for (const spec of [
      { kernel: 3, stride: 2, dilation: 1, padding: 'symmetric' },
      { kernel: 1, stride: 1, dilation: 1, padding: 'same' },
      { kernel: 5, stride: 1, dilation: 2, padding: 'same' },
    ] as ConvSpec[]) {
      const filter = Float32Array.from({ length: spec.kernel ** 2 * 3 * 19 }, () => rng() - 0.5);
      const expected = floatConv2d(x, shape, filter, 19, spec);
      const got = engine.floatConv(x, shape, filter, 19, spec);
      expect([got.h, got.w, got.c]).toEqual([expected.h, expected.w, expected.c]);
      got.data.forEach((v, i) => expect(v).toBeCloseTo(expected.data[i]!, 5));
    }
    const parts = [0, 1, 2].map(() => Float32Array.from({ length: 103 }, () => rng() - 0.5));
    const mix = [0.5, -1, 2, 0.25, 0.75, -0.5];
    const want = mixBases(parts, mix);
    engine.mixBases(parts, mix).forEach((out, j) => out.forEach((v, i) => expect(v).toBeCloseTo(want[j]![i]!, 6)));
    engine.multiBaseSum(parts, [1, 2, 3]).forEach((v, i) => expect(v).toBeCloseTo(mixBases(parts, [1, 2, 3])[0]![i]!, 6));
    expect(() => engine.multiBaseSum([new Float32Array(2)], [1, 2])).toThrow(/one λ per base/);
    expect(() => engine.mixBases([new Float32Array(2), new Float32Array(3)], [1, 1])).toThrow(/base 1 has 3 values/);
  });

  it('rejects mismatched operands with a clear message', () => {
    const x = packSigns(new Float32Array(8), { n: 1, h: 2, w: 2, c: 2 });
    const w3 = packWeights(new Float32Array(9 * 3 * 4), { kernel: 3, inChannels: 3, outChannels: 4 });
    expect(() => engine.convDots(x, w3, { kernel: 3, stride: 1, dilation: 1, padding: 'same' })).toThrow(/2 channels, weights expect 3/);
    const w2 = packWeights(new Float32Array(9 * 2 * 4), { kernel: 3, inChannels: 2, outChannels: 4 });
    expect(() => engine.convDots(x, w2, { kernel: 3, stride: 1, dilation: 1, padding: 'valid' })).toThrow(UsageError);
    expect(() =>
      engine.conv(
        x,
        w2,
        { kernel: 3, stride: 1, dilation: 1, padding: 'same' },
        { scale: new Float32Array(4), bias: new Float32Array(4) },
        new Float32Array(3),
      ),
    ).toThrow(/accumulator has 3 values, expected 16/);
  });
});
