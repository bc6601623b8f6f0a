/**
 * From choice probabilities to what each block of the supernet needs (DESIGN §4):
 *
 * - `startProbabilities[i][s]`: P(the group containing block i starts at block s). Block 0 starts a
 *   group; block i starts one unless boundary i−1 continues:
 *   π_i(s<i) = π_{i−1}(s) · P(boundary i−1 = continue),  π_i(i) = 1 − P(boundary i−1 = continue).
 * - `groupBases[s]`, `groupBits[s]`: distributions of K (over 1..K_max) and of activation bits of a
 *   group starting at s (its variables' probabilities, or the template's fixed value one-hot).
 * - `blockBases[i] = Σ_s π_i(s) · groupBases[s]`, likewise `blockBits[i]`: what block i runs with.
 *   FBNetV2 prefix mask over bases: base k is kept with probability P(K_i > k).
 * - `boundaries[b]`: P(continue, aggregate, soft) after block b.
 * - `stageWidths[s]`: distribution over stage s's widths; `blockDilations[i]` over block i's dilations.
 * - `blockBranches[i]`: distribution over block i's branches (mixed op): the product of its
 *   variables' probabilities, summed over the combinations that build the same branch.
 *
 * With one-hot probabilities every quantity is exactly 0 or 1 and the supernet computes the
 * derived architecture. All are tensors, differentiable in α.
 */
import * as tf from '../util/tfjs.js';
import type { ChoiceProbabilities } from './architecture-weights.js';
import { BOUNDARY_KINDS, groupCanStart, type BlockBranches, type SiteSetting, type SupernetLayout } from './supernet-layout.js';

export interface StructureWeights {
  /** `[i][s]` scalar tensors for s ≤ i (zero where no group can start). */
  startProbabilities: (tf.Scalar | undefined)[][];
  /** Per block s: [K_max] distribution of K of a group starting at s (undefined where none can start). */
  groupBases: (tf.Tensor1D | undefined)[];
  /** Per block s: [bits] distribution over `layout.bitChoices`. */
  groupBits: (tf.Tensor1D | undefined)[];
  /** Per block i: [K_max] distribution of the K block i runs with. */
  blockBases: tf.Tensor1D[];
  /** Per block i: [bits] distribution of block i's activation bits. */
  blockBits: tf.Tensor1D[];
  /** Per boundary b: [3] probabilities of continue / aggregate / soft. */
  boundaries: tf.Tensor1D[];
  /** Per stage: distribution over `layout.widths[s].support`. */
  stageWidths: tf.Tensor1D[];
  /** Per block: distribution over `layout.dilations[i].support`. */
  blockDilations: tf.Tensor1D[];
  /** Per block: distribution over `layout.baseDilations[i].support` (BPAC rate lists). */
  blockBaseDilations: tf.Tensor1D[];
  /** Per block: distribution over `layout.branches[i].specs` (undefined where the block has no branches). */
  blockBranches: (tf.Tensor1D | undefined)[];
}

function settingDistribution<V>(setting: SiteSetting<V>, axis: readonly V[], probabilities: ChoiceProbabilities, embeddings: number[][][]): tf.Tensor1D {
  if (setting.variable === undefined) {
    return tf.tensor1d(axis.map((a) => (a === setting.fixed ? 1 : 0)));
  }
  const p = probabilities[setting.variable]!;
  return tf.squeeze(tf.matMul(tf.reshape(p, [1, -1]), tf.tensor2d(embeddings[setting.variable]!)), [0]) as tf.Tensor1D;
}

/** Untidied: call inside the caller's tf.tidy. */
export function structureWeights(layout: SupernetLayout, probabilities: ChoiceProbabilities): StructureWeights {
  const n = layout.blockCount;
  const kAxis = Array.from({ length: layout.kMax }, (_, k) => k + 1);
  const boundaries = layout.boundaries.map((b) => settingDistribution(b, BOUNDARY_KINDS, probabilities, layout.embeddings));
  const groupBases = layout.bases.map((b, s) => (groupCanStart(layout, s) ? settingDistribution(b, kAxis, probabilities, layout.embeddings) : undefined));
  const groupBits = layout.bits.map((b, s) =>
    groupCanStart(layout, s) ? settingDistribution(b, layout.bitChoices, probabilities, layout.embeddings) : undefined,
  );

  const startProbabilities: (tf.Scalar | undefined)[][] = [[tf.scalar(1)]];
  for (let i = 1; i < n; i++) {
    const previous = startProbabilities[i - 1]!;
    if (!groupCanStart(layout, i)) {
      startProbabilities.push([...previous, undefined]);
      continue;
    }
    const continues = tf.squeeze(tf.slice(boundaries[i - 1]!, [0], [1])) as tf.Scalar;
    startProbabilities.push([...previous.map((p) => (p === undefined ? undefined : (tf.mul(p, continues) as tf.Scalar))), tf.sub(1, continues) as tf.Scalar]);
  }
  const mixture = (perGroup: (tf.Tensor1D | undefined)[], i: number): tf.Tensor1D => {
    const terms = startProbabilities[i]!.flatMap((p, s) => (p === undefined ? [] : [tf.mul(p, perGroup[s]!)]));
    return (terms.length === 1 ? terms[0]! : tf.addN(terms)) as tf.Tensor1D;
  };
  const blockBases = Array.from({ length: n }, (_, i) => mixture(groupBases, i));
  const blockBits = Array.from({ length: n }, (_, i) => mixture(groupBits, i));
  const stageWidths = layout.widths.map((w) => settingDistribution(w, w.support, probabilities, layout.embeddings));
  const blockDilations = layout.dilations.map((d) => settingDistribution(d, d.support, probabilities, layout.embeddings));
  const blockBaseDilations = layout.baseDilations.map((d) => settingDistribution(d, d.support, probabilities, layout.embeddings));
  const blockBranches = layout.branches.map((b) => (b === undefined ? undefined : branchDistribution(b, probabilities)));
  return { startProbabilities, groupBases, groupBits, blockBases, blockBits, boundaries, stageWidths, blockDilations, blockBaseDilations, blockBranches };
}

/** P(branch) of a block: the axes' probabilities multiplied out (first axis slowest), then summed per branch. */
function branchDistribution(branches: BlockBranches, probabilities: ChoiceProbabilities): tf.Tensor1D {
  let p = probabilities[branches.axes[0]!.variable]!;
  for (const axis of branches.axes.slice(1)) {
    p = tf.reshape(tf.mul(tf.reshape(p, [-1, 1]), tf.reshape(probabilities[axis.variable]!, [1, -1])), [-1]) as tf.Tensor1D;
  }
  const count = branches.specs.length;
  if (branches.branchOf.every((b, combo) => b === combo) && branches.branchOf.length === count) return p;
  const sum = branches.branchOf.map((b) => Array.from({ length: count }, (_, c) => (c === b ? 1 : 0)));
  return tf.reshape(tf.matMul(tf.reshape(p, [1, -1]), tf.tensor2d(sum)), [count]) as tf.Tensor1D;
}
