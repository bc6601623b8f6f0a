// The native side trusts nothing (native/src/addon.c's trust boundary): lying PackedWeights, raw addon calls with
// perturbed sizes, types and numbers, and the .gnb fuzz (seeded mutations of a whole model)
// run through PackedModel on native must be rejected with a clear error or computed
// correctly — never crash, hang or touch memory outside the buffers given.
import * as tf from '../helpers/tfjs.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { crc32 } from 'node:zlib';
import { createEngine } from '../../src/kernels/engines.js';
import { decodeGnb, encodeGnb, type GnbModel } from '../../src/kernels/gnb-format.js';
import { loadNativeAddon, type NativeAddon } from '../../src/util/native-addon.js';
import { interleaveWeights, NativeEngine } from '../../src/kernels/native-engine.js';
import { packStateDict, type ArrayTensor } from '../../src/kernels/pack-state-dict.js';
import { PackedModel } from '../../src/kernels/packed-model.js';
import { packSigns } from '../../src/kernels/packing.js';
import { packWeights, type PackedWeights } from '../../src/kernels/weights.js';
import { buildModel } from '../../src/nn/group-net.js';
import { buildPreset } from '../../src/space/presets.js';
import { GroupnasError, NotAvailableError, UsageError } from '../../src/util/errors.js';
import { createRng, deriveSeed, randomInt, randomNormal, type Rng } from '../../src/util/random.js';
import { randomSigns } from './random-tensors.js';

let addon: NativeAddon | undefined;
let reason = '';
try {
  addon = loadNativeAddon();
} catch (err) {
  if (!(err instanceof NotAvailableError)) throw err;
  reason = err.message;
}

describe.skipIf(addon !== undefined)(`native safety: skipped — ${reason}`, () => {
  it('the addon is not built here', () => expect(reason).toMatch(/native engine/));
});

describe.skipIf(addon === undefined)('native engine: operands that lie about their sizes', () => {
  const spec = { kernel: 3, stride: 1, dilation: 1, padding: 'same' } as const;
  const x = packSigns(new Float32Array(4 * 4 * 40).fill(-1), { n: 1, h: 4, w: 4, c: 40 });
  const good = packWeights(randomSigns(createRng(1), 9 * 40 * 5), { kernel: 3, inChannels: 40, outChannels: 5 });

  it.each([
    ['weights data one word short', { ...good, data: good.data.subarray(1) }, /packed weights hold 89 words/],
    ['tap sums short', { ...good, tapSums: good.tapSums.subarray(2) }, /43 tap sums, expected 90 and 45/],
    ['more output channels than rows', { ...good, outChannels: 9 }, /expected 162 and 81/],
    ['words per tap inconsistent with the channels', { ...good, words: 1 }, /expected 45 and 45/],
  ] as [string, PackedWeights, RegExp][])('%s → UsageError', (_name, weights, message) => {
    const engine = new NativeEngine();
    expect(() => engine.convDots(x, weights, spec)).toThrow(UsageError);
    expect(() => engine.convDots(x, weights, spec)).toThrow(message);
  });

  it('activations whose data or word count disagree with their shape → UsageError', () => {
    const engine = new NativeEngine();
    expect(() => engine.convDots({ ...x, data: x.data.subarray(3) }, good, spec)).toThrow(/packed input has 29 words, expected 1×32/);
    expect(() => engine.convDots({ ...x, words: 1 }, good, spec)).toThrow(/1 words per pixel, expected 2/);
    expect(() => engine.convDots({ ...x, h: 0 }, good, spec)).toThrow(/shape.h must be a positive integer/);
    expect(() => engine.bitPlaneConvDots({ ...x, planes: x.data, bits: 0 }, good, spec)).toThrow(/bits must be an integer in 1..8/);
    expect(() => engine.bitPlaneConvDots({ ...x, planes: x.data, bits: 2 }, good, spec)).toThrow(/expected 2×32/);
  });
});

