import * as tf from '../helpers/tfjs.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildModel } from '../../src/nn/group-net.js';
import { ArchitectureWeights, oneHotProbabilities } from '../../src/search/architecture-weights.js';
import { archCost, bopsCostModel, expectedCost } from '../../src/search/cost-model.js';
import { drawBranch, softmaxMix } from '../../src/search/mixed-op.js';
import { registerRelaxation } from '../../src/search/relaxation-registry.js';
import type { BranchMix } from '../../src/search/relaxation-hook.js';
import { structureWeights } from '../../src/search/structure-weights.js';
import { Supernet } from '../../src/search/supernet.js';
import { supernetLayout } from '../../src/search/supernet-layout.js';
import { bases, blockOp, dilation, groupBoundary, stageWidth, type AnyDecision, type Decision, type SearchSpace } from '../../src/space/index.js';
import { UsageError } from '../../src/util/errors.js';
import { createRng } from '../../src/util/random.js';
import { expectOneHotIsDerived, perturb, randomInput, tinySpace } from './helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A user's decision: the kernel of every block of a stage (or of one block), relaxed by `kind`. */
function kernelSize(scope: 'stage' | 'block', kind = 'softmax-mix', choices = [3, 5]): Decision<number> {
  return {
    name: `kernel-${scope}`,
    description: 'kernel size',
    choices,
    scope,
    relaxation: { kind },
    apply(draft, site, k) {
      for (const [i, b] of draft.blocks.entries()) if (scope === 'block' ? i === site : b.stage === site) b.kernel = k;
    },
    read: (draft, site) => (scope === 'block' ? draft.blocks[site]!.kernel : draft.blocks.find((b) => b.stage === site)?.kernel),
  };
}

describe('the generic mixed op with one-hot α computes the derived architecture', () => {
  const spaces: Record<string, () => SearchSpace> = {
    'blockOp (basic, plain, skip) × bases × boundaries': () => tinySpace([blockOp(), bases({ choices: [1, 2] }), groupBoundary()]),
    'blockOp × stage widths × dilation': () => tinySpace([blockOp({ sites: [1, 2] }), stageWidth(), dilation({ choices: [1, 2], sites: [0, 1] })]),
    'a user’s kernel size per stage × bases': () => tinySpace([kernelSize('stage'), bases({ choices: [1, 2] })]),
    'kernel size and blockOp on the same blocks': () => tinySpace([kernelSize('block', 'softmax-mix', [1, 3, 5]), blockOp({ choices: ['basic', 'skip'] })]),
    'a kernel size per stage on bottleneck blocks': () => tinySpace([kernelSize('stage'), bases({ choices: [1, 2] })], 'bottleneck'),
    'a one-choice blockOp (every block plain)': () => tinySpace([blockOp({ choices: ['plain'] }), bases({ choices: [1, 2] })]),
  };
  for (const [what, space] of Object.entries(spaces)) it(what, () => expectOneHotIsDerived(space(), 6, what));
});

describe('mixed op layout', () => {
  it('shares parameters whose name and shape agree: plain is basic’s unit1, skip is basic’s shortcut, a 5×5 conv has its own name', () => {
    const net = new Supernet(supernetLayout(tinySpace([blockOp(), kernelSize('block', 'softmax-mix', [3, 5])])), { seed: 1 });
    const names = net.params.list().map((p) => p.name);
    const block2 = names.filter((n) => n.startsWith('blocks.2.bases.0.'));
    // basic 3×3 (branch 0) owns the names; plain 3×3 and skip add nothing; the 5×5 convs are the branch's own.
    expect(block2.filter((n) => n.endsWith('conv.weight')).sort()).toEqual(
      [
        'blocks.2.bases.0.unit1.conv.weight',
        'blocks.2.bases.0.unit2.conv.weight',
        'blocks.2.bases.0.shortcut.conv.weight',
        'blocks.2.bases.0.branch1.unit1.conv.weight',
        'blocks.2.bases.0.branch1.unit2.conv.weight',
      ].sort(),
    );
    expect(block2.some((n) => n.includes('branch') && n.includes('.bn.'))).toBe(false);
    expect(net.blocks[2]!.length).toBe(6);
    net.dispose();
  });

  it('with uniform α every branch contributes and α gets a gradient through the mix', () => {
    const space = tinySpace([blockOp({ sites: [1] })]);
    const layout = supernetLayout(space);
    const net = new Supernet(layout, { seed: 2 });
    perturb(net, 3);
    const alpha = new ArchitectureWeights(space);
    const x = randomInput(4, [2, 8, 8, 1]);
    const before = tf.memory().numTensors;
    const outputs = tf.tidy(() =>
      [alpha.softmax(), ...[0, 1, 2].map((c) => oneHotProbabilities(space, [c]))].map((p) => net.forward(x, false, structureWeights(layout, p)).dataSync()),
    );
    for (let c = 1; c < outputs.length; c++) expect(Math.max(...outputs[0]!.map((v, j) => Math.abs(v - outputs[c]![j]!)))).toBeGreaterThan(1e-4);
    const { grads, value } = tf.variableGrads(
      () => tf.sum(tf.square(net.forward(x, true, structureWeights(layout, alpha.softmax())))) as tf.Scalar,
      alpha.logits,
    );
    expect(
      Object.values(grads)[0]!
        .dataSync()
        .some((g) => Math.abs(g) > 1e-6),
    ).toBe(true);
    tf.dispose([value, ...Object.values(grads)]);
    expect(tf.memory().numTensors).toBe(before);
    alpha.dispose();
    net.dispose();
    x.dispose();
  });

  it('prices each branch: E[cost] at one-hot α is the derived architecture’s cost, and skip blocks cost no BOPs', () => {
    const space = tinySpace([blockOp(), bases({ choices: [1, 2] }), kernelSize('stage')]);
    const layout = supernetLayout(space);
    const model = bopsCostModel(layout);
    const rng = createRng('prices');
    const costs = new Set<number>();
    for (let trial = 0; trial < 12; trial++) {
      const indices = space.sampleIndices(rng);
      const arch = space.decode(indices);
      const expected = tf.tidy(() => expectedCost(model, structureWeights(layout, oneHotProbabilities(space, indices))).dataSync()[0]!);
      expect(expected).toBeCloseTo(archCost(model, arch), 0);
      costs.add(archCost(model, arch));
    }
    expect(costs.size).toBeGreaterThan(3);
    const allSkip = space.decode(space.variables.map((v) => (v.decision.name === 'blockOp' ? 2 : 0)));
    expect(allSkip.blocks.every((b) => b.kind === 'skip')).toBe(true);
    expect(archCost(model, allSkip)).toBe(model.constant);
  });
});

