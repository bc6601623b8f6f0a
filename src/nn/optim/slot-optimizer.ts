import * as tf from '../../util/tfjs.js';
import { OPTIMIZER_STEP, type OptimizerStepRule } from '../../util/kernel-names.js';
import type { StateDict } from '../parameters.js';
import type { OptimizedParameter, Optimizer, OptimizerKind } from './optimizer.js';
import { Slots } from './slots.js';

/**
 * The part every optimizer here shares: per-parameter slots, coupled L2 weight decay
 * (g ← ∇w + wd·w, as PyTorch) and one tidy update per parameter that has a gradient.
 * Subclasses give only the update rule: as stock ops (`update`), and as the constants of the
 * fused kernel (`GroupnasOptimizerStep`: the native one), which a backend that registers it runs
 * instead — one call per parameter with the same arithmetic, bit for bit.
 */
export abstract class SlotOptimizer implements Optimizer {
  abstract readonly kind: OptimizerKind;
  protected readonly slots: Slots;

  constructor(
    private readonly params: OptimizedParameter[],
    private readonly slotNames: string[],
  ) {
    this.slots = new Slots(
      params.map((p) => p.parameter),
      slotNames,
    );
  }

  apply(gradients: Map<string, tf.Tensor>, learningRate: number, step: number): void {
    const fused = tf.getKernel(OPTIMIZER_STEP, tf.getBackend()) !== undefined;
    for (const { parameter, weightDecay } of this.params) {
      const grad = gradients.get(parameter.name);
      if (grad === undefined) continue;
      if (fused) {
        this.fusedUpdate(parameter.name, parameter.variable, grad, { ...this.rule(learningRate, step), weightDecay });
        continue;
      }
      tf.tidy(() => {
        const w = parameter.variable;
        const g = weightDecay > 0 ? tf.add(grad, tf.mul(w, weightDecay)) : grad;
        this.update(parameter.name, w, g, learningRate, step);
      });
    }
  }

  /** Update `w` (the parameter `name`) from its decayed gradient `g`; runs inside a tidy. */
  protected abstract update(name: string, w: tf.Variable, g: tf.Tensor, learningRate: number, step: number): void;

  /** The same update as the fused kernel's rule and constants (weight decay is added by `apply`). */
  protected abstract rule(learningRate: number, step: number): OptimizerStepRule;

  private fusedUpdate(name: string, w: tf.Variable, grad: tf.Tensor, rule: OptimizerStepRule): void {
    const slots = this.slotNames.map((s) => this.slots.get(name, s));
    const inputs: tf.NamedTensorMap = { w, grad };
    slots.forEach((s, i) => (inputs[`s${i}`] = s));
    tf.tidy(() => {
      const [nextW, ...nextSlots] = tf.engine().runKernel(OPTIMIZER_STEP, inputs, { rule }) as tf.Tensor[];
      w.assign(nextW!);
      slots.forEach((s, i) => s.assign(nextSlots[i]!));
    });
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
