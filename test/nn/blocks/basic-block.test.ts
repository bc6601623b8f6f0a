import * as tf from '../../helpers/tfjs.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { BasicBlock } from '../../../src/nn/blocks/basic-block.js';
import { ParameterStore, Scope } from '../../../src/nn/parameters.js';
import { blockSpec, FOUR_BIT, maxAbsDiff, randomInput, setBatchNorms } from '../helpers/blocks.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('BasicBlock', () => {
  it('binary, stride 1: each unit has its own identity shortcut (units silenced → output = input)', () => {
    const store = new ParameterStore(0);
    const block = new BasicBlock(new Scope(store), blockSpec());
    expect(block.shortcut.isIdentity).toBe(true);
    setBatchNorms(store, /^unit/, 0, 0);
    const x = randomInput([2, 6, 6, 4]);
    tf.tidy(() => {
      expect(maxAbsDiff(block.apply(x, true), x)).toBe(0);
    });
    // Unit 2 alone silenced: out = y = unit1(x) + x, so unit 2's shortcut carries unit 1's sum.
    setBatchNorms(store, /^unit1/, 0, 0.25);
    tf.tidy(() => {
      expect(maxAbsDiff(block.apply(x, true), tf.add(x, 0.25))).toBeLessThan(1e-5);
    });
    x.dispose();
    store.dispose();
  });

  it('full precision: one shortcut around both convs and a ReLU at the end', () => {
    const store = new ParameterStore(0);
    const block = new BasicBlock(new Scope(store), blockSpec({ quantizer: undefined }));
    setBatchNorms(store, /^unit2/, 0, 0);
    const x = randomInput([2, 6, 6, 4]);
    tf.tidy(() => {
      expect(maxAbsDiff(block.apply(x, true), tf.relu(x))).toBe(0);
    });
    setBatchNorms(store, /^unit2/, 1, 0);
    tf.tidy(() => {
      expect(tf.min(block.apply(x, true)).dataSync()[0]).toBeGreaterThanOrEqual(0);
    });
    x.dispose();
    store.dispose();
  });

  it('binary down-sampling: full-precision shortcut avg-pool 2×2 → conv1×1 → BN, output [N, H/2, W/2, width]', () => {
    const store = new ParameterStore(1);
    const block = new BasicBlock(new Scope(store), blockSpec({ inChannels: 4, width: 8, stride: 2, quantizer: FOUR_BIT }));
    expect(
      store
        .list()
        .map((p) => p.name)
        .filter((n) => n.startsWith('shortcut')),
    ).toEqual(['shortcut.conv.weight', 'shortcut.bn.gamma', 'shortcut.bn.beta', 'shortcut.bn.runningMean', 'shortcut.bn.runningVar']);
    setBatchNorms(store, /^unit/, 0, 0);
    const x = randomInput([2, 6, 6, 4]);
    tf.tidy(() => {
      const out = block.apply(x, false);
      expect(out.shape).toEqual([2, 3, 3, 8]);
      const pooled = tf.avgPool(x, 2, 2, 'valid');
      const conv = tf.conv2d(pooled, block.shortcut.conv!.weight as tf.Tensor4D, 1, 0);
      // Inference-mode BN with fresh running stats (0, 1), γ = 1, β = 0: ≈ identity.
      const manual = tf.div(conv, Math.sqrt(1 + 1e-5));
      expect(maxAbsDiff(out, manual)).toBeLessThan(1e-5);
    });
    x.dispose();
    store.dispose();
  });

  it('1-bit: the block is not silent — units contribute (guards the silenced tests above)', () => {
    const store = new ParameterStore(2);
    const block = new BasicBlock(new Scope(store), blockSpec());
    const x = randomInput([2, 6, 6, 4]);
    tf.tidy(() => {
      expect(maxAbsDiff(block.apply(x, true), x)).toBeGreaterThan(0.5);
    });
    x.dispose();
    store.dispose();
  });
});
