import * as tf from '@tensorflow/tfjs';
import type { StateDict } from '../parameters.js';
import type { OptimizedParameter, Optimizer } from './optimizer.js';
import { Slots } from './slots.js';

/**
 * SGD with Nesterov momentum, PyTorch's formulation (dampening 0, coupled L2 weight decay):
 *   g ← ∇w + wd·w;   b ← μ·b + g;   w ← w − lr·(g + μ·b)
 * Slot: `<parameter>/momentum`.
 */
export class SgdNesterov implements Optimizer {
  readonly kind = 'sgd-nesterov';
  private readonly slots: Slots;

  constructor(
    private readonly params: OptimizedParameter[],
    readonly momentum = 0.9,
  ) {
    this.slots = new Slots(
      params.map((p) => p.parameter),
      ['momentum'],
    );
  }

  apply(gradients: Map<string, tf.Tensor>, learningRate: number): void {
    const mu = this.momentum;
    for (const { parameter, weightDecay } of this.params) {
      const grad = gradients.get(parameter.name);
      if (grad === undefined) continue;
      tf.tidy(() => {
        const w = parameter.variable;
        const g = weightDecay > 0 ? tf.add(grad, tf.mul(w, weightDecay)) : grad;
        const buf = this.slots.get(parameter.name, 'momentum');
        const nextBuf = tf.add(tf.mul(buf, mu), g);
        buf.assign(nextBuf);
        w.assign(tf.sub(w, tf.mul(tf.add(g, tf.mul(nextBuf, mu)), learningRate)));
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
