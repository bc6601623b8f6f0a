import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildModel } from '../../src/nn/group-net.js';
import { tinyArch, tinyFpArch } from './helpers/archs.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const input = (n = 2, h = 8, w = 8, c = 1): tf.Tensor4D => tf.randomNormal([n, h, w, c], 0, 1, 'float32', 7) as tf.Tensor4D;

describe('buildModel: full-precision twin, K = 1', () => {
  it('gives logits of the right shape and is a plain ResNet (no λ, no mixing matrix)', () => {
    const model = buildModel(tinyFpArch(), { seed: 1 });
    const x = input();
    const logits = model.forward(x, true);
    expect(logits.shape).toEqual([2, 3]);
    const names = Object.keys(model.stateDict());
    expect(names.filter((n) => n.includes('lambda') || n.includes('mix'))).toEqual([]);
    expect(names).toContain('stem.conv.weight');
    expect(names).toContain('groups.1.bases.0.blocks.1.shortcut.conv.weight');
    expect(names).toContain('head.fc.bias');
    tf.dispose([x, logits]);
    model.dispose();
  });
});
