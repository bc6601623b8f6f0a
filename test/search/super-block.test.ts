import * as tf from '../helpers/tfjs.js';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels } from '../../src/backend/register-wasm-kernels.js';
import { buildModel } from '../../src/nn/group-net.js';
import { ArchitectureWeights, oneHotProbabilities } from '../../src/search/architecture-weights.js';
import { structureWeights } from '../../src/search/structure-weights.js';
import { atrousConv, backendDifferentiatesDilation } from '../../src/search/super-block.js';
import { Supernet } from '../../src/search/supernet.js';
import { supernetLayout } from '../../src/search/supernet-layout.js';
import { dilation } from '../../src/space/index.js';
import { createRng, randomNormal } from '../../src/util/random.js';
import { tinySpace } from './helpers.js';

let previousBackend = '';
beforeAll(() => {
  previousBackend = tf.getBackend();
  registerWasmTrainingKernels();
});
afterAll(async () => {
  if (previousBackend) await tf.setBackend(previousBackend);
});

function random(shape: number[], seed: number): tf.Tensor {
  const rng = createRng(seed);
  return tf.tensor(
    Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => randomNormal(rng)),
    shape,
  );
}

function maxDifference(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

describe('dilated convs in the supernet', () => {
  it('run directly on wasm (groupnas’ kernels differentiate them), through space-to-batch on cpu', async () => {
    await tf.setBackend('cpu');
    expect(backendDifferentiatesDilation()).toBe(false);
    await tf.setBackend('wasm');
    expect(backendDifferentiatesDilation()).toBe(true);
  });

  it('on wasm the direct dilated conv equals space-to-batch in value and in both gradients', async () => {
    await tf.setBackend('wasm');
    for (const d of [2, 3]) {
      tf.tidy(() => {
        const x = random([2, 7, 6, 5], d);
        const w = random([3, 3, 5, 4], 10 + d);
        const dy = random([2, 7, 6, 4], 20 + d);
        const direct = (a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, d, 'NHWC', d);
        const phased = (a: tf.Tensor, b: tf.Tensor) => atrousConv(a as tf.Tensor4D, b as tf.Tensor4D, d);
        expect(maxDifference(direct(x, w), phased(x, w)), `d=${d} forward`).toBeLessThan(1e-4);
        const [gx1, gw1] = tf.grads(direct)([x, w], dy);
        const [gx2, gw2] = tf.grads(phased)([x, w], dy);
        expect(maxDifference(gx1!, gx2!), `d=${d} dx`).toBeLessThan(1e-4);
        expect(maxDifference(gw1!, gw2!), `d=${d} dw`).toBeLessThan(1e-3);
      });
    }
  });

  it('on wasm a one-hot dilation computes the derived model, and α gets a gradient through the direct convs', async () => {
    await tf.setBackend('wasm');
    const space = tinySpace([dilation({ choices: [1, 2, 3], sites: [0, 1] })]);
    const layout = supernetLayout(space);
    const net = new Supernet(layout, { seed: 2 });
    const alpha = new ArchitectureWeights(space);
    const x = random([2, 8, 8, 1], 1) as tf.Tensor4D;
    for (const indices of [
      [1, 2],
      [2, 0],
    ]) {
      const arch = space.decode(indices);
      const model = buildModel(arch);
      const state = net.derivedStateDict(arch);
      model.loadStateDict(state);
      tf.dispose(Object.values(state));
      const diff = tf.tidy(() => maxDifference(net.forward(x, false, structureWeights(layout, oneHotProbabilities(space, indices))), model.forward(x, false)));
      expect(diff, arch.blocks.map((b) => b.dilation).join(',')).toBeLessThan(1e-5);
      model.dispose();
    }
    const { grads } = tf.variableGrads(() => tf.sum(tf.square(net.forward(x, true, structureWeights(layout, alpha.softmax())))) as tf.Scalar, alpha.logits);
    expect(Object.values(grads).every((g) => g.dataSync().some((v) => Math.abs(v) > 1e-6))).toBe(true);
    tf.dispose([...Object.values(grads), x]);
    alpha.dispose();
    net.dispose();
  });
});
