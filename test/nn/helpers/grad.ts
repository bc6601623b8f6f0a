import * as tf from '../../helpers/tfjs.js';

/** Values and ∂(Σ f(x)·dy)/∂x of an elementwise op at the given points. */
export function valueAndGradAt(f: (x: tf.Tensor) => tf.Tensor, xs: number[], dy?: number[]): { value: number[]; grad: number[] } {
  return tf.tidy(() => {
    const x = tf.tensor1d(xs);
    const up = dy === undefined ? tf.onesLike(x) : tf.tensor1d(dy);
    const { value, grad } = tf.valueAndGrad((t: tf.Tensor) => f(t))(x, up);
    return { value: Array.from(value.dataSync()), grad: Array.from(grad.dataSync()) };
  });
}

/** Central finite difference of a scalar function (float64, in JS). */
export function finiteDifference(f: (x: number) => number, x: number, h = 1e-4): number {
  return (f(x + h) - f(x - h)) / (2 * h);
}
