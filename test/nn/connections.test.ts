import * as tf from '../helpers/tfjs.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { AggregateConnector, SoftConnector } from '../../src/nn/connections.js';
import { ParameterStore, Scope } from '../../src/nn/parameters.js';
import { maxAbsDiff, randomInput } from './helpers/blocks.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const outputs = (k: number): tf.Tensor4D[] => Array.from({ length: k }, (_, i) => randomInput([2, 3, 3, 4], 10 + i));

describe('AggregateConnector', () => {
  it("y = Σ λ_k out_k, λ starting at 1/K, broadcast to every next base (K = 3 → K' = 2)", () => {
    const store = new ParameterStore(0);
    const c = new AggregateConnector(new Scope(store).child('c'), 3, 2);
    expect(Array.from(c.lambda!.dataSync())).toEqual([1 / 3, 1 / 3, 1 / 3].map(Math.fround));
    c.lambda!.assign(tf.tensor1d([1, -2, 0.5]));
    const outs = outputs(3);
    tf.tidy(() => {
      const next = c.combine(outs);
      expect(next).toHaveLength(2);
      const manual = tf.addN([tf.mul(outs[0]!, 1), tf.mul(outs[1]!, -2), tf.mul(outs[2]!, 0.5)]);
      expect(maxAbsDiff(next[0]!, manual)).toBeLessThan(1e-5);
      expect(maxAbsDiff(next[1]!, manual)).toBe(0);
    });
    tf.dispose(outs);
    store.dispose();
  });

  it('K = 1 is the identity and owns no parameter', () => {
    const store = new ParameterStore(0);
    const c = new AggregateConnector(new Scope(store).child('c'), 1, 3);
    expect(store.list()).toHaveLength(0);
    const outs = outputs(1);
    const next = c.combine(outs);
    expect(next.every((t) => t === outs[0])).toBe(true);
    tf.dispose(outs);
  });
});

describe('SoftConnector', () => {
  it("x_j = Σ_k M[j,k] out_k with a learned K'×K matrix (K = 2 → K' = 3)", () => {
    const store = new ParameterStore(0);
    const c = new SoftConnector(new Scope(store).child('c'), 2, 3);
    expect(c.mix!.shape).toEqual([3, 2]);
    expect(Array.from(c.mix!.dataSync())).toEqual([0.5, 0.5, 0.5, 0.5, 0.5, 0.5]);
    const m = [
      [1, 0],
      [0.25, -1],
      [0, 2],
    ];
    c.mix!.assign(tf.tensor2d(m));
    const outs = outputs(2);
    tf.tidy(() => {
      const next = c.combine(outs);
      expect(next).toHaveLength(3);
      m.forEach((row, j) => {
        const manual = tf.add(tf.mul(outs[0]!, row[0]!), tf.mul(outs[1]!, row[1]!));
        expect(maxAbsDiff(next[j]!, manual)).toBeLessThan(1e-5);
      });
    });
    tf.dispose(outs);
    store.dispose();
  });

  it("K' = K starts at ½·I + ½/K: every row sums to 1 and favours its own base", () => {
    const store = new ParameterStore(0);
    const c = new SoftConnector(new Scope(store).child('c'), 4, 4);
    const rows = c.mix!.arraySync() as number[][];
    rows.forEach((row, j) => {
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
      expect(row[j]).toBeCloseTo(0.625, 6);
    });
    store.dispose();
  });

  it('gradients reach M', () => {
    const store = new ParameterStore(0);
    const c = new SoftConnector(new Scope(store).child('c'), 2, 2);
    const outs = outputs(2);
    tf.tidy(() => {
      const { grads } = tf.variableGrads(() => tf.sum(tf.mul(c.combine(outs)[1]!, outs[0]!)) as tf.Scalar, [c.mix!]);
      const g = grads[c.mix!.name]!.arraySync() as number[][];
      expect(g[0]).toEqual([0, 0]);
      expect(Math.abs(g[1]![0]!)).toBeGreaterThan(0);
    });
    tf.dispose(outs);
    store.dispose();
  });
});
