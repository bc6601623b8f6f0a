import * as tf from '../../util/tfjs.js';
import type { OptimizerStepRule } from '../../util/kernel-names.js';
import type { OptimizedParameter } from './optimizer.js';
import { SlotOptimizer } from './slot-optimizer.js';

/**
 * SGD with Nesterov momentum, PyTorch's formulation (dampening 0, coupled L2 weight decay):
 *   g ← ∇w + wd·w;   b ← μ·b + g;   w ← w − lr·(g + μ·b)
 * Slot: `<parameter>/momentum`.
 */
export class SgdNesterov extends SlotOptimizer {
  readonly kind = 'sgd-nesterov';

  constructor(
    params: OptimizedParameter[],
    readonly momentum = 0.9,
  ) {
    super(params, ['momentum']);
  }

  protected update(name: string, w: tf.Variable, g: tf.Tensor, learningRate: number): void {
    const mu = this.momentum;
    const buf = this.slots.get(name, 'momentum');
    const nextBuf = tf.add(tf.mul(buf, mu), g);
    buf.assign(nextBuf);
    w.assign(tf.sub(w, tf.mul(tf.add(g, tf.mul(nextBuf, mu)), learningRate)));
  }

  protected rule(learningRate: number): OptimizerStepRule {
    return { kind: 0, learningRate, weightDecay: 0, momentum: this.momentum };
  }
}
