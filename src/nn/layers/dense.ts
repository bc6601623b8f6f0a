import * as tf from '../../util/tfjs.js';
import { uniform } from '../init.js';
import type { Scope } from '../parameters.js';

/** Full-precision fully connected layer (the classifier): `weight` [in, out], `bias` [out]; PyTorch nn.Linear init. */
export class Dense {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable;

  constructor(scope: Scope, inFeatures: number, outFeatures: number) {
    const bound = 1 / Math.sqrt(inFeatures);
    this.weight = scope.param('weight', [inFeatures, outFeatures], uniform(bound), true);
    this.bias = scope.param('bias', [outFeatures], uniform(bound));
  }

  apply(x: tf.Tensor2D): tf.Tensor2D {
    return tf.add(tf.matMul(x, this.weight as tf.Tensor2D), this.bias);
  }
}
