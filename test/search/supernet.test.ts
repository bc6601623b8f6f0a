import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildModel } from '../../src/nn/group-net.js';
import { oneHotProbabilities, ArchitectureWeights } from '../../src/search/architecture-weights.js';
import { structureWeights } from '../../src/search/structure-weights.js';
import { Supernet } from '../../src/search/supernet.js';
import { supernetLayout } from '../../src/search/supernet-layout.js';
import { bases, dilation, groupBoundary, stageWidth } from '../../src/space/index.js';
import { createRng } from '../../src/util/random.js';
import { UsageError } from '../../src/util/errors.js';
import { tinySpace } from './helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function randomInput(seed: number, shape: [number, number, number, number]): tf.Tensor4D {
  const rng = createRng(seed);
  return tf.tensor4d(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => 2 * rng() - 1), shape);
}

/** Move every weight a little so λ, M and BN are not at their symmetric starting values. */
function perturb(net: Supernet, seed: number): void {
  const rng = createRng(seed);
  for (const p of net.params.list()) {
    p.variable.assign(tf.tidy(() => tf.add(p.variable, tf.tensor(Float32Array.from({ length: p.variable.size }, () => 0.2 * (rng() - 0.5)), p.variable.shape))));
  }
}

describe('Supernet with one-hot α', () => {
  for (const kind of ['basic', 'plain', 'bottleneck'] as const) {
    it(`computes exactly the derived architecture (${kind} blocks, bases × boundaries × bits)`, () => {
      const space = tinySpace(undefined, kind);
      const layout = supernetLayout(space);
      const net = new Supernet(layout, { seed: 3 });
      perturb(net, 4);
      const x = randomInput(5, [4, 8, 8, 1]);
      const rng = createRng(kind);
      for (let trial = 0; trial < 6; trial++) {
        const indices = space.sampleIndices(rng);
        const arch = space.decode(indices);
        const model = buildModel(arch);
        model.loadStateDict(net.derivedStateDict(arch));
        for (const training of [false, true]) {
          const [mine, theirs] = tf.tidy(() => {
            const w = structureWeights(layout, oneHotProbabilities(space, indices));
            return [net.forward(x, training, w), model.forward(x, training)];
          });
          const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(mine!, theirs!))).dataSync()[0]!);
          expect(diff, `${arch.name} training=${training}`).toBeLessThan(1e-5);
          expect(Array.from(theirs!.dataSync()).some((v) => v !== 0)).toBe(true);
          tf.dispose([mine!, theirs!]);
        }
        model.dispose();
      }
      x.dispose();
      net.dispose();
    });
  }

  it('stage features for attention transfer equal the derived model’s (mean over its bases)', () => {
    const space = tinySpace();
    const layout = supernetLayout(space);
    const net = new Supernet(layout, { seed: 3 });
    perturb(net, 6);
    const x = randomInput(8, [2, 8, 8, 1]);
    const rng = createRng('features');
    for (let trial = 0; trial < 3; trial++) {
      const indices = space.sampleIndices(rng);
      const arch = space.decode(indices);
      const model = buildModel(arch);
      model.loadStateDict(net.derivedStateDict(arch));
      const diffs = tf.tidy(() => {
        const mine = net.forwardWithFeatures(x, true, structureWeights(layout, oneHotProbabilities(space, indices)), [1, 2]);
        const theirs = model.forwardWithFeatures(x, true, [1, 2]);
        return [mine.logits, ...mine.features].map((t, i) => tf.max(tf.abs(tf.sub(t, i === 0 ? theirs.logits : theirs.features[i - 1]!))).dataSync()[0]!);
      });
      for (const d of diffs) expect(d).toBeLessThan(1e-5);
      model.dispose();
    }
    x.dispose();
    net.dispose();
  });

  it('with uniform α every choice contributes (the output differs from each one-hot architecture)', () => {
    const space = tinySpace([bases({ choices: [1, 2] }), groupBoundary()]);
    const layout = supernetLayout(space);
    const net = new Supernet(layout, { seed: 1 });
    const alpha = new ArchitectureWeights(space);
    const x = randomInput(2, [2, 8, 8, 1]);
    const before = tf.memory().numTensors;
    const uniform = tf.tidy(() => net.forward(x, true, structureWeights(layout, alpha.softmax())));
    const argmax = tf.tidy(() => net.forward(x, true, structureWeights(layout, oneHotProbabilities(space, space.variables.map(() => 0)))));
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(uniform, argmax))).dataSync()[0]!)).toBeGreaterThan(1e-4);
    tf.dispose([uniform, argmax]);
    expect(tf.memory().numTensors).toBe(before);
    alpha.dispose();
    net.dispose();
    x.dispose();
  });

  it('refuses decisions it cannot relax, naming them', () => {
    expect(() => supernetLayout(tinySpace([dilation({ choices: [1, 2], sites: [0] })]))).toThrow(UsageError);
    expect(() => supernetLayout(tinySpace([stageWidth()]))).toThrow(/stageWidth/);
  });
});
