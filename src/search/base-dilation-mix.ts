/**
 * BPAC in the supernet (the `baseDilations` decision): base k of a block runs its convs at every
 * rate it can take — the block's own dilation choices when the group keeps `block`, rate k of each
 * rate list otherwise — over its one set of weights, mixed by
 *
 *   P_k(d) = q_block · P_block(d) + Σ_{lists L} q_L · [L_k = d]
 *
 * with q the decision's probabilities and P_block the block's dilation distribution. A one-hot q
 * runs exactly the derived architecture's rate for every base. Kept apart from the supernet so
 * the relaxation is one small function over the block's existing dilation mix.
 */
import * as tf from '../util/tfjs.js';
import { baseDilationsOf } from '../space/decisions/index.js';

export interface DilationMix {
  rates: readonly number[];
  p: tf.Tensor1D;
}

/** Base `base`'s rates and their probabilities, from the block's mix and the rate lists `keys` with probabilities `q`. Untidied. */
export function baseDilationMix(block: DilationMix, keys: readonly string[], q: tf.Tensor1D, base: number): DilationMix {
  const lists = keys.map(baseDilationsOf);
  const rates = [...new Set([...(keys.includes('block') ? block.rates : []), ...lists.filter((l) => l.length > 0).map((l) => l[base % l.length]!)])];
  const onto = (value: number) => rates.map((r) => (r === value ? 1 : 0));
  // q · M: each list's rate for this base (a zero row for `block`).
  const fromLists = tf.reshape(
    tf.matMul(tf.reshape(q, [1, -1]), tf.tensor2d(lists.map((l) => (l.length > 0 ? onto(l[base % l.length]!) : rates.map(() => 0))))),
    [-1],
  );
  const blockIndex = keys.indexOf('block');
  if (blockIndex < 0) return { rates, p: fromLists as tf.Tensor1D };
  const qBlock = tf.squeeze(tf.slice(q, [blockIndex], [1]));
  const fromBlock = tf.mul(qBlock, tf.reshape(tf.matMul(tf.reshape(block.p, [1, -1]), tf.tensor2d(block.rates.map(onto))), [-1]));
  return { rates, p: tf.add(fromBlock, fromLists) as tf.Tensor1D };
}
