import * as tf from '@tensorflow/tfjs';
import type { StateDict } from '../parameters.js';
import type { OptimizedParameter, Optimizer } from './optimizer.js';
import { Slots } from './slots.js';

/**
 * Adam, PyTorch's formulation (coupled L2 weight decay, ε outside the square root), t = step + 1:
 *   g ← ∇w + wd·w;   m ← β1·m + (1−β1)·g;   v ← β2·v + (1−β2)·g²
 *   w ← w − lr · (m / (1−β1^t)) / (sqrt(v / (1−β2^t)) + ε)
 * Slots: `<parameter>/m`, `<parameter>/v`.
 */
export class Adam implements Optimizer {
  readonly kind = 'adam';
  private readonly slots: Slots;

  constructor(
    private readonly params: OptimizedParameter[],
    readonly beta1 = 0.9,
    readonly beta2 = 0.999,
    readonly epsilon = 1e-8,
  ) {
    this.slots = new Slots(
      params.map((p) => p.parameter),
      ['m', 'v'],
    );
  }

  apply(gradients: Map<string, tf.Tensor>, learningRate: number, step: number): void {
    const t = step + 1;
    const c1 = 1 - this.beta1 ** t;
    const c2 = 1 - this.beta2 ** t;
    for (const { parameter, weightDecay } of this.params) {
      const grad = gradients.get(parameter.name);
      if (grad === undefined) continue;
      tf.tidy(() => {
        const w = parameter.variable;
        const g = weightDecay > 0 ? tf.add(grad, tf.mul(w, weightDecay)) : grad;
        const m = this.slots.get(parameter.name, 'm');
        const v = this.slots.get(parameter.name, 'v');
        m.assign(tf.add(tf.mul(m, this.beta1), tf.mul(g, 1 - this.beta1)));
        v.assign(tf.add(tf.mul(v, this.beta2), tf.mul(tf.square(g), 1 - this.beta2)));
        const update = tf.div(tf.div(m, c1), tf.add(tf.sqrt(tf.div(v, c2)), this.epsilon));
        w.assign(tf.sub(w, tf.mul(update, learningRate)));
      });
    }
  }

  state(): StateDict {
    return this.slots.state();
  }

  loadState(state: StateDict, source = 'optimizer state'): void {
    this.slots.loadState(state, source);
  }

  dispose(): void {
    this.slots.dispose();
  }
}
