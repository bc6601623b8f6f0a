import * as tf from '../../util/tfjs.js';
import type { StateDict } from '../parameters.js';
import type { OptimizedParameter, Optimizer, OptimizerKind } from './optimizer.js';
import { Slots } from './slots.js';

/**
 * The part every optimizer here shares: per-parameter slots, coupled L2 weight decay
 * (g ← ∇w + wd·w, as PyTorch) and one tidy update per parameter that has a gradient.
 * Subclasses give only the update rule.
 */
export abstract class SlotOptimizer implements Optimizer {
  abstract readonly kind: OptimizerKind;
  protected readonly slots: Slots;

  constructor(
    private readonly params: OptimizedParameter[],
    slotNames: string[],
  ) {
    this.slots = new Slots(
      params.map((p) => p.parameter),
      slotNames,
    );
  }

  apply(gradients: Map<string, tf.Tensor>, learningRate: number, step: number): void {
    for (const { parameter, weightDecay } of this.params) {
      const grad = gradients.get(parameter.name);
      if (grad === undefined) continue;
      tf.tidy(() => {
        const w = parameter.variable;
        const g = weightDecay > 0 ? tf.add(grad, tf.mul(w, weightDecay)) : grad;
        this.update(parameter.name, w, g, learningRate, step);
      });
    }
  }

  /** Update `w` (the parameter `name`) from its decayed gradient `g`; runs inside a tidy. */
  protected abstract update(name: string, w: tf.Variable, g: tf.Tensor, learningRate: number, step: number): void;

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
