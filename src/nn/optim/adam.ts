import * as tf from '../../util/tfjs.js';
import type { OptimizerStepRule } from '../../util/kernel-names.js';
import type { OptimizedParameter } from './optimizer.js';
import { SlotOptimizer } from './slot-optimizer.js';

/**
 * Adam, PyTorch's formulation (coupled L2 weight decay, ε outside the square root), t = step + 1:
 *   g ← ∇w + wd·w;   m ← β1·m + (1−β1)·g;   v ← β2·v + (1−β2)·g²
 *   w ← w − lr · (m / (1−β1^t)) / (sqrt(v / (1−β2^t)) + ε)
 * Slots: `<parameter>/m`, `<parameter>/v`.
 */
export class Adam extends SlotOptimizer {
  readonly kind = 'adam';

  constructor(
    params: OptimizedParameter[],
    readonly beta1 = 0.9,
    readonly beta2 = 0.999,
    readonly epsilon = 1e-8,
  ) {
    super(params, ['m', 'v']);
  }

  protected update(name: string, w: tf.Variable, g: tf.Tensor, learningRate: number, step: number): void {
    const t = step + 1;
    const c1 = 1 - this.beta1 ** t;
    const c2 = 1 - this.beta2 ** t;
    const m = this.slots.get(name, 'm');
    const v = this.slots.get(name, 'v');
    m.assign(tf.add(tf.mul(m, this.beta1), tf.mul(g, 1 - this.beta1)));
    v.assign(tf.add(tf.mul(v, this.beta2), tf.mul(tf.square(g), 1 - this.beta2)));
    const update = tf.div(tf.div(m, c1), tf.add(tf.sqrt(tf.div(v, c2)), this.epsilon));
    w.assign(tf.sub(w, tf.mul(update, learningRate)));
  }

  protected rule(learningRate: number, step: number): OptimizerStepRule {
    const t = step + 1;
    return {
      kind: 1,
      learningRate,
      weightDecay: 0,
      beta1: this.beta1,
      beta2: this.beta2,
      oneMinusBeta1: 1 - this.beta1,
      oneMinusBeta2: 1 - this.beta2,
      c1: 1 - this.beta1 ** t,
      c2: 1 - this.beta2 ** t,
      epsilon: this.epsilon,
    };
  }
}
