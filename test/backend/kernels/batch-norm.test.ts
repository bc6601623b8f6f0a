import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../helpers/tfjs.js';
import { createRng } from '../../../src/util/random.js';
import { registerWasmTrainingKernels } from '../../../src/backend/register-wasm-kernels.js';
import { maxRelativeError, randomHostTensor, runKernelOn, wasmDataIds, type HostTensor } from './compare-backends.js';

beforeAll(async () => {
  await tf.setBackend('wasm');
  registerWasmTrainingKernels();
});

const rng = createRng(2024);

/** Positive variances. */
function varianceTensor(shape: number[]): HostTensor {
  const t = randomHostTensor(rng, shape);
  return { shape, values: t.values.map((v) => 0.1 + v * v) };
}

describe('FusedBatchNorm on wasm (ours) vs cpu (stock)', () => {
  const cases: { name: string; x: number[]; stats: number[]; withOffset: boolean; withScale: boolean }[] = [
    { name: 'NHWC with [C] statistics (tf.batchNorm after tf.moments)', x: [3, 5, 4, 7], stats: [7], withOffset: true, withScale: true },
    { name: 'keepDims statistics [1,1,1,C]', x: [2, 3, 3, 5], stats: [1, 1, 1, 5], withOffset: true, withScale: true },
    { name: 'no offset, no scale', x: [4, 6], stats: [6], withOffset: false, withScale: false },
    { name: 'scalar statistics', x: [2, 3, 4], stats: [1], withOffset: true, withScale: false },
    { name: 'per-position statistics (stock path)', x: [2, 3, 4, 5], stats: [3, 4, 5], withOffset: true, withScale: true },
  ];
  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const inputs: Record<string, HostTensor> = {
      x: randomHostTensor(rng, c.x),
      mean: randomHostTensor(rng, c.stats),
      variance: varianceTensor(c.stats),
    };
    if (c.withOffset) inputs['offset'] = randomHostTensor(rng, c.stats);
    if (c.withScale) inputs['scale'] = randomHostTensor(rng, c.stats);
    const attrs = { varianceEpsilon: 1e-3 };
    const before = wasmDataIds();
    const ours = await runKernelOn('wasm', 'FusedBatchNorm', inputs, attrs);
    expect(wasmDataIds()).toBe(before);
    expect(maxRelativeError(ours, await runKernelOn('cpu', 'FusedBatchNorm', inputs, attrs))).toBeLessThan(1e-5);
  });
});
