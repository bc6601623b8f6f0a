import * as tf from '../helpers/tfjs.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildModel } from '../../src/nn/group-net.js';
import { oneHotProbabilities, ArchitectureWeights } from '../../src/search/architecture-weights.js';
import { structureWeights } from '../../src/search/structure-weights.js';
import { Supernet } from '../../src/search/supernet.js';
import { supernetLayout } from '../../src/search/supernet-layout.js';
import { activationBits, baseDilations, bases, dilation, groupBoundary, SearchSpace, stageWidth, type Decision } from '../../src/space/index.js';
import { createRng } from '../../src/util/random.js';
import { UsageError } from '../../src/util/errors.js';
import { tinyArch } from '../nn/helpers/archs.js';
import { expectDerivedOutputs, expectOneHotIsDerived, perturb, randomInput, tinySpace } from './helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('Supernet with one-hot α', () => {
  const decisionSets = {
    'bases × boundaries × bits': undefined,
    'widths × dilations × bases × boundaries': [stageWidth(), dilation({ choices: [1, 2, 3, 4], sites: [0, 1] }), bases({ choices: [1, 2] }), groupBoundary()],
  };
  for (const [what, decisions] of Object.entries(decisionSets))
    for (const kind of ['basic', 'plain', 'bottleneck'] as const) {
      it(`computes exactly the derived architecture (${kind} blocks, ${what})`, () => expectOneHotIsDerived(tinySpace(decisions, kind), 6, kind));
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
      const state = net.derivedStateDict(arch);
      model.loadStateDict(state);
      tf.dispose(Object.values(state));
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
    const argmax = tf.tidy(() =>
      net.forward(
        x,
        true,
        structureWeights(
          layout,
          oneHotProbabilities(
            space,
            space.variables.map(() => 0),
          ),
        ),
      ),
    );
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(uniform, argmax))).dataSync()[0]!)).toBeGreaterThan(1e-4);
    tf.dispose([uniform, argmax]);
    expect(tf.memory().numTensors).toBe(before);
    alpha.dispose();
    net.dispose();
    x.dispose();
  });

  it('refuses decisions it cannot relax, naming them', () => {
    const kernelSize: Decision<number> = {
      name: 'kernelSize',
      description: 'kernel of a block',
      choices: [3, 5],
      scope: 'block',
      relaxation: { kind: 'superkernel' },
      apply: (draft, site, choice) => void (draft.blocks[site]!.kernel = choice),
      read: (draft, site) => draft.blocks[site]!.kernel,
    };
    expect(() => supernetLayout(tinySpace([kernelSize]))).toThrow(UsageError);
    expect(() => supernetLayout(tinySpace([kernelSize]))).toThrow(/kernelSize/);
  });

  it('with uniform α a width or dilation choice changes the output (its relaxation is live)', () => {
    for (const decision of [stageWidth({ sites: [1] }), dilation({ choices: [1, 2], sites: [0] })]) {
      const space = tinySpace([decision]);
      const layout = supernetLayout(space);
      const net = new Supernet(layout, { seed: 2 });
      perturb(net, 3);
      const alpha = new ArchitectureWeights(space);
      const x = randomInput(4, [2, 8, 8, 1]);
      const outputs = tf.tidy(() =>
        [alpha.softmax(), ...space.variables[0]!.choices.map((_, c) => oneHotProbabilities(space, [c]))].map((p) =>
          net.forward(x, false, structureWeights(layout, p)).dataSync(),
        ),
      );
      for (let c = 1; c < outputs.length; c++)
        expect(Math.max(...outputs[0]!.map((v, j) => Math.abs(v - outputs[c]![j]!))), `${decision.name} choice ${c - 1}`).toBeGreaterThan(1e-4);
      // α gets a gradient through the masks / the dilation mix.
      const { grads } = tf.variableGrads(() => tf.sum(tf.square(net.forward(x, true, structureWeights(layout, alpha.softmax())))) as tf.Scalar, alpha.logits);
      expect(
        Object.values(grads).some((g) => g.dataSync().some((v) => Math.abs(v) > 1e-6)),
        decision.name,
      ).toBe(true);
      tf.dispose(Object.values(grads));
      alpha.dispose();
      net.dispose();
      x.dispose();
    }
  });

  it('a weight-step pass (α constant) computes what the α-step pass does: same logits and weight gradients at soft α', () => {
    // Every decision type, with α away from uniform so masks and mixes are not symmetric.
    const space = tinySpace([
      stageWidth(),
      dilation({ choices: [1, 2], sites: [0, 1] }),
      bases({ choices: [1, 2] }),
      groupBoundary(),
      activationBits({ choices: [1, 2, 4] }),
    ]);
    const layout = supernetLayout(space);
    const net = new Supernet(layout, { seed: 5 });
    perturb(net, 7);
    const alpha = new ArchitectureWeights(space);
    const rng = createRng('soft α');
    for (const a of alpha.logits) a.assign(tf.tensor1d(Array.from({ length: a.size }, () => 2 * rng() - 1)));
    const x = randomInput(9, [4, 8, 8, 1]);
    const vars = net.weightParameters().map((p) => p.variable);
    const pass = (alphaGradient: boolean) =>
      tf.variableGrads(() => {
        const logits = net.forward(x, true, structureWeights(layout, alpha.softmax()), { alphaGradient });
        return tf.sum(tf.mul(logits, tf.linspace(-1, 1, logits.size).reshape(logits.shape))) as tf.Scalar;
      }, vars);
    const a = pass(true);
    const w = pass(false);
    expect(Math.abs(a.value.dataSync()[0]! - w.value.dataSync()[0]!)).toBeLessThan(1e-4 * Math.max(1, Math.abs(a.value.dataSync()[0]!)));
    let compared = 0;
    for (const v of vars) {
      const ga = a.grads[v.name]!;
      const gw = w.grads[v.name]!;
      const scale = tf.tidy(() => tf.max(tf.abs(ga)).dataSync()[0]!);
      const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(ga, gw))).dataSync()[0]!);
      expect(diff, v.name).toBeLessThanOrEqual(1e-4 * Math.max(scale, 1e-3));
      if (scale > 0) compared++;
    }
    expect(compared).toBeGreaterThan(vars.length / 2);
    tf.dispose([a.value, w.value, ...Object.values(a.grads), ...Object.values(w.grads), x]);
    alpha.dispose();
    net.dispose();
  });

  it('a weight-step pass with a dilation draw runs one rate, drawn with its probability, the same for the same key', () => {
    const space = tinySpace([dilation({ choices: [1, 2], sites: [0] })]);
    const layout = supernetLayout(space);
    const net = new Supernet(layout, { seed: 6 });
    perturb(net, 8);
    const x = randomInput(10, [2, 8, 8, 1]);
    const p = [[0.25, 0.75]];
    const at = (probabilities: number[][], draw?: number) =>
      tf.tidy(() =>
        Array.from(
          net
            .forward(
              x,
              true,
              structureWeights(
                layout,
                probabilities.map((q) => tf.tensor1d(q)),
              ),
              { alphaGradient: false, ...(draw === undefined ? {} : { draw }) },
            )
            .dataSync(),
        ),
      );
    const single = [at([[1, 0]]), at([[0, 1]])];
    const mixed = at(p);
    const distance = (a: number[], b: number[]) => Math.max(...a.map((v, j) => Math.abs(v - b[j]!)));
    expect(distance(single[0]!, single[1]!)).toBeGreaterThan(1e-4);
    expect(distance(mixed, single[1]!)).toBeGreaterThan(1e-4);
    let drawnTwo = 0;
    for (let key = 0; key < 200; key++) {
      const drawn = at(p, key);
      const rate = single.findIndex((s) => distance(s, drawn) < 1e-5);
      expect(rate, `key ${key}: the output is one rate's`).toBeGreaterThanOrEqual(0);
      if (rate === 1) drawnTwo++;
      if (key < 3) expect(at(p, key)).toEqual(drawn);
    }
    expect(drawnTwo).toBeGreaterThan(120);
    expect(drawnTwo).toBeLessThan(180);
    x.dispose();
    net.dispose();
  });
});

