import * as tf from '../helpers/tfjs.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildModel, type GroupNetModel } from '../../src/nn/group-net.js';
import { UsageError } from '../../src/util/errors.js';
import { tinyArch, tinyFpArch } from './helpers/archs.js';
import { maxAbsDiff, randomInput } from './helpers/blocks.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const names = (m: GroupNetModel): string[] => Object.keys(m.stateDict());
const shapeOf = (m: GroupNetModel, name: string): number[] | undefined => m.stateDict()[name]?.shape;
/** Distinct `groups.{g}.bases.{k}` prefixes per group. */
const basesPerGroup = (m: GroupNetModel): number[] =>
  m.groups.map((_, g) => new Set(names(m).flatMap((n) => n.match(new RegExp(`^groups\\.${g}\\.bases\\.(\\d+)\\.`))?.[1] ?? [])).size);

describe('buildModel: full-precision twin, K = 1', () => {
  it('gives logits of the right shape and is a plain ResNet (no λ, no mixing matrix)', () => {
    const model = buildModel(tinyFpArch(), { seed: 1 });
    const x = randomInput([2, 8, 8, 1]);
    const logits = model.forward(x, true);
    expect(logits.shape).toEqual([2, 3]);
    expect(names(model).filter((n) => n.includes('lambda') || n.includes('mix'))).toEqual([]);
    expect(names(model)).toContain('stem.conv.weight');
    expect(names(model)).toContain('groups.1.bases.0.blocks.1.shortcut.conv.weight');
    expect(shapeOf(model, 'head.fc.weight')).toEqual([8, 3]);
    tf.dispose([x, logits]);
    model.dispose();
  });
});

