/**
 * The architecture weights α: one logit vector per space variable (a decision at one site), and
 * the ways of turning them into choice probabilities — softmax (DARTS), Gumbel-softmax with
 * hard straight-through samples (GDAS), or fixed one-hot vectors (a discrete architecture).
 */
import * as tf from '../util/tfjs.js';
import type { Parameter, StateDict } from '../nn/parameters.js';
import type { SearchSpace } from '../space/search-space.js';
import { createRng } from '../util/random.js';
import { stopGradient } from '../nn/stop-gradient.js';

/** Probabilities per space variable, in `space.variables` order (tensors [choices]). */
export type ChoiceProbabilities = tf.Tensor1D[];

export class ArchitectureWeights {
  /** α logits per variable; start at 0 (uniform), so no choice is favoured before training. */
  readonly logits: tf.Variable[];
  readonly names: string[];

  constructor(readonly space: SearchSpace) {
    this.names = space.variables.map((v) => `alpha.${v.id}`);
    this.logits = space.variables.map((v) => {
      const zeros = tf.zeros([v.choices.length]);
      const variable = tf.variable(zeros, true);
      zeros.dispose();
      return variable;
    });
  }

  /** As parameters for the optimizer (with weight decay, as DARTS applies it to α). */
  parameters(): Parameter[] {
    return this.logits.map((variable, i) => ({ name: this.names[i]!, variable, trainable: true, decay: true }));
  }

  /** softmax(α) per variable (differentiable in α). */
  softmax(): ChoiceProbabilities {
    return this.logits.map((a) => tf.softmax(a) as tf.Tensor1D);
  }

  /**
   * GDAS: a hard one-hot sample per variable from Gumbel-softmax at temperature `tau`; the forward
   * pass sees the one-hot vector, the gradient is the soft sample's (straight-through). `seed`
   * fixes the Gumbel noise, so a resumed search draws the same samples.
   */
  gumbel(tau: number, seed: number): ChoiceProbabilities {
    const rng = createRng(seed);
    return this.logits.map((a) => {
      const noise = Float32Array.from({ length: a.size }, () => -Math.log(-Math.log(Math.max(rng(), 1e-12))));
      const soft = tf.softmax(tf.div(tf.add(a, tf.tensor1d(noise)), tau)) as tf.Tensor1D;
      // tfjs' oneHot needs depth ≥ 2; a one-choice variable's sample is [1].
      const hard = (a.size === 1 ? tf.ones([1]) : tf.oneHot(tf.argMax(soft), a.size).toFloat()) as tf.Tensor1D;
      return tf.add(tf.sub(hard, stopGradient(soft)), soft) as tf.Tensor1D;
    });
  }

  /** Current softmax probabilities as numbers (for logs and derivation). */
  probabilities(): number[][] {
    return tf.tidy(() => this.softmax().map((p) => Array.from(p.dataSync())));
  }

  /** α as numbers. */
  values(): number[][] {
    return this.logits.map((a) => Array.from(a.dataSync()));
  }

  stateDict(): StateDict {
    return Object.fromEntries(this.logits.map((a, i) => [this.names[i]!, a]));
  }

  loadStateDict(state: StateDict): void {
    this.logits.forEach((a, i) => {
      const t = state[this.names[i]!];
      if (t === undefined || t.size !== a.size) throw new Error(`architecture weights: missing or reshaped ${this.names[i]}`);
      a.assign(t.reshape(a.shape));
    });
  }

  dispose(): void {
    tf.dispose(this.logits);
  }
}

/** One-hot probabilities of a discrete choice vector (what the supernet computes for that architecture). */
export function oneHotProbabilities(space: SearchSpace, indices: readonly number[]): ChoiceProbabilities {
  return space.variables.map((v, i) => tf.tensor1d(v.choices.map((_, c) => (c === indices[i] ? 1 : 0))));
}

/** Mean normalized entropy of the variables' probabilities: 1 = uniform everywhere, 0 = every choice made. */
export function meanNormalizedEntropy(probabilities: readonly (readonly number[])[]): number {
  const terms = probabilities.filter((p) => p.length > 1).map((p) => -p.reduce((s, q) => s + (q > 0 ? q * Math.log(q) : 0), 0) / Math.log(p.length));
  return terms.length === 0 ? 0 : terms.reduce((a, b) => a + b, 0) / terms.length;
}
