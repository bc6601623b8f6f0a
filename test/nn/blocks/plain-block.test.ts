import * as tf from '../../helpers/tfjs.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { createBlock } from '../../../src/nn/blocks/create-block.js';
import { PlainBlock } from '../../../src/nn/blocks/plain-block.js';
import { ParameterStore, Scope } from '../../../src/nn/parameters.js';
import { blockSpec, randomInput, setBatchNorms } from '../helpers/blocks.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('PlainBlock', () => {
  it('has no shortcut: a silenced binary unit outputs its BN β everywhere', () => {
    const store = new ParameterStore(0);
    const block = createBlock(new Scope(store), blockSpec({ kind: 'plain' }));
    expect(block).toBeInstanceOf(PlainBlock);
    expect(store.list().some((p) => p.name.includes('shortcut'))).toBe(false);
    setBatchNorms(store, /^unit1/, 0, -0.75);
    const x = randomInput([1, 4, 4, 4]);
    tf.tidy(() => {
      const y = block.apply(x, true);
      expect(new Set(y.dataSync())).toEqual(new Set([-0.75]));
    });
    x.dispose();
    store.dispose();
  });

  it('full precision: conv → BN → ReLU, stride 2 halves the map', () => {
    const store = new ParameterStore(0);
    const block = createBlock(new Scope(store), blockSpec({ kind: 'plain', quantizer: undefined, stride: 2, width: 6 }));
    const x = randomInput([1, 6, 6, 4]);
    tf.tidy(() => {
      const y = block.apply(x, true);
      expect(y.shape).toEqual([1, 3, 3, 6]);
      expect(tf.min(y).dataSync()[0]).toBeGreaterThanOrEqual(0);
    });
    x.dispose();
    store.dispose();
  });
});