describe('buildModel: groupings (supplement Fig. S1)', () => {
  const fourBlocks = { blocksPerStage: [2, 2], bits: 1 as const };

  it('Group-Net: one block per group, K = 3 bases each, soft K×K connections at every boundary', () => {
    const m = buildModel(tinyArch({ ...fourBlocks, bases: 3, connection: 'soft' }));
    expect(basesPerGroup(m)).toEqual([3, 3, 3, 3]);
    for (let g = 0; g < 3; g++) expect(shapeOf(m, `connections.${g}.mix`)).toEqual([3, 3]);
    expect(shapeOf(m, 'output.lambda')).toEqual([3]);
    m.dispose();
  });

  it('GBD v1: one block per group, aggregate (λ) at every boundary', () => {
    const m = buildModel(tinyArch({ ...fourBlocks, bases: 5, connection: 'aggregate' }));
    expect(basesPerGroup(m)).toEqual([5, 5, 5, 5]);
    for (let g = 0; g < 3; g++) expect(shapeOf(m, `connections.${g}.lambda`)).toEqual([5]);
    m.dispose();
  });

  it('GBD v2: two blocks per group; each base keeps its own path through both', () => {
    const arch = tinyArch({
      ...fourBlocks,
      groups: [
        [0, 2],
        [2, 4],
      ],
      bases: 2,
      connection: 'aggregate',
    });
    const m = buildModel(arch);
    expect(basesPerGroup(m)).toEqual([2, 2]);
    expect(names(m)).toContain('groups.0.bases.1.blocks.1.unit2.conv.weight');
    expect(names(m).filter((n) => n.startsWith('connections.'))).toEqual(['connections.0.lambda']);
    m.dispose();
  });

  it('GBD v3: one group, the whole net per base — an ensemble: features = Σ λ_k base_k(stem)', () => {
    const m = buildModel(tinyArch({ ...fourBlocks, groups: [[0, 4]], bases: 3 }));
    expect(names(m).filter((n) => n.startsWith('connections.'))).toEqual([]);
    m.output.lambda!.assign(tf.tensor1d([0.2, -1, 0.7]));
    const x = randomInput([2, 8, 8, 1]);
    tf.tidy(() => {
      // 1-bit first group: the stem has no ReLU (sign of a ReLU output would be constant).
      const stem = m.stemBn.apply(m.stemConv.apply(x), false);
      const bases = m.groups[0]!.bases.map((blocks) => blocks.reduce((h, b) => b.apply(h, false), stem));
      const manual = tf.addN([tf.mul(bases[0]!, 0.2), tf.mul(bases[1]!, -1), tf.mul(bases[2]!, 0.7)]);
      expect(maxAbsDiff(m.features(x, false), manual)).toBeLessThan(1e-4);
    });
    x.dispose();
    m.dispose();
  });

  it('the stem ends in a ReLU except before a 1-bit first group', () => {
    const models = ([1, 2, 4, 32] as const).map((bits) => buildModel(tinyArch({ bits })));
    expect(models.map((m) => m.stemRelu)).toEqual([false, true, true, true]);
    models.forEach((m) => m.dispose());
  });

  it("inside a group bases do not mix: with λ_1 = 0 the output ignores base 1's weights", () => {
    const m = buildModel(
      tinyArch({
        ...fourBlocks,
        groups: [
          [0, 2],
          [2, 4],
        ],
        bases: 2,
        connection: 'aggregate',
      }),
    );
    (m.connections[0] as { lambda?: tf.Variable }).lambda!.assign(tf.tensor1d([1, 0]));
    const x = randomInput([2, 8, 8, 1]);
    const before = m.forward(x, false);
    const w = m.stateDict()['groups.0.bases.1.blocks.1.unit1.conv.weight'] as tf.Variable;
    w.assign(tf.neg(w));
    const after = m.forward(x, false);
    expect(maxAbsDiff(before, after)).toBe(0);
    const w0 = m.stateDict()['groups.0.bases.0.blocks.1.unit1.conv.weight'] as tf.Variable;
    w0.assign(tf.neg(w0));
    const changed = m.forward(x, false);
    expect(maxAbsDiff(before, changed)).toBeGreaterThan(0);
    tf.dispose([x, before, after, changed]);
    m.dispose();
  });

  it('heterogeneous groups (Fig. S1 c) with different K on each side of every boundary', () => {
    const arch = tinyArch({
      blocksPerStage: [2, 2],
      groups: [
        [0, 1],
        [1, 3],
        [3, 4],
      ],
      bases: [2, 3, 1],
      bits: [1, 2, 4],
      connection: ['soft', 'aggregate'],
    });
    const m = buildModel(arch, { seed: 2 });
    expect(basesPerGroup(m)).toEqual([2, 3, 1]);
    expect(shapeOf(m, 'connections.0.mix')).toEqual([3, 2]);
    expect(shapeOf(m, 'connections.1.lambda')).toEqual([3]);
    expect(names(m).some((n) => n.startsWith('output.'))).toBe(false);
    // The stride-2 block (index 2) sits inside group 1: every base down-samples on its own shortcut.
    for (let k = 0; k < 3; k++) expect(shapeOf(m, `groups.1.bases.${k}.blocks.2.shortcut.conv.weight`)).toEqual([1, 1, 4, 8]);
    const x = randomInput([2, 8, 8, 1]);
    tf.tidy(() => {
      expect(m.features(x, true).shape).toEqual([2, 4, 4, 8]);
      expect(m.forward(x, true).shape).toEqual([2, 3]);
    });
    x.dispose();
    m.dispose();
  });

  it('LBD: one path per group, K binary convs per layer with learned scales', () => {
    const m = buildModel(tinyArch({ blocksPerStage: [1, 1], bases: 3, bits: 4, decomposition: 'layer' }));
    expect(basesPerGroup(m)).toEqual([1, 1]);
    expect(shapeOf(m, 'groups.0.bases.0.blocks.0.unit1.conv.bases.2.weight')).toEqual([3, 3, 4, 4]);
    expect(shapeOf(m, 'groups.0.bases.0.blocks.0.unit1.conv.scales')).toEqual([3]);
    // Shortcuts stay single full-precision convs.
    expect(names(m)).toContain('groups.1.bases.0.blocks.1.shortcut.conv.weight');
    expect(names(m).filter((n) => n.includes('lambda') || n.includes('mix'))).toEqual([]);
    const x = randomInput([2, 8, 8, 1]);
    tf.tidy(() => {
      expect(m.forward(x, true).shape).toEqual([2, 3]);
    });
    x.dispose();
    m.dispose();
  });

  it.each(['bottleneck', 'plain'] as const)('%s backbone builds and runs at K = 2, 1-bit', (kind) => {
    const m = buildModel(tinyArch({ kind, blocksPerStage: [1, 1], bases: 2, bits: 1 }));
    expect(m.featureChannels).toBe(kind === 'bottleneck' ? 32 : 8);
    const x = randomInput([2, 8, 8, 1]);
    tf.tidy(() => {
      expect(m.forward(x, true).shape).toEqual([2, 3]);
    });
    x.dispose();
    m.dispose();
  });
});