describe('Supernet for segmentation with BPAC', () => {
  /** A 4-block FCN-16s template on 8×8 scenes, one-block groups; BPAC on the stride-1 blocks 1 and 3. */
  const segSpace = (decisions: Decision<number | string>[]) =>
    new SearchSpace({
      name: 'tiny-seg',
      template: { ...tinyArch({ blocksPerStage: [2, 2], bases: 2, bits: 1, connection: 'soft', classes: 3 }), head: { classes: 3, fcn: '16s' } },
      decisions,
    });

  it('computes exactly the derived architecture under one-hot α: per-base rates, per-pixel logits, the 16s skip', () => {
    const space = segSpace([
      bases({ choices: [1, 2, 3] }),
      dilation({ choices: [1, 2], sites: [1] }),
      baseDilations({ choices: [[], [1, 2, 3], [2, 1]], sites: [1, 3] }),
    ]);
    const layout = supernetLayout(space);
    const net = new Supernet(layout, { seed: 3 });
    perturb(net, 4);
    const x = randomInput(5, [2, 8, 8, 1]);
    const rng = createRng('bpac');
    const seen = new Set<string>();
    for (let trial = 0; trial < 8; trial++) {
      const arch = expectDerivedOutputs(
        net,
        space,
        space.sampleIndices(rng),
        x,
        [
          [false, true],
          [true, false],
        ],
        1e-4,
        [2 * 8 * 8, 3],
      );
      seen.add(JSON.stringify(arch.dilations ?? []));
    }
    expect(seen.size).toBeGreaterThan(2);
    x.dispose();
    net.dispose();
  });

  it('refuses BPAC where the group around the block can change', () => {
    const space = segSpace([groupBoundary(), baseDilations({ sites: [1] })]);
    expect(() => supernetLayout(space)).toThrow(/BPAC needs block 1 to be a group of its own/);
  });
});
