import * as tf from '../helpers/tfjs.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/backend/select.js';
import { ArchitectureWeights } from '../../src/search/architecture-weights.js';
import { BilevelTrainer } from '../../src/search/bilevel.js';
import { bopsCostModel } from '../../src/search/cost-model.js';
import { NO_COST_TERM } from '../../src/search/cost-objective.js';
import { readSupernetCheckpoint, writeSupernetCheckpoint, type SupernetState } from '../../src/search/search-checkpoint.js';
import { Supernet } from '../../src/search/supernet.js';
import { supernetLayout } from '../../src/search/supernet-layout.js';
import { activationBits, bases } from '../../src/space/index.js';
import { tinySpace } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'groupnas-search-checkpoint-'));
beforeAll(async () => {
  await selectBackend('wasm');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const space = tinySpace([bases({ choices: [1, 2] }), activationBits({ choices: [1, 2] })]);

function freshState(seed: number): SupernetState {
  const layout = supernetLayout(space);
  const supernet = new Supernet(layout, { seed });
  const alpha = new ArchitectureWeights(space);
  const trainer = new BilevelTrainer(supernet, alpha, bopsCostModel(layout), NO_COST_TERM, {
    weightOptimizer: { type: 'adam', lr: 3e-3, momentum: 0.9, weightDecay: 0 },
    weightSchedule: { kind: 'constant' },
    archOptimizer: { lr: 0.03, beta1: 0.5, beta2: 0.999, weightDecay: 1e-3 },
    order: 'first',
  });
  return { dir, supernet, alpha, trainer };
}

function batch(seed: number): { x: tf.Tensor4D; y: tf.Tensor1D } {
  const x = tf.randomNormal([8, 8, 8, 1], 0, 1, 'float32', seed) as tf.Tensor4D;
  return { x, y: tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], 'int32') };
}

function step(s: SupernetState, seed: number): void {
  const [train, val] = [batch(seed), batch(seed + 1)];
  s.trainer.architectureStep(val, train);
  s.trainer.weightStep(train.x, train.y);
  tf.dispose([train.x, train.y, val.x, val.y]);
}

const snapshot = (s: SupernetState) => ({
  alpha: s.alpha.probabilities(),
  weights: Object.fromEntries(Object.entries(s.supernet.stateDict()).map(([name, t]) => [name, Array.from(t.dataSync())])),
});

describe('the supernet checkpoint', () => {
  it('restores weights, α, both optimizers and the epoch: the next steps match a run never interrupted', () => {
    const first = freshState(1);
    step(first, 10);
    step(first, 20);
    writeSupernetCheckpoint(first, 3);
    step(first, 30);
    const uninterrupted = snapshot(first);

    // Another seed: every weight differs until the checkpoint is read.
    const resumed = freshState(2);
    expect(readSupernetCheckpoint(resumed)).toEqual({ epoch: 3 });
    step(resumed, 30);
    expect(snapshot(resumed)).toEqual(uninterrupted);
    for (const s of [first, resumed]) {
      s.trainer.dispose();
      s.alpha.dispose();
      s.supernet.dispose();
    }
  });
});
