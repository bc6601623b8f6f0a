/**
 * The relaxation contract (DESIGN §4): how the supernet makes a decision differentiable in α.
 *
 * Every decision carries a `Relaxation`: plain data whose `kind` names the supernet's
 * implementation of it. src/search keeps a registry of relaxation hooks, the tfjs side of each
 * kind, and the supernet asks a decision's hook what the decision does to the network; it never
 * asks which decision it is looking at. The space room holds the data only (no tensors here).
 *
 * What a relaxation computes, with p = softmax(α) over a variable's choices (one variable = one
 * decision at one site) and y_c the site's output under choice c, is one of two weightings:
 *
 *   softmax       y = Σ_c p_c · y_c                              (DARTS: every choice, weighted)
 *   prefix mask   y = Σ_u m_u · y_u,  m_u = Σ_{c keeps u} p_c    (FBNetV2: choice c keeps the first
 *                                                                  n_c units — bases, channels)
 *
 * With one-hot p both reduce exactly to the discrete choice (1·y + 0·others is exact in floating
 * point), which is why a supernet with one-hot α computes the derived architecture's logits.
 *
 * The generic case, `softmax-mix` (DARTS MixedOp): the supernet builds the decision's site once
 * per choice — it applies the choice to a draft of the template, as `SearchSpace.decode` does, and
 * builds the blocks the draft then holds — runs the branches on the same input and mixes their
 * outputs by softmax(α). Parameters are shared between branches where name and shape agree.
 * Any decision whose choices only change blocks (kind, kernel, dilation) and keep every block's
 * output shape can use it:
 *
 *   { name: 'kernelSize', scope: 'stage', choices: [3, 5], relaxation: { kind: 'softmax-mix' },
 *     apply: (draft, stage, k) => { for (const b of draft.blocks) if (b.stage === stage) b.kernel = k; }, … }
 *
 * A built-in with a cheaper relaxation, `base-mask` (the `bases` decision): rather than a branch
 * per K, the supernet holds K_max bases once and weights base k by P(K > k), a prefix mask over
 * bases; `unitsKept(K) = K` says how many bases choice K keeps:
 *
 *   { name: 'bases', scope: 'group', choices: [1, 2, 3], relaxation: { kind: 'base-mask', unit: 'bases', unitsKept: (K) => K }, … }
 *
 * The built-in kinds: `softmax-mix` (generic), `base-mask` (bases), `channel-mask` (stage widths:
 * channel prefix masks), `connection-mix` (group boundaries: the connection matrices mixed),
 * `quantizer-mix` (activation bits: the quantizers' outputs mixed), `dilation-mix` (dilation: the
 * convs at every rate over shared weights), `base-dilation-mix` (BPAC per-base rate lists: each
 * base's convs at every rate it can take, over its weights). A user's own kind is registered in src/search
 * (`registerRelaxation`) and named here like any other.
 *
 * `relax` and `discrete` below apply either weighting to candidate outputs through a small ops
 * interface (numbers in tests, tensors where a caller wants them): the math every hook implements.
 */
import type { ArchDraft } from './draft.js';

/** A choice value as it appears in files and α logs. */
export type ChoiceValue = number | string;

/** The built-in relaxation kinds (the registry accepts any other name a hook is registered under). */
export type BuiltInRelaxationKind = 'softmax-mix' | 'base-mask' | 'channel-mask' | 'connection-mix' | 'quantizer-mix' | 'dilation-mix' | 'base-dilation-mix';

/** The generic relaxation: build the site once per choice and mix the outputs by softmax(α). */
export const MIXED_OP: BuiltInRelaxationKind = 'softmax-mix';

export interface Relaxation {
  /** The supernet implementation, by the name its hook is registered under (a built-in kind or a user's). */
  readonly kind: BuiltInRelaxationKind | (string & Record<never, never>);
  /** Prefix-mask relaxations: what the masked units are, for logs (`bases`, `channels`). */
  readonly unit?: string;
  /**
   * Prefix-mask relaxations: how many leading units a choice keeps at a site (`template` = the
   * space's starting draft). Absent: the softmax weighting, one candidate per choice.
   */
  unitsKept?(choice: ChoiceValue, site: number, template: Readonly<ArchDraft>): number;
}

/** What the weighting helpers read of a decision (a `Decision` satisfies it). */
export interface RelaxedDecision {
  readonly name: string;
  readonly choices: readonly ChoiceValue[];
  readonly relaxation: Relaxation;
}

