import * as tf from '../../helpers/tfjs.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { Adam } from '../../../src/nn/optim/adam.js';
import { SgdNesterov } from '../../../src/nn/optim/sgd-nesterov.js';
import { constant } from '../../../src/nn/init.js';
import { ParameterStore } from '../../../src/nn/parameters.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** One scalar parameter w = 1 with a constant gradient sequence; returns w after each step. */
function run(make: (store: ParameterStore) => { opt: SgdNesterov | Adam; name: string }, grads: number[], lr: number): number[] {
  const store = new ParameterStore(0);
  const { opt, name } = make(store);
  const w = store.get(name)!.variable;
  const out: number[] = [];
  grads.forEach((g, step) => {
    const grad = tf.tensor1d([g]);
    opt.apply(new Map([[name, grad]]), lr, step);
    grad.dispose();
    out.push(w.dataSync()[0]!);
  });
  opt.dispose();
  store.dispose();
  return out;
}

describe('SgdNesterov', () => {
  it('matches PyTorch SGD(momentum=0.9, nesterov=True, weight_decay=0.1) by hand', () => {
    const ws = run(
      (store) => {
        store.add('w', [1], constant(1), { trainable: true, decay: true });
        return { opt: new SgdNesterov([{ parameter: store.get('w')!, weightDecay: 0.1 }], 0.9), name: 'w' };
      },
      [0.5, -0.2],
      0.1,
    );
    // step 0: g = 0.5 + 0.1·1 = 0.6; b = 0.6; w = 1 − 0.1·(0.6 + 0.54) = 0.886
    // step 1: g = −0.2 + 0.0886 = −0.1114; b = 0.54 − 0.1114 = 0.4286; w = 0.886 − 0.1·(−0.1114 + 0.38574) = 0.858566
    expect(ws[0]).toBeCloseTo(0.886, 6);
    expect(ws[1]).toBeCloseTo(0.858566, 6);
  });
});

describe('Adam', () => {
  it('matches PyTorch Adam by hand: the first step moves every weight by lr·sign(g)', () => {
    const ws = run(
      (store) => {
        store.add('w', [1], constant(1), { trainable: true, decay: false });
        return { opt: new Adam([{ parameter: store.get('w')!, weightDecay: 0 }]), name: 'w' };
      },
      [0.5, -1],
      0.01,
    );
    expect(ws[0]).toBeCloseTo(0.99, 6);
    // step 1: m = 0.9·0.05 − 0.1 = −0.055, v = 0.999·0.00025 + 0.001 = 0.00124975
    // m̂ = −0.055/0.19 , v̂ = 0.00124975/0.001999
    const mHat = -0.055 / 0.19;
    const vHat = 0.00124975 / (1 - 0.999 ** 2);
    expect(ws[1]).toBeCloseTo(0.99 - (0.01 * mHat) / (Math.sqrt(vHat) + 1e-8), 6);
  });

  it('saves and restores its moments by parameter name', () => {
    const store = new ParameterStore(0);
    store.add('w', [2], constant(1), { trainable: true, decay: false });
    const opt = new Adam([{ parameter: store.get('w')!, weightDecay: 0 }]);
    expect(Object.keys(opt.state())).toEqual(['w/m', 'w/v']);
    const g = tf.tensor1d([1, 2]);
    opt.apply(new Map([['w', g]]), 0.1, 0);
    const other = new Adam([{ parameter: store.get('w')!, weightDecay: 0 }]);
    other.loadState(opt.state());
    expect(other.state()['w/v']!.dataSync()).toEqual(opt.state()['w/v']!.dataSync());
    expect(() => other.loadState({})).toThrow(/missing optimizer slot w\/m/);
    tf.dispose(g);
    opt.dispose();
    other.dispose();
    store.dispose();
  });
});