/** A valid raw conv call (all lengths derived like addon.c does), to be perturbed. */
function validCall(rng: Rng): { args: unknown[]; mode: number } {
  const n = 1 + randomInt(rng, 2);
  const h = 1 + randomInt(rng, 6);
  const w = 1 + randomInt(rng, 6);
  const c = 1 + randomInt(rng, 70);
  const kernel = [1, 3, 5][randomInt(rng, 3)]!;
  const padding = randomInt(rng, 2) === 0 ? 0 : 2; // same / symmetric always fit
  const cout = 1 + randomInt(rng, 40);
  const mode = randomInt(rng, 4);
  const bits = randomInt(rng, 3) === 0 ? 2 : 0;
  const words = Math.ceil(c / 32);
  const stride = 1 + randomInt(rng, 2);
  const outH = padding === 0 ? Math.ceil(h / stride) : Math.floor((h - 1) / stride) + 1;
  const outW = padding === 0 ? Math.ceil(w / stride) : Math.floor((w - 1) / stride) + 1;
  const pixels = n * outH * outW;
  const blocks = Math.ceil(cout / 32);
  const input = new Uint32Array(n * h * w * words * Math.max(bits, 1));
  const weights = new Uint32Array(blocks * 32 * kernel * kernel * words);
  const out = mode === 0 ? new Int32Array(pixels * cout) : mode === 3 ? new Uint32Array(pixels * blocks) : new Float32Array(pixels * cout);
  return {
    mode,
    args: [
      0,
      mode,
      bits,
      n,
      h,
      w,
      c,
      kernel,
      stride,
      1,
      padding,
      cout,
      input,
      weights,
      new Int32Array(cout * kernel * kernel),
      new Float32Array(cout),
      new Float32Array(cout),
      out,
      1 + randomInt(rng, 2),
    ],
  };
}

const WEIRD_NUMBERS = [-1, 0, 0.5, 2 ** 31, 2 ** 53, -(2 ** 31), NaN, Infinity, 1e300, 65537, 3];
function perturb(rng: Rng, value: unknown): unknown {
  if (ArrayBuffer.isView(value)) {
    const v = value as Uint32Array;
    switch (randomInt(rng, 5)) {
      case 0:
        return v.subarray(0, Math.max(0, v.length - 1 - randomInt(rng, 3)));
      case 1: {
        const bigger = new (v.constructor as Uint32ArrayConstructor)(v.length + 1 + randomInt(rng, 40));
        bigger.set(v);
        return bigger;
      }
      case 2:
        return new Float64Array(v.length);
      case 3:
        return new Uint8Array(v.length * 4);
      default:
        return new Int32Array(v.length);
    }
  }
  if (typeof value === 'number') {
    return randomInt(rng, 2) === 0 ? WEIRD_NUMBERS[randomInt(rng, WEIRD_NUMBERS.length)] : value + randomInt(rng, 7) - 3;
  }
  return [undefined, null, 'x', {}, [], 1][randomInt(rng, 6)];
}

