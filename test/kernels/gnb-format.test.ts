import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { crc32 } from 'node:zlib';
import { decodeGnb, encodeGnb, GNB_VERSION, readGnb, writeGnb, type GnbModel } from '../../src/kernels/gnb-format.js';
import { unpackWeights, packWeights } from '../../src/kernels/weights.js';
import { buildPreset } from '../../src/space/presets.js';
import { FileFormatError } from '../../src/util/errors.js';
import { createRng, randomInt, type Rng } from '../../src/util/random.js';
import { randomSigns } from './random-tensors.js';

function sampleModel(): GnbModel {
  const rng = createRng(11);
  const kernel = randomSigns(rng, 3 * 3 * 33 * 5);
  return {
    arch: buildPreset('groupnet-k1'),
    tensors: new Map([
      ['stem.conv.weight', { dtype: 'float32' as const, shape: [3, 3, 1, 4], data: Float32Array.from({ length: 36 }, (_, i) => i / 7 - 2) }],
      [
        'groups.0.bases.0.blocks.0.unit1.conv.weight',
        {
          dtype: 'binary' as const,
          shape: [3, 3, 33, 5] as [number, number, number, number],
          weights: packWeights(kernel, { kernel: 3, inChannels: 33, outChannels: 5 }),
        },
      ],
      ['groups.0.bases.0.blocks.0.unit1.bn.gamma', { dtype: 'float32' as const, shape: [5], data: new Float32Array([1, 2, 3, 4, 5]) }],
    ]),
    metadata: { source: 'test' },
  };
}

/** Rewrite the CRC so that a mutation reaches the validation behind the checksum. */
function fixChecksum(bytes: Uint8Array): Uint8Array {
  if (bytes.length >= 4) new DataView(bytes.buffer, bytes.byteOffset).setUint32(bytes.length - 4, crc32(bytes.subarray(0, bytes.length - 4)), true);
  return bytes;
}

/** Replace the header JSON (and its length field), keeping the payload; checksum fixed. */
function withHeader(bytes: Uint8Array, edit: (h: Record<string, any>) => void): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  const oldLen = view.getUint32(8, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(16, 16 + oldLen)));
  edit(header);
  const text = new TextEncoder().encode(JSON.stringify(header));
  const payloadLen = view.getUint32(12, true);
  const oldPayloadStart = 16 + Math.ceil(oldLen / 16) * 16;
  const newPayloadStart = 16 + Math.ceil(text.length / 16) * 16;
  const out = new Uint8Array(newPayloadStart + payloadLen + 4);
  out.set(bytes.subarray(0, 16));
  new DataView(out.buffer).setUint32(8, text.length, true);
  out.set(text, 16);
  out.set(bytes.subarray(oldPayloadStart, oldPayloadStart + payloadLen), newPayloadStart);
  return fixChecksum(out);
}

