import * as tf from '../util/tfjs.js';

const stopGradientOp = tf.customGrad((x) => ({
  value: tf.clone(x as tf.Tensor),
  gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
}));

/** Identity forward, zero gradient: `x` is a constant of the step (tfjs has no stop-gradient op). */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  return stopGradientOp(x) as T;
}
