import * as tf from '../helpers/tfjs.js';
import { describe, expect, it } from 'vitest';
import {
  activationBits,
  bases,
  blockOp,
  buildPreset,
  candidateCount,
  candidateWeights,
  dilation,
  discrete,
  groupBoundary,
  prefixMaskMatrix,
  relax,
  stageWidth,
  toDraft,
  type AnyDecision,
  type MixOps,
} from '../../src/space/index.js';

const template = toDraft(buildPreset('groupnet-k5', { widthMultiplier: 0.5 }));

/** Candidate outputs are vectors; probabilities scalars. */
const vectorOps: MixOps<number[], number> = {
  scale: (x, p) => x.map((v) => v * p),
  add: (a, b) => a.map((v, i) => v + b[i]!),
  addProbabilities: (a, b) => a + b,
};
const addVectors = vectorOps.add;

/** Deterministic, distinct, non-trivial candidate outputs (irrational-ish values so an exact match means something). */
function candidates(n: number, length = 5): number[][] {
  return Array.from({ length: n }, (_, c) => Array.from({ length }, (_, i) => Math.sin(1.7 * c + 0.3 * i + 0.1) * (c + 1.3)));
}

const builtIns: { decision: AnyDecision; site: number }[] = [
  { decision: bases(), site: 0 },
  { decision: bases({ choices: [1, 3, 5] }), site: 2 },
  { decision: groupBoundary(), site: 1 },
  { decision: stageWidth(), site: 2 },
  { decision: activationBits(), site: 0 },
  { decision: dilation(), site: 5 },
  { decision: blockOp(), site: 3 },
];

describe('built-in decisions: relaxation with one-hot weights equals the discrete choice', () => {
  for (const { decision, site } of builtIns) {
    it(`${decision.name} (${decision.choices.join(',')}) at site ${site}`, () => {
      const outs = candidates(candidateCount(decision, site, template));
      decision.choices.forEach((_, c) => {
        const oneHot = decision.choices.map((_, k) => (k === c ? 1 : 0));
        const mixed = relax(decision, site, template, outs, oneHot, vectorOps);
        expect(mixed).toEqual(discrete(decision, site, template, outs, c, addVectors));
      });
    });
  }

  it('a non-one-hot mix is not any single discrete choice (the test can fail)', () => {
    const d = activationBits();
    const outs = candidates(3);
    const mixed = relax(d, 0, template, outs, [0.2, 0.5, 0.3], vectorOps);
    for (let c = 0; c < 3; c++) expect(mixed).not.toEqual(discrete(d, 0, template, outs, c, addVectors));
  });
});

describe('prefix masks', () => {
  it('bases: base k is weighted by P(K ≥ k)', () => {
    const d = bases({ max: 4 });
    expect(candidateWeights(d, 0, template, [0.1, 0.2, 0.3, 0.4]).map((w) => +w.toFixed(12))).toEqual([1, 0.9, 0.7, 0.4]);
  });

  it('stageWidth: channel masks follow the rounded widths of the template stage', () => {
    // R/2 stage 0 is 16 channels: ratios 0.5/0.75/1 keep 8/12/16.
    const m = prefixMaskMatrix(stageWidth(), 0, template);
    expect(m.map((row) => row.reduce((a, b) => a + b, 0))).toEqual([8, 12, 16]);
    expect(m[0]!.slice(0, 9)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 0]);
  });

  it('softmax-weighted decisions have no prefix mask', () => {
    expect(() => prefixMaskMatrix(groupBoundary(), 0, template)).toThrow(/not relaxed by a prefix mask/);
  });
});

describe('choice validation', () => {
  it('rejects out-of-range built-in choices', () => {
    expect(() => bases({ choices: [0, 1] })).toThrow(/bases: choice 0/);
    expect(() => bases({ max: 9 })).toThrow(/1\.\.8/);
    expect(() => activationBits({ choices: [3 as 1] })).toThrow(/activationBits: choice 3/);
    expect(() => stageWidth({ choices: [0] })).toThrow(/stageWidth/);
    expect(() => dilation({ choices: [1.5] })).toThrow(/dilation/);
    expect(() => groupBoundary({ choices: ['merge' as 'soft'] })).toThrow(/groupBoundary/);
    expect(() => blockOp({ choices: ['conv' as 'plain'] })).toThrow(/blockOp: choice "conv"/);
  });

  it('relax checks the number of probabilities and candidates', () => {
    const d = bases({ max: 3 });
    expect(() => relax(d, 0, template, candidates(3), [1, 0], vectorOps)).toThrow(/2 probabilities for 3 choices/);
    expect(() => relax(d, 0, template, candidates(2), [1, 0, 0], vectorOps)).toThrow(/2 candidates, expected 3/);
  });
});

describe('relaxation on tfjs tensors (how the supernet calls it)', () => {
  const tensorOps: MixOps<tf.Tensor, tf.Tensor> = { scale: (x, p) => tf.mul(x, p), add: (a, b) => tf.add(a, b), addProbabilities: (a, b) => tf.add(a, b) };

  it('one-hot softmax(α) reduces to the chosen bases, gradients reach α, no tensors leak', async () => {
    await tf.setBackend('cpu');
    const d = bases({ max: 3 });
    const before = tf.memory().numTensors;
    const outs = candidates(3, 4).map((v) => tf.tensor1d(v));
    const relaxed = tf.tidy(() => relax(d, 0, template, outs, tf.unstack(tf.tensor1d([0, 1, 0])), tensorOps).arraySync());
    const expected = discrete(d, 0, template, candidates(3, 4), 1, addVectors);
    expect(relaxed).toEqual(Array.from(new Float32Array(expected)));
    const grad = tf.tidy(() => {
      const alpha = tf.tensor1d([0.1, 0.2, 0.3]);
      return tf
        .grad((a: tf.Tensor) => relax(d, 0, template, outs, tf.unstack(tf.softmax(a)), tensorOps).sum())(alpha)
        .arraySync() as number[];
    });
    expect(grad.every((g) => Number.isFinite(g) && g !== 0)).toBe(true);
    tf.dispose(outs);
    expect(tf.memory().numTensors).toBe(before);
  });
});