describe('mixed op refusals name the decision, the site and the choice', () => {
  const refuse = (decisions: AnyDecision[], pattern: RegExp, kind: 'basic' | 'bottleneck' = 'basic') => {
    expect(() => supernetLayout(tinySpace(decisions, kind))).toThrow(UsageError);
    expect(() => supernetLayout(tinySpace(decisions, kind))).toThrow(pattern);
  };

  it('branches that write maps of different shapes', () => {
    refuse(
      [blockOp({ choices: ['basic', 'bottleneck'], sites: [1] })],
      /blockOp: choice bottleneck at block 1 gives a bottleneck block writing 16 channels .* choice basic a basic block writing 4/,
    );
  });

  it('a choice that writes more than blocks', () => {
    const widthAndKernel: Decision<number> = {
      ...kernelSize('stage'),
      name: 'wideKernel',
      apply(draft, stage, k) {
        for (const b of draft.blocks) if (b.stage === stage) b.kernel = k;
        draft.widths[stage] = k;
      },
    };
    refuse([widthAndKernel], /wideKernel: choice 3 at site 0 writes widths\[0\]/);
  });

  it('an apply that throws, and a group-scope decision', () => {
    const broken: Decision<number> = {
      ...kernelSize('block'),
      name: 'broken',
      apply(draft, site, k) {
        if (k === 5) throw new Error('no 5×5 here');
        draft.blocks[site]!.kernel = k;
      },
    };
    expect(() => tinySpace([broken])).toThrow(/broken: apply failed for choice 5 at site 0: no 5×5 here/);
    refuse([{ ...kernelSize('block'), name: 'grouped', scope: 'group' }], /grouped: .*group-scope/);
  });

  it('two choices that build the same blocks', () => {
    const same: Decision<number> = {
      ...kernelSize('block'),
      name: 'same',
      choices: [3, 5, 7],
      apply: (d, s, k) => void (d.blocks[s]!.kernel = Math.min(k, 5)),
    };
    refuse([same], /same: choices 5 and 7 build the same blocks at site 0/);
  });
});

describe('a relaxation hook of the user’s own', () => {
  // ProxylessNAS-style: a weight step runs one branch drawn from P; α steps mix them all.
  const singlePath: BranchMix = (input) => (input.draw === undefined ? softmaxMix(input) : input.branch(drawBranch(input.p, input.draw())));
  registerRelaxation({ kind: 'single-path', place: (v, layout) => layout.blockBranches(v, singlePath) });

  it('is refused under a taken kind, and reaches the supernet by its kind', () => {
    expect(() => registerRelaxation({ kind: 'softmax-mix', place: () => undefined })).toThrow(/"softmax-mix" is registered already/);
    expectOneHotIsDerived(tinySpace([kernelSize('stage', 'single-path'), bases({ choices: [1, 2] })]), 3, 'single path');
  });

  it('a weight step with a draw key runs one branch, drawn with its probability', () => {
    const space = tinySpace([{ ...kernelSize('block', 'single-path', [1, 3]), sites: [0] }]);
    const layout = supernetLayout(space);
    const net = new Supernet(layout, { seed: 6 });
    perturb(net, 8);
    const x = randomInput(10, [2, 8, 8, 1]);
    const at = (p: number[], draw?: number) =>
      tf.tidy(() =>
        Array.from(
          net.forward(x, true, structureWeights(layout, [tf.tensor1d(p)]), { alphaGradient: false, ...(draw === undefined ? {} : { draw }) }).dataSync(),
        ),
      );
    const single = [at([1, 0]), at([0, 1])];
    const distance = (a: number[], b: number[]) => Math.max(...a.map((v, j) => Math.abs(v - b[j]!)));
    expect(distance(at([0.3, 0.7]), single[1]!)).toBeGreaterThan(1e-4);
    let second = 0;
    for (let key = 0; key < 100; key++) {
      const branch = single.findIndex((s) => distance(s, at([0.3, 0.7], key)) < 1e-5);
      expect(branch, `key ${key}`).toBeGreaterThanOrEqual(0);
      if (branch === 1) second++;
    }
    expect(second).toBeGreaterThan(55);
    expect(second).toBeLessThan(85);
    x.dispose();
    net.dispose();
  });
});
