import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../helpers/tfjs.js';
import { createRng } from '../../../src/util/random.js';
import { registerWasmTrainingKernels } from '../../../src/backend/register-wasm-kernels.js';
import { conv2dGradientOn, maxRelativeError, randomHostTensor, runKernelOn, takeDilatedTaps, wasmDataIds } from './compare-backends.js';
import { convCases, describeCase, filterShape, inputShape, outputShape, zeroInsertedEquivalent } from './conv-cases.js';

const TOLERANCE = 1e-4;

beforeAll(async () => {
  await tf.setBackend('wasm');
  registerWasmTrainingKernels();
});

describe('Conv2DBackpropFilter on wasm (ours) vs cpu (stock)', () => {
  const cases = convCases(20251125);
  it.each(cases.map((c, i) => [describeCase(c), c, i] as const))('%s', async (_name, c, i) => {
    const rng = createRng(1000 + i);
    const x = randomHostTensor(rng, inputShape(c));
    const dy = randomHostTensor(rng, outputShape(c));
    const attrs = { strides: c.stride, dilations: c.dilation, pad: c.pad, dataFormat: c.dataFormat, filterShape: filterShape(c) };

    const before = wasmDataIds();
    const ours = await runKernelOn('wasm', 'Conv2DBackpropFilter', { x, dy }, attrs);
    expect(wasmDataIds()).toBe(before); // intermediates freed, output disposed by runKernelOn

    // Stock kernels know no dilation: the reference runs the zero-inserted filter and keeps the real taps.
    const ref = zeroInsertedEquivalent(c);
    const refShape = filterShape(ref);
    const refValues = await runKernelOn('cpu', 'Conv2DBackpropFilter', { x, dy }, { ...attrs, dilations: 1, filterShape: refShape });
    const expected = takeDilatedTaps(refValues, filterShape(c), c.dilation[0], c.dilation[1]);
    expect(ours.length).toBe(expected.length);
    expect(maxRelativeError(ours, expected)).toBeLessThan(TOLERANCE);
  });

  it('is the filter gradient tf.grads computes for a wasm conv2d, as on cpu', async () => {
    const rng = createRng(7);
    const x = randomHostTensor(rng, [2, 9, 7, 3]);
    const w = randomHostTensor(rng, [3, 3, 3, 5]);
    const dy = randomHostTensor(rng, [2, 5, 4, 5]);
    const gradOn = (backend: 'cpu' | 'wasm') => conv2dGradientOn(backend, 'filter', x, w, dy);
    expect(maxRelativeError(await gradOn('wasm'), await gradOn('cpu'))).toBeLessThan(TOLERANCE);
  });
});
