import type * as tf from '../../util/tfjs.js';
import type { Parameter, StateDict } from '../parameters.js';

/**
 * A first-order optimizer over named parameters. Its slots (momentum, Adam moments) are named
 * `<parameter>/<slot>` so a checkpoint restores them onto the right weights whatever order
 * parameters are listed in.
 */
export interface Optimizer {
  readonly kind: OptimizerKind;
  /**
   * One update. `gradients` maps each parameter's name to ∂L/∂w (weight decay not yet added);
   * `step` counts from 0 (Adam's bias correction uses step + 1).
   */
  apply(gradients: Map<string, tf.Tensor>, learningRate: number, step: number): void;
  /** Slot tensors by name (live variables). */
  state(): StateDict;
  loadState(state: StateDict, source?: string): void;
  dispose(): void;
}

export type OptimizerKind = 'sgd-nesterov' | 'adam';

/** Parameters an optimizer updates, with the weight decay that applies to each. */
export interface OptimizedParameter {
  parameter: Parameter;
  weightDecay: number;
}
