import { describe, expect, it } from 'vitest';
import { packBitPlanes, packLevels, packSigns, quantizeLevel, roundHalfEven, unpackLevels, unpackSigns, wordsFor } from '../../src/kernels/packing.js';
import { UsageError } from '../../src/util/errors.js';
import { createEngine } from '../../src/kernels/engines.js';
import { ensureWasmBuilt } from './ensure-wasm.js';
import { createRng } from '../../src/util/random.js';
import { randomLevels, randomSigns, signOf } from './random-tensors.js';

const CHANNELS = [1, 2, 31, 32, 33, 63, 64, 65, 127, 300];

describe('packSigns / unpackSigns', () => {
  it('round-trips ±1 tensors for any channel count, with padding bits 0', () => {
    const rng = createRng(1);
    for (const c of CHANNELS) {
      const shape = { n: 2, h: 3, w: 2, c };
      const x = randomSigns(rng, 2 * 3 * 2 * c, true);
      const packed = packSigns(x, shape);
      expect(packed.words).toBe(wordsFor(c));
      expect(packed.data.length).toBe(12 * packed.words);
      expect(Array.from(unpackSigns(packed))).toEqual(Array.from(signOf(x)));
      const unused = c % 32 === 0 ? 0 : ~((1 << (c % 32)) - 1) >>> 0;
      for (let p = 0; p < 12; p++) expect(packed.data[p * packed.words + packed.words - 1]! & unused).toBe(0);
    }
  });

  it('uses bit 1 for −1 and bit 0 for +1 and for 0', () => {
    const packed = packSigns(new Int8Array([-1, 1, 0, -5]), { n: 1, h: 1, w: 1, c: 4 });
    expect(packed.data[0]).toBe(0b1001);
  });

  it('rejects data that does not match the shape', () => {
    expect(() => packSigns(new Float32Array(5), { n: 1, h: 1, w: 1, c: 4 })).toThrow(UsageError);
    expect(() => packSigns(new Float32Array(0), { n: 1, h: 0, w: 1, c: 4 })).toThrow(/shape\.h/);
  });
});

describe('engine.packSigns', () => {
  it('wasm packs exactly like the reference, any channel count', () => {
    ensureWasmBuilt();
    const wasm = createEngine('wasm');
    const rng = createRng(12);
    for (const c of CHANNELS) {
      const shape = { n: 2, h: 3, w: 2, c };
      const x = randomSigns(rng, 12 * c, true).map((v) => v * rng());
      expect(Array.from(wasm.packSigns(x, shape).data), `c = ${c}`).toEqual(Array.from(packSigns(x, shape).data));
    }
  });
});

describe('bit planes', () => {
  it('round-trips integer levels for k = 2 and 4', () => {
    const rng = createRng(2);
    for (const bits of [2, 4]) {
      for (const c of [1, 33, 65]) {
        const levels = randomLevels(rng, 3 * c, bits);
        const packed = packLevels(levels, { n: 1, h: 1, w: 3, c }, bits);
        expect(packed.planes.length).toBe(bits * 3 * wordsFor(c));
        expect(Array.from(unpackLevels(packed))).toEqual(Array.from(levels));
      }
    }
  });

  it('quantizes like the k-bit uniform quantizer: clip to [0, β], round half to even', () => {
    expect(roundHalfEven(2.5)).toBe(2);
    expect(roundHalfEven(3.5)).toBe(4);
    expect(roundHalfEven(1.4)).toBe(1);
    expect(quantizeLevel(-1, 2, 2)).toBe(0);
    expect(quantizeLevel(5, 2, 2)).toBe(3);
    expect(quantizeLevel(1, 2, 2)).toBe(2); // 1·3/2 = 1.5 → 2
    expect(quantizeLevel(0.6, 4, 2)).toBe(4); // 0.6·15/2 = 4.5 → 4
    const packed = packBitPlanes(new Float32Array([-1, 0.7, 2, 9]), { n: 1, h: 1, w: 1, c: 4 }, 2, 2);
    expect(Array.from(unpackLevels(packed))).toEqual([0, 1, 3, 3]);
  });

  it('packBitPlanes packs exactly the levels quantizeLevel gives, ties and clipping included', () => {
    const rng = createRng(11);
    for (const [bits, beta] of [
      [2, 2],
      [4, 2],
      [2, 1],
      [4, 0.7],
      [3, 1.3],
    ] as const) {
      const step = beta / (2 ** bits - 1);
      // random values, exact ties k.5·step, the clip edges and beyond
      const x = Float32Array.from({ length: 5 * 37 }, (_, i) =>
        i % 5 === 0 ? (Math.floor(rng() * 2 ** bits) + 0.5) * step : i % 5 === 1 ? [0, beta, -0.1, beta + 1, -0][i % 4]! : rng() * (beta + 1) - 0.5,
      );
      const shape = { n: 1, h: 5, w: 1, c: 37 };
      const expected = packLevels(
        Array.from(x, (v) => quantizeLevel(v, bits, beta)),
        shape,
        bits,
      );
      expect(Array.from(packBitPlanes(x, shape, bits, beta).planes)).toEqual(Array.from(expected.planes));
    }
  });

  it('rejects levels out of range', () => {
    expect(() => packLevels([4], { n: 1, h: 1, w: 1, c: 1 }, 2)).toThrow(/0\.\.3/);
  });
});
