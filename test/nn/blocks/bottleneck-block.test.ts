import * as tf from '../../helpers/tfjs.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { BottleneckBlock } from '../../../src/nn/blocks/bottleneck-block.js';
import { ParameterStore, Scope } from '../../../src/nn/parameters.js';
import { blockSpec, maxAbsDiff, randomInput, setBatchNorms } from '../helpers/blocks.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('BottleneckBlock', () => {
  it('1×1 → 3×3 (stride) → 1×1 at 4× width; shortcut projects when shapes change', () => {
    const store = new ParameterStore(0);
    const block = new BottleneckBlock(new Scope(store), blockSpec({ kind: 'bottleneck', inChannels: 8, width: 4, stride: 2 }));
    expect(block.outChannels).toBe(16);
    const shapes = Object.fromEntries(store.list().map((p) => [p.name, p.variable.shape]));
    expect(shapes['unit1.conv.weight']).toEqual([1, 1, 8, 4]);
    expect(shapes['unit2.conv.weight']).toEqual([3, 3, 4, 4]);
    expect(shapes['unit3.conv.weight']).toEqual([1, 1, 4, 16]);
    expect(shapes['shortcut.conv.weight']).toEqual([1, 1, 8, 16]);
    const x = randomInput([2, 6, 6, 8]);
    tf.tidy(() => {
      expect(block.apply(x, true).shape).toEqual([2, 3, 3, 16]);
    });
    x.dispose();
    store.dispose();
  });

  it('binary, stride 1, 4w → 4w: one identity shortcut around the block, none inside', () => {
    const store = new ParameterStore(0);
    const block = new BottleneckBlock(new Scope(store), blockSpec({ kind: 'bottleneck', inChannels: 16, width: 4 }));
    expect(block.shortcut.isIdentity).toBe(true);
    const x = randomInput([2, 5, 5, 16]);
    setBatchNorms(store, /^unit/, 0, 0);
    tf.tidy(() => {
      expect(maxAbsDiff(block.apply(x, false), x)).toBe(0);
    });
    // u1 → constant −0.5, u2 silenced: u3 sees sign(0) = +1 everywhere (a middle shortcut would pass
    // −0.5, i.e. −1). u3 is 1×1, so its inference output is Σ_i α·sign(W3[i, c]) / sqrt(1 + ε) everywhere.
    setBatchNorms(store, /^unit1/, 0, -0.5);
    setBatchNorms(store, /^unit3/, 1, 0);
    tf.tidy(() => {
      const w3 = block.unit3.conv.convs[0]!.effectiveWeight();
      const expected = tf.div(tf.sum(w3, [0, 1, 2]), Math.sqrt(1 + 1e-5));
      expect(maxAbsDiff(tf.sub(block.apply(x, false), x), tf.broadcastTo(expected, [2, 5, 5, 16]))).toBeLessThan(1e-5);
    });
    x.dispose();
    store.dispose();
  });

  it('full precision ends in a ReLU', () => {
    const store = new ParameterStore(0);
    const block = new BottleneckBlock(new Scope(store), blockSpec({ kind: 'bottleneck', inChannels: 8, width: 2, quantizer: undefined }));
    const x = randomInput([2, 4, 4, 8]);
    tf.tidy(() => {
      expect(tf.min(block.apply(x, true)).dataSync()[0]).toBeGreaterThanOrEqual(0);
    });
    x.dispose();
    store.dispose();
  });
});
