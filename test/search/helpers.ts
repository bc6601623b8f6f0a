import { join } from 'node:path';
import { expect } from 'vitest';
import * as tf from '../helpers/tfjs.js';
import { buildModel } from '../../src/nn/group-net.js';
import { oneHotProbabilities } from '../../src/search/architecture-weights.js';
import { structureWeights } from '../../src/search/structure-weights.js';
import { Supernet } from '../../src/search/supernet.js';
import { supernetLayout } from '../../src/search/supernet-layout.js';
import { createRng } from '../../src/util/random.js';
import type { SearchConfig } from '../../src/space/config.js';
import { loadConfig } from '../../src/space/config-file.js';
import type { ProgressReporter } from '../../src/util/progress.js';
import { PACKAGE_ROOT } from '../../src/util/version.js';
import { activationBits, bases, groupBoundary, SearchSpace, type AnyDecision } from '../../src/space/index.js';
import { tinyArch } from '../nn/helpers/archs.js';

/** A three-block (two-stage) binary template on 8×8 inputs: a forward pass takes milliseconds. */
export function tinyTemplate(kind: 'basic' | 'plain' | 'bottleneck' = 'basic') {
  return tinyArch({ kind, blocksPerStage: [2, 1], bases: 2, bits: 1, connection: 'soft', classes: 3 });
}

export function tinySpace(
  decisions: AnyDecision[] = [bases({ choices: [1, 2, 3] }), groupBoundary(), activationBits({ choices: [1, 2, 4] })],
  kind: 'basic' | 'plain' | 'bottleneck' = 'basic',
): SearchSpace {
  return new SearchSpace({ name: 'tiny-test', template: tinyTemplate(kind), decisions });
}

/**
 * configs/tiny.json, smaller still, for tests that run a search and evaluate it: 128 images,
 * 2 supernet epochs, 2 candidates × 1 epoch on one worker, no teacher (`extra` overrides win).
 */
export function evaluatedSearchConfig(extra: string[] = []): SearchConfig {
  return loadConfig(join(PACKAGE_ROOT, 'configs', 'tiny.json'), [
    'data.trainLimit=128',
    'data.testLimit=64',
    'search.batchSize=32',
    'teacher.mode=none',
    'evaluation.candidates=2',
    'evaluation.epochs=1',
    'evaluation.workers=1',
    'evaluation.latencyRepeats=3',
    ...extra,
  ]);
}

/** A reporter that aborts once the bar `label` reports `after` done: a Ctrl-C at a chosen point (the search's steps, the evaluation's candidates). */
export function abortWhenBarReaches(label: string, after: number, controller: AbortController): ProgressReporter {
  return {
    start(started) {
      return {
        update(done) {
          if (started === label && done >= after) controller.abort();
        },
        stop() {},
      };
    },
  };
}

export function randomInput(seed: number, shape: [number, number, number, number]): tf.Tensor4D {
  const rng = createRng(seed);
  return tf.tensor4d(
    Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => 2 * rng() - 1),
    shape,
  );
}

/** Move every weight a little so λ, M and BN are not at their symmetric starting values. */
export function perturb(net: Supernet, seed: number): void {
  const rng = createRng(seed);
  for (const p of net.params.list()) {
    p.variable.assign(
      tf.tidy(() =>
        tf.add(
          p.variable,
          tf.tensor(
            Float32Array.from({ length: p.variable.size }, () => 0.2 * (rng() - 0.5)),
            p.variable.shape,
          ),
        ),
      ),
    );
  }
}

export type Pass = readonly [training: boolean, alphaGradient: boolean];

/**
 * Under one-hot α at `indices` the supernet computes what the derived architecture does with the
 * supernet's weights, in each pass; returns the derived architecture.
 */
export function expectDerivedOutputs(
  net: Supernet,
  space: SearchSpace,
  indices: number[],
  x: tf.Tensor4D,
  passes: readonly Pass[],
  tolerance: number,
  outputShape?: number[],
) {
  const arch = space.decode(indices);
  const model = buildModel(arch);
  const state = net.derivedStateDict(arch);
  model.loadStateDict(state);
  tf.dispose(Object.values(state));
  for (const [training, alphaGradient] of passes) {
    const [mine, theirs] = tf.tidy(() => {
      const w = structureWeights(net.layout, oneHotProbabilities(space, indices));
      return [net.forward(x, training, w, { alphaGradient }), model.forward(x, training)];
    });
    if (outputShape !== undefined) expect(mine!.shape).toEqual(outputShape);
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(mine!, theirs!))).dataSync()[0]!);
    expect(
      diff,
      `${arch.name} ${arch.blocks.map((b) => `${b.kind}${b.kernel}`).join(' ')} ${JSON.stringify(arch.dilations ?? [])} training=${training} alphaGradient=${alphaGradient}`,
    ).toBeLessThan(tolerance);
    expect(Array.from(theirs!.dataSync()).some((v) => v !== 0)).toBe(true);
    tf.dispose([mine!, theirs!]);
  }
  model.dispose();
  return arch;
}

/**
 * For `trials` sampled architectures: the supernet at one-hot α and `buildModel(arch)` loaded with
 * `derivedStateDict(arch)` give the same logits (≤ 1e-5), in inference and training mode, in α and
 * weight passes.
 */
export function expectOneHotIsDerived(space: SearchSpace, trials: number, seed: string): void {
  const net = new Supernet(supernetLayout(space), { seed: 3 });
  perturb(net, 4);
  const x = randomInput(5, [4, 8, 8, 1]);
  const rng = createRng(seed);
  const passes: Pass[] = [
    [false, true],
    [true, true],
    [true, false],
  ];
  for (let trial = 0; trial < trials; trial++) expectDerivedOutputs(net, space, space.sampleIndices(rng), x, passes, 1e-5);
  x.dispose();
  net.dispose();
}
