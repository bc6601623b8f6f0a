import * as tf from '../../helpers/tfjs.js';
import { createRng } from '../../../src/util/random.js';

/** A seeded toy batch whose label is learnable from the input (class = which third of the image is brightest). */
export function toyBatch(seed: number, n = 6, size = 8, classes = 3): { x: tf.Tensor4D; y: tf.Tensor1D } {
  const rng = createRng(seed);
  const pixels = new Float32Array(n * size * size);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const label = Math.floor(rng() * classes);
    labels[i] = label;
    for (let r = 0; r < size; r++) {
      for (let c = 0; c < size; c++) {
        const band = Math.min(classes - 1, Math.floor((c * classes) / size));
        pixels[(i * size + r) * size + c] = (band === label ? 1 : 0) + 0.3 * (rng() - 0.5);
      }
    }
  }
  return { x: tf.tensor4d(pixels, [n, size, size, 1]), y: tf.tensor1d(labels, 'int32') };
}

/** Values of every tensor in a state dict, copied out. */
export function snapshot(state: Record<string, tf.Tensor>): Record<string, Float32Array> {
  return Object.fromEntries(Object.entries(state).map(([k, t]) => [k, t.dataSync() as Float32Array]));
}