describe('buildModel: parameters and state', () => {
  it('initial values come from (seed, name): adding a group leaves the stem and the first group as they were', () => {
    const small = buildModel(tinyArch({ blocksPerStage: [1, 1], bases: 2, bits: 1 }), { seed: 9 });
    const large = buildModel(tinyArch({ blocksPerStage: [1, 2], bases: 2, bits: 1 }), { seed: 9 });
    for (const n of ['stem.conv.weight', 'groups.0.bases.1.blocks.0.unit2.conv.weight']) {
      expect(large.stateDict()[n]!.dataSync()).toEqual(small.stateDict()[n]!.dataSync());
    }
    small.dispose();
    large.dispose();
  });

  it('loadStateDict makes a differently seeded model compute the same logits', () => {
    const arch = tinyArch({ bases: 2, bits: 1 });
    const a = buildModel(arch, { seed: 1 });
    const b = buildModel(arch, { seed: 2 });
    const x = randomInput([2, 8, 8, 1]);
    const la = a.forward(x, false);
    const lb = b.forward(x, false);
    expect(maxAbsDiff(la, lb)).toBeGreaterThan(0);
    b.loadStateDict(a.stateDict());
    const lb2 = b.forward(x, false);
    expect(maxAbsDiff(la, lb2)).toBe(0);
    tf.dispose([x, la, lb, lb2]);
    a.dispose();
    b.dispose();
  });

  it("weights: 'real' has the binary model's parameters by name, computes other logits, and hands its state over exactly", () => {
    const arch = tinyArch({ bases: 2, bits: 1 });
    const real = buildModel(arch, { seed: 4, weights: 'real' });
    const binary = buildModel(arch, { seed: 5 });
    expect(real.weights).toBe('real');
    expect(binary.weights).toBe('binary');
    expect(names(real)).toEqual(names(binary));
    binary.loadStateDict(real.stateDict());
    for (const [n, t] of Object.entries(real.stateDict())) expect(binary.stateDict()[n]!.dataSync()).toEqual(t.dataSync());
    const x = randomInput([2, 8, 8, 1]);
    const lr = real.forward(x, false);
    const lb = binary.forward(x, false);
    expect(maxAbsDiff(lr, lb)).toBeGreaterThan(1e-3);
    tf.dispose([x, lr, lb]);
    real.dispose();
    binary.dispose();
  });

  it('loadStateDict refuses missing, unknown and reshaped entries, naming them', () => {
    const a = buildModel(tinyArch({ bases: 2, bits: 1 }));
    const b = buildModel(tinyArch({ bases: 3, bits: 1 }));
    expect(() => b.loadStateDict(a.stateDict(), 'run/ckpt')).toThrow(UsageError);
    expect(() => b.loadStateDict(a.stateDict(), 'run/ckpt')).toThrow(/run\/ckpt: missing parameters: groups\.0\.bases\.2\./);
    const { ['head.fc.bias']: bias, ...rest } = a.stateDict();
    const wrong = tf.zeros([4]);
    expect(() => a.loadStateDict({ ...rest, 'head.fc.bias': wrong }, 'x')).toThrow(/head\.fc\.bias: expected shape \[3\], got \[4\]/);
    expect(() => a.loadStateDict({ ...a.stateDict(), extra: wrong }, 'x')).toThrow(/unknown parameters: extra/);
    expect(bias).toBeDefined();
    wrong.dispose();
    a.dispose();
    b.dispose();
  });

  it('refuses an arch that does not fit, naming the field', () => {
    const arch = tinyArch();
    arch.groups[1]!.end = 5;
    expect(() => buildModel(arch)).toThrow(/arch: groups\[1\]\.end/);
  });

  it('a forward pass leaves no tensors behind; dispose frees every parameter', () => {
    const start = tf.memory().numTensors;
    const m = buildModel(tinyArch({ bases: 3, bits: 1 }));
    const x = randomInput([2, 8, 8, 1]);
    const afterBuild = tf.memory().numTensors;
    tf.dispose(m.forward(x, true));
    tf.dispose(m.forward(x, false));
    const { logits, features } = m.forwardWithFeatures(x, true);
    tf.dispose([logits, ...features]);
    expect(tf.memory().numTensors).toBe(afterBuild);
    x.dispose();
    m.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });
});

describe('forwardWithFeatures', () => {
  it("gives the logits of forward and one map per stage end, averaged over bases, shaped like the FP twin's", () => {
    const student = buildModel(tinyArch({ blocksPerStage: [2, 1], bases: 3, bits: 1 }), { seed: 1 });
    const teacher = buildModel(tinyFpArch({ blocksPerStage: [2, 1] }), { seed: 1 });
    const x = randomInput([2, 8, 8, 1]);
    const s = student.forwardWithFeatures(x, false);
    const t = teacher.forwardWithFeatures(x, false);
    expect(s.features.map((f) => f.shape)).toEqual([
      [2, 8, 8, 4],
      [2, 4, 4, 8],
    ]);
    expect(t.features.map((f) => f.shape)).toEqual(s.features.map((f) => f.shape));
    const logits = student.forward(x, false);
    expect(maxAbsDiff(logits, s.logits)).toBe(0);
    // Block 1 ends group 1: its map is the mean of the three bases' outputs.
    tf.tidy(() => {
      let manual: tf.Tensor | undefined;
      student.features(x, false, (i, outs) => {
        if (i === 1) manual = tf.keep(tf.div(tf.addN(outs), 3));
      });
      expect(maxAbsDiff(s.features[0]!, manual!)).toBeLessThan(1e-6);
      manual!.dispose();
    });
    tf.dispose([x, logits, s.logits, t.logits, ...s.features, ...t.features]);
    student.dispose();
    teacher.dispose();
  });
});
