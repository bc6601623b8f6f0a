import * as tf from '../helpers/tfjs.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/backend/select.js';
import { ArchitectureWeights } from '../../src/search/architecture-weights.js';
import { BilevelTrainer } from '../../src/search/bilevel.js';
import { archCost, bopsCostModel, costBounds } from '../../src/search/cost-model.js';
import { NO_COST_TERM, type CostObjective } from '../../src/search/cost-objective.js';
import { argmaxIndices, fitToTarget } from '../../src/search/derive.js';
import { Supernet } from '../../src/search/supernet.js';
import { buildModel } from '../../src/nn/group-net.js';
import { supernetLayout } from '../../src/search/supernet-layout.js';
import { activationBits, bases } from '../../src/space/index.js';
import type { Arch } from '../../src/space/arch.js';
import { createRng } from '../../src/util/random.js';
import { tinySpace } from './helpers.js';

beforeAll(async () => {
  await selectBackend('wasm');
});

/**
 * Synthetic 3-class task on 8×8 images: the class is which third of the image holds a bright bar,
 * under heavy noise. One binary base at 1 bit is a poor fit; more bases and bits fit it better.
 */
function syntheticBatch(seed: number, n: number): { x: tf.Tensor4D; y: tf.Tensor1D } {
  const rng = createRng(seed);
  const labels = Int32Array.from({ length: n }, () => Math.floor(rng() * 3));
  const pixels = new Float32Array(n * 64);
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < 64; p++) {
      const col = p % 8;
      const bar = Math.floor(col / 3) === labels[i]! ? 0.8 : 0;
      pixels[i * 64 + p] = bar + (rng() - 0.5) * 1.6;
    }
  }
  return { x: tf.tensor4d(pixels, [n, 8, 8, 1]), y: tf.tensor1d(labels, 'int32') };
}

interface Outcome {
  arch: Arch;
  cost: number;
  minCost: number;
  maxCost: number;
  probabilities: number[][];
}

function search(objective: CostObjective, steps: number): Outcome {
  const space = tinySpace([bases({ choices: [1, 2, 3] }), activationBits({ choices: [1, 2, 4] })]);
  const layout = supernetLayout(space);
  const costModel = bopsCostModel(layout);
  const supernet = new Supernet(layout, { seed: 1 });
  const alpha = new ArchitectureWeights(space);
  const trainer = new BilevelTrainer(supernet, alpha, costModel, objective, {
    weightOptimizer: { type: 'adam', lr: 3e-3, momentum: 0.9, weightDecay: 0 },
    weightSchedule: { kind: 'constant' },
    archOptimizer: { lr: 0.03, beta1: 0.5, beta2: 0.999, weightDecay: 1e-3 },
    order: 'first',
  });
  for (let step = 0; step < steps; step++) {
    const train = syntheticBatch(2 * step, 32);
    const val = syntheticBatch(2 * step + 1, 32);
    if (step >= steps / 4) trainer.architectureStep(val, train);
    trainer.weightStep(train.x, train.y);
    tf.dispose([train.x, train.y, val.x, val.y]);
  }
  const probabilities = alpha.probabilities();
  const arch = space.decode(argmaxIndices(probabilities));
  const bounds = costBounds(costModel);
  const out = { arch, cost: archCost(costModel, arch), minCost: bounds.min, maxCost: bounds.max, probabilities };
  trainer.dispose();
  alpha.dispose();
  supernet.dispose();
  return out;
}

describe('bilevel search on a synthetic task (more bases and bits fit it better)', () => {
  const space = tinySpace([bases({ choices: [1, 2, 3] }), activationBits({ choices: [1, 2, 4] })]);
  const model = bopsCostModel(supernetLayout(space));
  const size = (a: Arch) => a.bases.reduce((s, k, g) => s + k * a.bits[g]!, 0);
  let off: Outcome;

  it('without a cost term, α does not collapse to K = 1 everywhere', () => {
    off = search(NO_COST_TERM, 40);
    expect(off.arch.bases.some((k) => k > 1)).toBe(true);
    expect(off.cost).toBeGreaterThan(off.minCost);
  });

  it('with a tight target it chooses fewer bases / bits', () => {
    const tight = search({ kind: 'multiplicative', target: off.minCost, scale: 1, exponent: 0.6, weight: 0 }, 40);
    expect(tight.cost).toBeLessThan(off.cost);
    expect(size(tight.arch)).toBeLessThan(size(off.arch));
    expect(Math.max(...tight.arch.bases)).toBe(1);
  });

  it('with a target inside the range, it settles there instead of collapsing, and the derived cost is within 10% of it', () => {
    const target = off.minCost + 0.3 * (off.maxCost - off.minCost);
    const mid = search({ kind: 'additive', target, scale: 1, exponent: 0, weight: 1 }, 40);
    expect(mid.cost).toBeGreaterThan(mid.minCost); // the argmax itself did not collapse
    const fitted = space.decode(fitToTarget(space, mid.probabilities, (a) => archCost(model, a), target));
    expect(Math.abs(archCost(model, fitted) / target - 1)).toBeLessThanOrEqual(0.1);
  });
});