describe.skipIf(addon === undefined)('native addon: raw calls with perturbed arguments', () => {
  it('every perturbed conv call is rejected with a RangeError naming the argument, or runs within its buffers', () => {
    const rng = createRng(77);
    let rejected = 0;
    for (let i = 0; i < 3000; i++) {
      const { args } = validCall(rng);
      const edits = 1 + randomInt(rng, 2);
      for (let e = 0; e < edits; e++) {
        const at = randomInt(rng, args.length);
        args[at] = perturb(rng, args[at]);
      }
      if (randomInt(rng, 50) === 0) args.pop();
      try {
        (addon!.conv as (...a: unknown[]) => void)(...args);
      } catch (err) {
        expect(err, `call ${i}`).toBeInstanceOf(RangeError);
        expect((err as Error).message, `call ${i}`).toMatch(
          /^(conv|path|mode|bits|n|h|w|c|kernel|stride|dilation|padding|cout|input|weights|tapSums|scale|bias|out|threads|geometry|kernel²·c)\b.{6,}/,
        );
        rejected++;
      }
    }
    expect(rejected).toBeGreaterThan(2000);
  });

  it('the other entry points check their buffers too', () => {
    const a = addon!;
    expect(() => a.packSigns(0, new Float32Array(10), 3, 4, new Uint32Array(3))).toThrow(/x: expected 12 elements, got 10/);
    expect(() => a.packSigns(0, new Float32Array(12), 3, 4, new Uint32Array(2))).toThrow(/out: expected 3 elements, got 2/);
    // 3 pixels of 40 channels at 2 bits: 2 words a pixel, 2 planes
    expect(() => a.packBitPlanes(0, new Float32Array(119), 3, 40, 2, 2, 1.5, new Uint32Array(12))).toThrow(/x: expected 120 elements, got 119/);
    expect(() => a.packBitPlanes(0, new Float32Array(120), 3, 40, 2, 2, 1.5, new Uint32Array(6))).toThrow(/out: expected 12 elements, got 6/);
    expect(() => a.packBitPlanes(0, new Float32Array(120), 3, 40, 9, 2, 1.5, new Uint32Array(12))).toThrow(/bits: expected an integer in 1..8/);
    expect(() => a.packBitPlanes(0, new Float32Array(120), 3, 40, 2, NaN, 1.5, new Uint32Array(12))).toThrow(/beta: expected a finite number/);
    expect(() => a.packBitPlanes(0, new Float32Array(120), 3, 40, 2, 2, 100, new Uint32Array(12))).toThrow(/factor: expected \(2\^bits − 1\)\/beta/);
    expect(() => a.floatConv(new Float32Array(9), 1, 3, 3, 1, new Float32Array(8), 1, 3, 1, 1, 0, new Float32Array(9), 1)).toThrow(
      /filter: expected 9 elements/,
    );
    expect(() => a.floatConv(new Float32Array(9), 1, 3, 3, 1, new Float32Array(9), 1, 5, 1, 1, 1, new Float32Array(9), 1)).toThrow(/does not fit a 3×3 input/);
    expect(() => a.floatConv(new Float32Array(9), 1, 3, 3, 1, new Float32Array(9), 1, 3, 1, 1, 0, new Float32Array(9), 0)).toThrow(/threads/);
    expect(() => a.outputTransform(new Int32Array(10), new Float32Array(4), new Float32Array(4), new Float32Array(10), false)).toThrow(
      /not whole 4-channel pixels/,
    );
    expect(() => a.outputTransform(new Int32Array(8), new Float32Array(4), new Float32Array(3), new Float32Array(8), false)).toThrow(
      /bias: expected 4 elements/,
    );
    expect(() => a.mix([new Float32Array(4), new Float32Array(3)], new Float32Array(2), [new Float32Array(4)])).toThrow(
      /parts\[1\]: expected 4 elements, got 3/,
    );
    expect(() => a.mix([new Float32Array(4)], new Float32Array(2), [new Float32Array(4)])).toThrow(/weights: expected 1 elements/);
    const shared = new Float32Array(4);
    expect(() => a.mix([shared], new Float32Array(1), [shared])).toThrow(/must not be one of the parts/);
    expect(() => a.roofline(9, 1)).toThrow(/path: expected an integer in 0..3/);
  });
});

function fixChecksum(bytes: Uint8Array): Uint8Array {
  new DataView(bytes.buffer, bytes.byteOffset).setUint32(bytes.length - 4, crc32(bytes.subarray(0, bytes.length - 4)), true);
  return bytes;
}