const dir = mkdtempSync(join(tmpdir(), 'groupnas-gnb-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('.gnb format', () => {
  it('round-trips arch, packed binary weights, float tensors and metadata through a file', () => {
    const model = sampleModel();
    const path = join(dir, 'model.gnb');
    writeGnb(path, model);
    const back = readGnb(path);
    expect(back.arch).toEqual(model.arch);
    expect(back.metadata).toEqual({ source: 'test' });
    expect([...back.tensors.keys()]).toEqual([...model.tensors.keys()]);
    const bin = back.tensors.get('groups.0.bases.0.blocks.0.unit1.conv.weight')!;
    const orig = model.tensors.get('groups.0.bases.0.blocks.0.unit1.conv.weight')!;
    if (bin.dtype !== 'binary' || orig.dtype !== 'binary') throw new Error('expected binary tensors');
    expect(Array.from(bin.weights.data)).toEqual(Array.from(orig.weights.data));
    expect(Array.from(bin.weights.tapSums)).toEqual(Array.from(orig.weights.tapSums));
    expect(Array.from(unpackWeights(bin.weights))).toEqual(Array.from(unpackWeights(orig.weights)));
    const stem = back.tensors.get('stem.conv.weight')!;
    expect(stem.dtype === 'float32' && Array.from(stem.data)).toEqual(Array.from(Float32Array.from({ length: 36 }, (_, i) => i / 7 - 2)));
  });

  it('rejects wrong magic, other versions, truncation, trailing bytes and corruption with a clear message', () => {
    const good = encodeGnb(sampleModel());
    const expectError = (bytes: Uint8Array, pattern: RegExp) => {
      expect(() => decodeGnb(bytes, 'm.gnb')).toThrow(FileFormatError);
      expect(() => decodeGnb(bytes, 'm.gnb')).toThrow(pattern);
    };
    expectError(new TextEncoder().encode('{"format": "groupnas.arch"} and more text'), /^m\.gnb: magic: not a groupnas \.gnb model/);
    const v2 = good.slice();
    new DataView(v2.buffer).setUint32(4, GNB_VERSION + 1, true);
    expectError(v2, /version: unsupported \.gnb version 2: this groupnas reads version 1/);
    expectError(good.slice(0, good.length - 9), /truncated: the header announces \d+ bytes, the file has \d+/);
    expectError(good.slice(0, 10), /truncated/);
    const longer = new Uint8Array(good.length + 3);
    longer.set(good);
    expectError(longer, /3 unexpected bytes after the end/);
    const flipped = good.slice();
    flipped[good.length - 20]! ^= 0x10;
    expectError(flipped, /checksum: CRC-32 mismatch/);
    expectError(
      withHeader(good, (h) => {
        h.tensors[1].bytes = 4;
      }),
      /header\.tensors\[1\]\.bytes: expected 360 for binary \[3, 3, 33, 5\], got 4/,
    );
    expectError(
      withHeader(good, (h) => {
        h.tensors[2].name = h.tensors[0].name;
      }),
      /duplicate tensor name/,
    );
    expectError(
      withHeader(good, (h) => {
        h.tensors[2].offset = h.tensors[1].offset;
      }),
      /overlap/,
    );
    expectError(
      withHeader(good, (h) => {
        h.arch.version = 7;
      }),
      /header\.arch\.version: unsupported arch\.json version 7/,
    );
    expectError(
      withHeader(good, (h) => {
        h.tensors[1].shape = [3, 1, 33, 5];
      }),
      /binary tensor is an HWIO conv kernel/,
    );
    expect(() => readGnb(join(dir, 'missing.gnb'))).toThrow(/missing\.gnb: cannot read the file/);
  });

  it('rejects set padding bits in packed weights even under a valid checksum', () => {
    const good = encodeGnb(sampleModel());
    const view = new DataView(good.buffer);
    const header = JSON.parse(new TextDecoder().decode(good.subarray(16, 16 + view.getUint32(8, true))));
    const payloadStart = 16 + Math.ceil(view.getUint32(8, true) / 16) * 16;
    const at = payloadStart + header.tensors[1].offset + 4; // row 0, word 1 holds channel 32 only
    const bad = good.slice();
    new DataView(bad.buffer).setUint32(at, 0x80000000, true);
    expect(() => decodeGnb(fixChecksum(bad), 'm.gnb')).toThrow(/padding bits of packed row 0 are set/);
  });

  it('fuzz: hundreds of seeded mutations never crash, hang or pass a broken file; every rejection names what is wrong', () => {
    const original = sampleModel();
    const good = encodeGnb(original);
    const rng = createRng(2026);
    const mutations: ((r: Rng) => Uint8Array)[] = [
      (r) => {
        const b = good.slice();
        for (let i = 0, n = 1 + randomInt(r, 4); i < n; i++) b[randomInt(r, b.length)] = randomInt(r, 256);
        return b;
      },
      (r) => good.slice(0, randomInt(r, good.length)),
      (r) => {
        const b = new Uint8Array(good.length + 1 + randomInt(r, 40));
        b.set(good);
        return b;
      },
      (r) => {
        const b = good.slice();
        for (let i = 0, n = 1 + randomInt(r, 6); i < n; i++) b[randomInt(r, b.length - 4)] = randomInt(r, 256);
        return fixChecksum(b);
      },
      (r) => {
        const b = good.slice();
        b[4 + randomInt(r, 12)] = randomInt(r, 256);
        return fixChecksum(b);
      },
      (r) =>
        withHeader(good, (h) => {
          const t = h.tensors[randomInt(r, h.tensors.length)];
          const field = ['name', 'dtype', 'shape', 'offset', 'bytes'][randomInt(r, 5)]!;
          const values = [null, -1, 0, 1.5, 2 ** 40, 'x', '', [], [0], [1e12, 1e12], {}, true, 16, 4096];
          t[field] = values[randomInt(r, values.length)];
        }),
      (r) =>
        withHeader(good, (h) => {
          const keys = ['arch', 'tensors', 'metadata'];
          const values = [null, 3, 'text', [], {}, [1, 2]];
          h[keys[randomInt(r, keys.length)]!] = values[randomInt(r, values.length)];
        }),
    ];
    let rejected = 0;
    let accepted = 0;
    for (let i = 0; i < 600; i++) {
      const kind = randomInt(rng, mutations.length);
      const bytes = mutations[kind]!(rng);
      const t0 = performance.now();
      let model: GnbModel | undefined;
      let error: unknown;
      try {
        model = decodeGnb(bytes, 'fuzz.gnb');
      } catch (err) {
        error = err;
      }
      expect(performance.now() - t0).toBeLessThan(1000);
      if (model) {
        // What can pass: payload values under a re-fixed checksum, or a header that renames or
        // drops tensors / metadata; never a tensor whose dtype, shape or size is inconsistent.
        const kinds = [...original.tensors.values()].map((t) => [t.dtype, t.shape]);
        for (const t of model.tensors.values()) expect(kinds, `mutation ${i} (kind ${kind})`).toContainEqual([t.dtype, t.shape]);
        accepted++;
      } else {
        expect(error, `mutation ${i} (kind ${kind}): ${String(error)}`).toBeInstanceOf(FileFormatError);
        expect((error as Error).message).toMatch(/^fuzz\.gnb: \S.{8,}/);
        rejected++;
      }
    }
    expect(rejected).toBeGreaterThan(400);
    expect(rejected + accepted).toBe(600);
  });

  it('a file that is not a model at all is rejected by name', () => {
    const path = join(dir, 'notes.gnb');
    writeFileSync(path, 'hello');
    expect(() => readGnb(path)).toThrow(new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: truncated`));
  });
});
