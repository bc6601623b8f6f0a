// Whole training steps on the native kernels: the weights after a few SGD steps of a Group-Net
// (K = 3, 1-bit, soft connections) and of the FP twin are bit-identical run to run and for 1, 2 or
// 3 threads (resume and the determinism docs/RESULTS.md relies on), close to the wasm kernels'
// (different summation orders, same math), and a step leaks no tensor.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../helpers/tfjs.js';
import { selectBackend } from '../../../src/backend/select.js';
import { buildModel } from '../../../src/nn/group-net.js';
import { createTrainer } from '../../../src/nn/trainer.js';
import type { Arch } from '../../../src/space/arch.js';
import { tinyArch, tinyFpArch } from '../../nn/helpers/archs.js';
import { snapshot, toyBatch } from '../../nn/helpers/batches.js';
import { maxRelativeError } from '../kernels/compare-backends.js';
import { nativeTrainingUnavailable, sameBits } from './native-status.js';

const reason = nativeTrainingUnavailable();

/** Every weight and buffer after `steps` SGD steps on the current kernels. */
function weightsAfter(arch: Arch, steps: number): Record<string, Float32Array> {
  const model = buildModel(arch, { seed: 5 });
  const trainer = createTrainer(model, { optimizer: 'sgd-nesterov', learningRate: 0.05, weightDecay: 1e-4 });
  const batch = toyBatch(2, 9, 12);
  const before = tf.memory().numTensors;
  for (let i = 0; i < steps; i++) trainer.step(batch.x, batch.y);
  expect(tf.memory().numTensors).toBe(before);
  const weights = snapshot(model.stateDict());
  tf.dispose([batch.x, batch.y]);
  trainer.dispose();
  model.dispose();
  return weights;
}

describe.skipIf(reason !== undefined)('training steps on the native kernels', () => {
  beforeAll(async () => {
    await selectBackend('wasm', { kernels: 'native', threads: 1 });
  });
  afterAll(async () => {
    await selectBackend('wasm', { kernels: 'wasm' });
  });

  const archs: [string, Arch][] = [
    ['Group-Net K=3, 1-bit, soft connections', tinyArch({ bits: 1, bases: 3, widths: [17, 33], input: { height: 12, width: 12, channels: 1 } })],
    ['Group-Net K=2, 2-bit', tinyArch({ bits: 2, bases: 2, widths: [16, 20], input: { height: 12, width: 12, channels: 1 } })],
    ['FP twin', { ...tinyFpArch(), input: { height: 12, width: 12, channels: 1 } }],
  ];

  it.each(archs)('%s: bit-identical weights run to run and for 1, 2 and 3 threads; close to the wasm kernels', async (_what, arch) => {
    const reference = weightsAfter(arch, 3);
    for (const threads of [1, 2, 3]) {
      await selectBackend('wasm', { kernels: 'native', threads });
      const again = weightsAfter(arch, 3);
      for (const [name, values] of Object.entries(reference)) expect(sameBits(again[name]!, values), `${name} at ${threads} threads`).toBe(true);
    }
    await selectBackend('wasm', { kernels: 'wasm' });
    const wasm = weightsAfter(arch, 3);
    await selectBackend('wasm', { kernels: 'native', threads: 1 });
    for (const [name, values] of Object.entries(reference)) expect(maxRelativeError(values, wasm[name]!), name).toBeLessThan(1e-3);
  });
});
