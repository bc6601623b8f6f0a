import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../helpers/tfjs.js';
import { createRng } from '../../../src/util/random.js';
import { registerWasmTrainingKernels } from '../../../src/backend/register-wasm-kernels.js';
import { axisPhases } from '../../../src/backend/kernels/conv2d-backprop-input.js';
import { conv2dGradientOn, insertFilterZeros, maxRelativeError, randomHostTensor, runKernelOn, wasmDataIds } from './compare-backends.js';
import { convCases, describeCase, filterShape, inputShape, outputShape } from './conv-cases.js';

const TOLERANCE = 1e-4;

beforeAll(async () => {
  await tf.setBackend('wasm');
  registerWasmTrainingKernels();
});

describe('Conv2DBackpropInput on wasm (ours) vs cpu (stock)', () => {
  const cases = convCases(20251126);
  it.each(cases.map((c, i) => [describeCase(c), c, i] as const))('%s', async (_name, c, i) => {
    const rng = createRng(2000 + i);
    const filter = randomHostTensor(rng, filterShape(c));
    const dy = randomHostTensor(rng, outputShape(c));
    const attrs = { strides: c.stride, dilations: c.dilation, pad: c.pad, dataFormat: c.dataFormat, inputShape: inputShape(c) };

    const before = wasmDataIds();
    const ours = await runKernelOn('wasm', 'Conv2DBackpropInput', { dy, filter }, attrs);
    expect(wasmDataIds()).toBe(before);

    // Stock kernels know no dilation: the reference uses the zero-inserted filter.
    const dilated = insertFilterZeros(filter, c.dilation[0], c.dilation[1]);
    const expected = await runKernelOn('cpu', 'Conv2DBackpropInput', { dy, filter: dilated }, { ...attrs, dilations: 1 });
    expect(ours.length).toBe(expected.length);
    expect(maxRelativeError(ours, expected)).toBeLessThan(TOLERANCE);
  });

  it('is the input gradient tf.grads computes for a wasm conv2d, as on cpu', async () => {
    const rng = createRng(8);
    const x = randomHostTensor(rng, [2, 8, 9, 3]);
    const w = randomHostTensor(rng, [5, 5, 3, 4]);
    const dy = randomHostTensor(rng, [2, 4, 5, 4]);
    const gradOn = (backend: 'cpu' | 'wasm') => conv2dGradientOn(backend, 'x', x, w, dy);
    expect(maxRelativeError(await gradOn('wasm'), await gradOn('cpu'))).toBeLessThan(TOLERANCE);
  });
});

describe('axisPhases', () => {
  it('splits a stride-2 3-tap axis into phases whose taps cover the filter exactly once', () => {
    const phases = axisPhases(28, 14, 3, 2, 1, 0);
    expect(phases.map((p) => [p.residue, p.firstTap, p.tapCount])).toEqual([
      [0, 0, 2],
      [1, 1, 1],
    ]);
    expect(phases.map((p) => p.outSize)).toEqual([14, 14]);
  });

  it('leaves a phase without taps when a 1×1 stride-2 filter skips it', () => {
    const phases = axisPhases(9, 5, 1, 2, 1, 0);
    expect(phases.map((p) => p.tapCount)).toEqual([1, 0]);
  });

  it('is one dilated phase for stride 1', () => {
    expect(axisPhases(10, 10, 3, 1, 4, 4)).toEqual([{ residue: 0, firstTap: 0, tapCount: 3, tapStep: 1, outSize: 10, before: 4, after: 4 }]);
  });
});
