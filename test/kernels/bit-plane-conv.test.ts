// k-bit activations × ±1 weights by bit planes, against the float conv (DESIGN §5, supplement S4.1).
import { beforeAll, describe, expect, it } from 'vitest';
import type { ConvSpec } from '../../src/kernels/conv-spec.js';
import type { BinaryEngine } from '../../src/kernels/engine.js';
import { createEngine } from '../../src/kernels/engines.js';
import { floatConv2d } from '../../src/kernels/float-conv.js';
import { foldOutputTransform } from '../../src/kernels/output-transform.js';
import { packBitPlanes } from '../../src/kernels/packing.js';
import { packWeights } from '../../src/kernels/weights.js';
import { createRng } from '../../src/util/random.js';
import { ensureWasmBuilt } from './ensure-wasm.js';
import { expectBitPlaneDotsExact } from './exactness-checks.js';
import { randomLevels, randomSigns } from './random-tensors.js';

const engines: Record<string, BinaryEngine> = {};

beforeAll(() => {
  ensureWasmBuilt();
  engines.js = createEngine('js');
  engines.wasm = createEngine('wasm');
});

describe.each(['js', 'wasm'])('%s engine, bit planes', (name) => {
  it.each([2, 4])('k = %i: integer sums equal the float conv of the levels, exactly', (bits) => {
    expectBitPlaneDotsExact(engines[name]!, bits, 9);
  });

  it.each([2, 4])('k = %i: quantized float activations {0..2^k−1}·β/(2^k−1) give the float conv after the transform', (bits) => {
    const engine = engines[name]!;
    const rng = createRng(200 + bits);
    const beta = 2;
    const step = beta / (2 ** bits - 1);
    const shape = { n: 1, h: 5, w: 4, c: 33 };
    const cout = 6;
    const spec: ConvSpec = { kernel: 3, stride: 1, dilation: 1, padding: 'same' };
    const x = Float32Array.from(randomLevels(rng, 5 * 4 * 33, bits), (q) => q * step);
    const wts = randomSigns(rng, 9 * 33 * cout);
    const expected = floatConv2d(x, shape, wts, cout, spec).data;
    const transform = foldOutputTransform({ channels: cout, inputScale: step });
    const got = engine.bitPlaneConv(
      packBitPlanes(x, shape, bits, beta),
      packWeights(wts, { kernel: 3, inChannels: 33, outChannels: cout }),
      spec,
      transform,
    ).data;
    for (let i = 0; i < expected.length; i++) expect(got[i]).toBeCloseTo(expected[i]!, 4);
  });
});