/** The two operations a relaxation needs: T = candidate outputs, P = choice probabilities (scalars). */
export interface MixOps<T, P> {
  /** `x · p`. */
  scale(x: T, p: P): T;
  /** `a + b` for outputs. */
  add(a: T, b: T): T;
  /** `a + b` for probabilities (prefix masks sum the probabilities of the choices that keep a unit). */
  addProbabilities(a: P, b: P): P;
}

/** Units a prefix-mask choice keeps; undefined for the softmax weighting. */
function kept(decision: RelaxedDecision, choice: ChoiceValue, site: number, template: Readonly<ArchDraft>): number | undefined {
  const r = decision.relaxation;
  return r.unitsKept === undefined ? undefined : r.unitsKept(choice, site, template);
}

/** Whether the decision is relaxed by a prefix mask (else by the softmax weighting). */
export function isPrefixMask(decision: RelaxedDecision): boolean {
  return decision.relaxation.unitsKept !== undefined;
}

/** What the candidates are: one per choice (softmax) or one per unit, i.e. base or channel (prefix mask). */
export function candidateCount(decision: RelaxedDecision, site: number, template: Readonly<ArchDraft>): number {
  if (!isPrefixMask(decision)) return decision.choices.length;
  return Math.max(...decision.choices.map((c) => kept(decision, c, site, template)!));
}

/**
 * For prefix masks: `mask[c][u]` = 1 when choice c keeps unit u. A unit's weight is `p · mask[:, u]`;
 * the supernet multiplies its channel mask by this matrix instead of splitting tensors per unit.
 */
export function prefixMaskMatrix(decision: RelaxedDecision, site: number, template: Readonly<ArchDraft>): number[][] {
  if (!isPrefixMask(decision)) throw new Error(`decision ${decision.name} is not relaxed by a prefix mask`);
  const units = candidateCount(decision, site, template);
  return decision.choices.map((c) => {
    const n = kept(decision, c, site, template)!;
    return Array.from({ length: units }, (_, u) => (u < n ? 1 : 0));
  });
}

/** The weight of each candidate given choice probabilities (numbers; for logs and expected costs). */
export function candidateWeights(decision: RelaxedDecision, site: number, template: Readonly<ArchDraft>, probabilities: readonly number[]): number[] {
  checkProbabilities(decision, probabilities.length);
  if (!isPrefixMask(decision)) return [...probabilities];
  const mask = prefixMaskMatrix(decision, site, template);
  return mask[0]!.map((_, u) => mask.reduce((sum, row, c) => sum + row[u]! * probabilities[c]!, 0));
}

/** The relaxed output: Σ over candidates of weight · candidate. */
export function relax<T, P>(
  decision: RelaxedDecision,
  site: number,
  template: Readonly<ArchDraft>,
  candidates: readonly T[],
  probabilities: readonly P[],
  ops: MixOps<T, P>,
): T {
  checkProbabilities(decision, probabilities.length);
  checkCandidates(decision, site, template, candidates.length);
  if (!isPrefixMask(decision)) {
    return candidates.map((x, c) => ops.scale(x, probabilities[c]!)).reduce((a, b) => ops.add(a, b));
  }
  const mask = prefixMaskMatrix(decision, site, template);
  const terms = candidates.map((x, u) => {
    const keepers = probabilities.filter((_, c) => mask[c]![u] === 1);
    // Every unit is kept by at least the largest choice, so `keepers` is never empty.
    return ops.scale(
      x,
      keepers.reduce((a, b) => ops.addProbabilities(a, b)),
    );
  });
  return terms.reduce((a, b) => ops.add(a, b));
}

/** What the derived (discrete) network computes for choice index `choice`. */
export function discrete<T>(
  decision: RelaxedDecision,
  site: number,
  template: Readonly<ArchDraft>,
  candidates: readonly T[],
  choice: number,
  add: (a: T, b: T) => T,
): T {
  checkCandidates(decision, site, template, candidates.length);
  const n = kept(decision, decision.choices[choice]!, site, template);
  if (n === undefined) return candidates[choice]!;
  return candidates.slice(0, n).reduce((a, b) => add(a, b));
}

function checkProbabilities(decision: RelaxedDecision, n: number): void {
  if (n !== decision.choices.length) {
    throw new Error(`decision ${decision.name}: ${n} probabilities for ${decision.choices.length} choices`);
  }
}

function checkCandidates(decision: RelaxedDecision, site: number, template: Readonly<ArchDraft>, n: number): void {
  const expected = candidateCount(decision, site, template);
  if (n !== expected) throw new Error(`decision ${decision.name} at site ${site}: ${n} candidates, expected ${expected}`);
}