describe('second order, Gumbel sampling, distillation', () => {
  function steps(order: 'first' | 'second', gumbel: boolean, distill = false, sandwich = false, count = 3): number[][] {
    const space = tinySpace([bases({ choices: [1, 2] }), activationBits({ choices: [1, 2] })]);
    const layout = supernetLayout(space);
    const supernet = new Supernet(layout, { seed: 1 });
    const alpha = new ArchitectureWeights(space);
    // The full-precision twin of the template as teacher (untrained: the loss terms only need to be live).
    const teacher = distill ? buildModel({ ...space.template, groups: [{ start: 0, end: 3 }], bases: [1], bits: [32], connections: [] }) : undefined;
    const trainer = new BilevelTrainer(supernet, alpha, bopsCostModel(layout), NO_COST_TERM, {
      weightOptimizer: { type: 'sgd', lr: 0.05, momentum: 0.9, weightDecay: 0 },
      weightSchedule: { kind: 'constant' },
      archOptimizer: { lr: 0.03, beta1: 0.5, beta2: 0.999, weightDecay: 1e-3 },
      order,
      ...(teacher ? { distillation: { teacher, kd: 1, temperature: 4, at: 10 } } : {}),
      sandwich,
    });
    const weightsBefore = supernet.params.list().map((p) => Array.from(p.variable.dataSync()));
    const before = tf.memory().numTensors;
    for (let step = 0; step < count; step++) {
      const train = syntheticBatch(step, 16);
      const val = syntheticBatch(100 + step, 16);
      if (gumbel) trainer.use({ kind: 'gumbel', temperature: 2, seed: step });
      const a = trainer.architectureStep(val, train);
      expect(Number.isFinite(a.loss)).toBe(true);
      if (step === 0 && order === 'second') {
        // The virtual step and the ±ε evaluations leave w and the BN buffers exactly as they were.
        supernet.params.list().forEach((p, i) => expect(Array.from(p.variable.dataSync())).toEqual(weightsBefore[i]));
      }
      trainer.weightStep(train.x, train.y);
      tf.dispose([train.x, train.y, val.x, val.y]);
    }
    expect(tf.memory().numTensors).toBe(before);
    const values = alpha.values();
    teacher?.dispose();
    trainer.dispose();
    alpha.dispose();
    supernet.dispose();
    return values;
  }

  it('second order moves α differently from first order, restores w, leaks nothing', () => {
    const first = steps('first', false);
    const second = steps('second', false);
    expect(second.flat().some((a) => a !== 0)).toBe(true);
    expect(second).not.toEqual(first);
  });

  it('with a teacher (logit KD + attention transfer) the steps run, move α differently and leak nothing', () => {
    const plain = steps('first', false);
    const distilled = steps('first', false, true);
    expect(distilled.flat().some((a) => a !== 0)).toBe(true);
    expect(distilled).not.toEqual(plain);
  });

  it('Gumbel (GDAS) steps train with hard samples and still move α', () => {
    const g = steps('first', true);
    expect(g.flat().some((a) => a !== 0)).toBe(true);
  });

  it('the sandwich rule with a teacher (each path distilled on its own features): the steps run and leak nothing', () => {
    const plain = steps('first', true, true);
    const sandwiched = steps('first', true, true, true);
    expect(sandwiched.flat().some((a) => a !== 0)).toBe(true);
    expect(sandwiched).not.toEqual(plain); // the α steps see weights the largest path trained too
  });

  it("second order's virtual step trains the largest path too under the sandwich rule", () => {
    // The first α step comes before any weight step: only second order's virtual step can see the rule.
    expect(steps('first', false, false, true, 1)).toEqual(steps('first', false, false, false, 1));
    const sandwiched = steps('second', false, false, true, 1);
    expect(sandwiched.flat().some((a) => a !== 0)).toBe(true);
    expect(sandwiched).not.toEqual(steps('second', false, false, false, 1));
  });
});

describe('the sandwich rule', () => {
  /** Which of a group's second bases' weights one weight step changes when every draw keeps one base. */
  function secondBasesMoved(sandwich: boolean): boolean[] {
    const space = tinySpace([bases({ choices: [1, 2] }), activationBits({ choices: [1, 2] })]);
    const supernet = new Supernet(supernetLayout(space), { seed: 1 });
    const alpha = new ArchitectureWeights(space);
    // α all but certain of one base everywhere: every Gumbel draw keeps the first base only.
    space.variables.forEach((v, i) => {
      if (v.decision.name === 'bases') alpha.logits[i]!.assign(tf.tensor1d([50, -50]));
    });
    const trainer = new BilevelTrainer(supernet, alpha, bopsCostModel(supernetLayout(space)), NO_COST_TERM, {
      weightOptimizer: { type: 'sgd', lr: 0.05, momentum: 0, weightDecay: 0 },
      weightSchedule: { kind: 'constant' },
      archOptimizer: { lr: 0.03, beta1: 0.5, beta2: 0.999, weightDecay: 0 },
      order: 'first',
      sandwich,
    });
    trainer.use({ kind: 'gumbel', temperature: 1, seed: 3 });
    const second = supernet.params.list().filter((p) => /^blocks\.\d+\.bases\.1\..*conv/.test(p.name));
    const before = second.map((p) => Array.from(p.variable.dataSync()));
    const batch = syntheticBatch(0, 16);
    const step = trainer.weightStep(batch.x, batch.y);
    expect(Number.isFinite(step.loss)).toBe(true);
    tf.dispose([batch.x, batch.y]);
    const moved = second.map((p, i) => Array.from(p.variable.dataSync()).some((v, j) => v !== before[i]![j]));
    trainer.dispose();
    alpha.dispose();
    supernet.dispose();
    expect(second.length).toBeGreaterThan(0);
    return moved;
  }

  it("trains the largest path beside the drawn one: a group's second base learns on a step whose draw keeps one", () => {
    expect(secondBasesMoved(false).some((m) => m)).toBe(false);
    expect(secondBasesMoved(true).every((m) => m)).toBe(true);
  });
});
