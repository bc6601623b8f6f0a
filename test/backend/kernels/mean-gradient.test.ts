// Mean's gradient (dy/n tiled) gives the values of tfjs' own (dy·ones(x.shape)/n) bit for bit: every
// reduction the models take (over filters' |W|, over a feature map's pixels), negative axes, and the
// whole tensor; on wasm and on the cpu reference.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../helpers/tfjs.js';
import { meanGradientConfig } from '../../../src/backend/kernels/mean-gradient.js';
import { selectBackend } from '../../../src/backend/select.js';
import { createRng } from '../../../src/util/random.js';

// taken before any backend is selected: selecting wasm registers ours
const tfjsMeanGradient = tf.getGradient('Mean')!;

/** ∂/∂x of Σ mean(x, axis)·cotangent with `gradient` registered for Mean. */
function meanGradient(gradient: tf.GradConfig, shape: number[], axis: number | number[] | undefined, seed: number): Float32Array {
  tf.registerGradient(gradient);
  return tf.tidy(() => {
    const rng = createRng(seed);
    const x = tf.tensor(
      Float32Array.from({ length: tf.util.sizeFromShape(shape) }, () => rng() * 4 - 2),
      shape,
    );
    const meanShape = tf.mean(x, axis).shape;
    const cotangent = tf.tensor(
      Float32Array.from({ length: tf.util.sizeFromShape(meanShape) }, () => rng() * 2 - 1),
      meanShape,
    );
    return tf
      .grad((xs: tf.Tensor) => tf.sum(tf.mul(tf.mean(xs, axis), cotangent)))(x)
      .dataSync() as Float32Array;
  });
}

describe.each(['wasm', 'cpu'] as const)('Mean gradient on %s', (backend) => {
  beforeAll(async () => {
    expect(tfjsMeanGradient).not.toBe(meanGradientConfig);
    await selectBackend(backend);
  });

  it.each([
    ['|W| per filter of a 3×3 conv (HWIO over H, W, I)', [3, 3, 17, 33], [0, 1, 2]],
    ['global average pooling of a feature map', [5, 7, 7, 67], [1, 2]],
    ['negative axes', [4, 6, 9], [-1, -3]],
    ['the whole tensor', [3, 5, 7], undefined],
    ['one axis as a number', [6, 11], 1],
  ] as const)('%s: tfjs’ values bit for bit', (_what, shape, axis) => {
    const given = typeof axis === 'object' ? [...axis] : axis;
    const theirs = meanGradient(tfjsMeanGradient, [...shape], given, shape.length);
    const ours = meanGradient(meanGradientConfig, [...shape], given, shape.length);
    expect(ours).toEqual(theirs);
    expect(Array.from(ours).some((v) => v !== 0)).toBe(true);
  });
});

describe('registration', () => {
  it('the wasm backend trains with it', async () => {
    await selectBackend('wasm');
    expect(tf.getGradient('Mean')).toBe(meanGradientConfig);
  });
});
