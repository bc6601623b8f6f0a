/**
 * The tfjs side of the relaxation contract (space/relaxation.ts): a `RelaxationHook` per
 * relaxation kind, looked up by the kind a decision's `relaxation` names (relaxation-registry.ts).
 * While the supernet's layout is built, each variable's hook says what the variable decides in the
 * supernet by handing it to one of the supernet's parts (`LayoutSlots`): the bases of a group, its
 * activation bits, a group boundary, a stage's width, a block's dilation, a group's per-base
 * dilation rates (BPAC), or the blocks its
 * choices write, built once per choice (the generic mixed op). The supernet then computes each
 * part from the probabilities of the variables it was handed; it never reads a decision's name.
 *
 * A hook of the generic kind also says how the branches' outputs combine (`BranchMix`): DARTS'
 * softmax-weighted sum (`softmaxMix`, mixed-op.ts) or a mix of the user's own, e.g. one branch
 * drawn per weight step.
 */
import type * as tf from '../util/tfjs.js';
import type { ActivationBits } from '../space/arch.js';
import type { ArchDraft, Boundary } from '../space/draft.js';
import type { SearchSpace, SpaceVariable } from '../space/search-space.js';

/** A variable being placed: `index` is its position in `space.variables` (and in α). */
export interface PlacedVariable extends SpaceVariable {
  index: number;
}

/** What a branch mix gets at one block of one base. */
export interface BranchMixInput {
  /** How many branches the block has. */
  count: number;
  /** Branch b's output on this base's input (computed when asked: a mix that skips a branch saves its cost). */
  branch(b: number): tf.Tensor4D;
  /** [count] probabilities of the branches. */
  p: tf.Tensor1D;
  /** False in a weight step: `p` is a constant of the pass (no gradient is asked of it). */
  alphaGradient: boolean;
  /**
   * With a draw key (`SupernetPass.draw`, which weight steps pass): a uniform number in [0, 1) seeded
   * by the supernet's seed, the key and the block, the same for every base (a single-path draw).
   * Undefined in passes without one (α steps).
   */
  draw?: () => number;
}

/** How a mixed op combines its branches' outputs (all of one shape) into the block's output. */
export type BranchMix = (input: BranchMixInput) => tf.Tensor4D;

/** The supernet's parts a hook hands a variable to (implemented by supernet-layout.ts). */
export interface LayoutSlots {
  readonly space: SearchSpace;
  /** What each choice of `v` writes, read by `read` off the template's draft with that choice applied. */
  written<V>(v: PlacedVariable, read: (draft: Readonly<ArchDraft>) => V): V[];
  /** K of a group starting at block `v.site`: K_max bases held once, base k weighted by P(K > k). */
  groupBases(v: PlacedVariable, bases: number[]): void;
  /** Activation bits of a group starting at block `v.site`: the quantizers' outputs mixed. */
  groupBits(v: PlacedVariable, bits: ActivationBits[]): void;
  /** What follows block `v.site`: continue / aggregate / soft, the connection matrices mixed. */
  boundary(v: PlacedVariable, kinds: Boundary[]): void;
  /** Channels of stage `v.site`: the widest held, channel prefix masks. */
  stageWidth(v: PlacedVariable, channels: number[]): void;
  /** Dilation of block `v.site`'s k×k convs: every rate over the same weights, outputs mixed. */
  blockDilation(v: PlacedVariable, rates: number[]): void;
  /** BPAC rate lists (`baseDilationsKey` values) of the one-block group at block `v.site`: base k's convs at each rate it can take, mixed. */
  groupBaseDilations(v: PlacedVariable, lists: string[]): void;
  /**
   * The generic mixed op: every block `v`'s choices write is built once per choice (weights shared
   * where name and shape agree) and its branches' outputs are combined by `mix`. Refused, naming the
   * decision, the site and the choice, when a choice writes anything but blocks or changes a block's
   * output shape.
   */
  blockBranches(v: PlacedVariable, mix: BranchMix): void;
}

export interface RelaxationHook {
  /** The relaxation kind it implements: decisions whose `relaxation.kind` is this use it. */
  readonly kind: string;
  /** Hand one variable of such a decision to the supernet's part that realizes it (called once per variable). */
  place(v: PlacedVariable, layout: LayoutSlots): void;
}
