// Exactness of the binary engines: packed conv == float conv on ±1 data, over randomized
// seeded shapes and every kernel size, stride, dilation and padding mode.
import { beforeAll, describe, expect, it } from 'vitest';
import type { BinaryEngine } from '../../src/kernels/engine.js';
import { createEngine } from '../../src/kernels/engines.js';
import { packSigns } from '../../src/kernels/packing.js';
import { packWeights } from '../../src/kernels/weights.js';
import { UsageError } from '../../src/util/errors.js';
import { createRng } from '../../src/util/random.js';
import { ensureWasmBuilt } from './ensure-wasm.js';
import { allGeometryCases, expectConvDotsExact, expectGemmExact } from './exactness-checks.js';

const engines: Record<string, BinaryEngine> = {};

beforeAll(() => {
  ensureWasmBuilt();
  engines.js = createEngine('js');
  engines.wasm = createEngine('wasm');
});

describe.each(['js', 'wasm'])('%s engine', (name) => {
  it('packed conv equals the float conv on ±1 data, exactly', () => {
    expectConvDotsExact(engines[name]!, allGeometryCases(7), createRng(20240601));
  });

  it('binary GEMM equals the float dot products', () => {
    expectGemmExact(engines[name]!, [1, 31, 32, 33, 129, 300], 9, 9);
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