describe.skipIf(addon === undefined)('.gnb fuzz through PackedModel on native', () => {
  let model: GnbModel;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    const base = buildPreset('groupnet-k3', { widthMultiplier: 0.25 });
    const arch = { ...base, input: { height: 8, width: 8, channels: 1 } };
    const net = buildModel(arch, { seed: 1 });
    const state: Record<string, ArrayTensor> = {};
    for (const p of net.params.list()) {
      const rng = createRng(deriveSeed(4, p.name));
      const size = p.variable.shape.reduce((a, b) => a * b, 1);
      state[p.name] = {
        shape: p.variable.shape,
        data: Float32Array.from({ length: size }, () => (p.name.endsWith('runningVar') ? 0.5 + rng() : 0.5 * randomNormal(rng))),
      };
    }
    net.dispose();
    model = packStateDict(arch, state);
  });

  it('hundreds of seeded mutations: rejected by name, or run on native with the js reference engine’s logits', () => {
    const good = encodeGnb(model);
    const payloadStart = 16 + Math.ceil(new DataView(good.buffer).getUint32(8, true) / 16) * 16;
    const native = createEngine('native');
    const js = createEngine('js');
    const images = Float32Array.from({ length: 2 * 64 }, (_, i) => Math.sin(i));
    const rng = createRng(2027);
    let ran = 0;
    let rejected = 0;
    for (let i = 0; i < 300; i++) {
      const bytes = good.slice();
      const kind = randomInt(rng, 3);
      if (kind === 0) {
        // payload bytes (weights, packed bits, BN, λ) under a valid checksum: the model still loads
        for (let e = 0, n = 1 + randomInt(rng, 8); e < n; e++) bytes[payloadStart + randomInt(rng, bytes.length - 4 - payloadStart)] = randomInt(rng, 256);
        fixChecksum(bytes);
      } else if (kind === 1) {
        // header bytes (shapes, offsets, arch) under a valid checksum
        for (let e = 0, n = 1 + randomInt(rng, 3); e < n; e++) bytes[4 + randomInt(rng, payloadStart - 4)] = 0x20 + randomInt(rng, 0x5e);
        fixChecksum(bytes);
      } else {
        bytes[randomInt(rng, bytes.length)] ^= 1 << randomInt(rng, 8);
      }
      let decoded: GnbModel;
      try {
        decoded = decodeGnb(bytes, 'fuzz.gnb');
      } catch (err) {
        expect(err, `mutation ${i}`).toBeInstanceOf(GroupnasError);
        rejected++;
        continue;
      }
      let onNative: PackedModel;
      try {
        onNative = new PackedModel(decoded, native, 'fuzz.gnb');
      } catch (err) {
        expect(err, `mutation ${i}: ${String(err)}`).toBeInstanceOf(GroupnasError);
        expect((err as Error).message).toMatch(/^fuzz\.gnb: \S.{8,}/);
        rejected++;
        continue;
      }
      const got = onNative.predict(images, 2);
      const want = new PackedModel(decoded, js, 'fuzz.gnb').predict(images, 2);
      want.forEach((v, j) => {
        if (Number.isFinite(v)) expect(Math.abs(got[j]! - v), `mutation ${i} logit ${j}`).toBeLessThanOrEqual(1e-3 * Math.max(1, Math.abs(v)));
        else expect(Number.isFinite(got[j]!), `mutation ${i} logit ${j}`).toBe(false);
      });
      ran++;
    }
    expect(ran).toBeGreaterThan(50);
    expect(rejected).toBeGreaterThan(50);
  });

  it('interleaved weights stay consistent for any channel count (the layout the kernels stream)', () => {
    for (const cout of [1, 31, 32, 33, 70]) {
      const w = packWeights(randomSigns(createRng(cout), 9 * 35 * cout), { kernel: 3, inChannels: 35, outChannels: cout });
      const il = interleaveWeights(w);
      const rowWords = 9 * 2;
      expect(il.length).toBe(Math.ceil(cout / 32) * rowWords * 32);
      for (let o = 0; o < cout; o++) {
        for (let k = 0; k < rowWords; k++) expect(il[(Math.floor(o / 32) * rowWords + k) * 32 + (o % 32)]).toBe(w.data[o * rowWords + k]);
      }
      expect(interleaveWeights(w)).toBe(il);
    }
  });
});
