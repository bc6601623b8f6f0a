import * as tf from '../helpers/tfjs.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildModel } from '../../src/nn/group-net.js';
import { collectBatchNorms, recalibrateBatchNorm } from '../../src/nn/recalibrate-bn.js';
import { tinyArch } from './helpers/archs.js';
import { randomInput } from './helpers/blocks.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('recalibrateBatchNorm', () => {
  it('finds every BatchNorm of a model', () => {
    const m = buildModel(tinyArch({ bases: 2, bits: 1 }));
    const bnParams = Object.keys(m.stateDict()).filter((n) => n.endsWith('.bn.gamma')).length;
    expect(collectBatchNorms(m)).toHaveLength(bnParams);
    m.dispose();
  });

  it('sets running statistics to the cumulative average over the batches, restores momentum, keeps weights', () => {
    const m = buildModel(tinyArch({ bases: 2, bits: 1 }), { seed: 4 });
    const batches = [randomInput([4, 8, 8, 1], 1), randomInput([4, 8, 8, 1], 2)];
    const stem = m.stemBn;
    const gammaBefore = stem.gamma.dataSync().slice();
    // The stem BN's batch means for each batch, computed by hand: their plain average is the target.
    const means = batches.map((x) => tf.tidy(() => tf.moments(m.stemConv.apply(x), [0, 1, 2]).mean.dataSync() as Float32Array));
    expect(
      recalibrateBatchNorm(
        m,
        batches.map((x) => ({ x })),
      ),
    ).toBe(2);
    const running = stem.runningMean.dataSync();
    running.forEach((v, c) => expect(v).toBeCloseTo((means[0]![c]! + means[1]![c]!) / 2, 5));
    expect(stem.momentum).toBe(0.1);
    expect(stem.gamma.dataSync()).toEqual(gammaBefore);
    tf.dispose(batches);
    m.dispose();
  });
});
