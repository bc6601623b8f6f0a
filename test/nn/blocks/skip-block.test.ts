import * as tf from '../../helpers/tfjs.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { createBlock } from '../../../src/nn/blocks/create-block.js';
import { SkipBlock } from '../../../src/nn/blocks/skip-block.js';
import { ParameterStore, Scope } from '../../../src/nn/parameters.js';
import { blockSpec, randomInput } from '../helpers/blocks.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('SkipBlock', () => {
  it('is the identity where the block keeps its input’s shape: no parameters, output = input', () => {
    const store = new ParameterStore(0);
    const block = createBlock(new Scope(store), blockSpec({ kind: 'skip' }));
    expect(block).toBeInstanceOf(SkipBlock);
    expect(store.list()).toEqual([]);
    const x = randomInput([1, 4, 4, 4]);
    tf.tidy(() => {
      expect(Array.from(block.apply(x, true).dataSync())).toEqual(Array.from(x.dataSync()));
    });
    x.dispose();
    store.dispose();
  });

  it('down-samples and widens through the float projection (avg-pool → conv 1×1 → BN), named like a basic block’s shortcut', () => {
    const store = new ParameterStore(0);
    const block = createBlock(new Scope(store), blockSpec({ kind: 'skip', stride: 2, width: 6 }));
    expect(store.list().map((p) => p.name)).toEqual([
      'shortcut.conv.weight',
      'shortcut.bn.gamma',
      'shortcut.bn.beta',
      'shortcut.bn.runningMean',
      'shortcut.bn.runningVar',
    ]);
    const x = randomInput([2, 6, 6, 4]);
    tf.tidy(() => {
      expect(block.apply(x, true).shape).toEqual([2, 3, 3, 6]);
    });
    expect(block.outChannels).toBe(6);
    x.dispose();
    store.dispose();
  });
});
