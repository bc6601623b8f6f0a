/**
 * Applying a decision's continuous relaxation. The supernet passes tfjs tensors and its own ops;
 * tests pass numbers. With one-hot probabilities every relaxation reduces exactly to the discrete
 * choice (`discrete()`): multiplying by 1 and adding 0·x are exact in floating point.
 */
import type { AnyDecision, ChoiceValue, Relaxation } from './decision.js';
import type { ArchDraft } from './draft.js';

/** The two operations a relaxation needs: T = candidate outputs, P = choice probabilities (scalars). */
export interface MixOps<T, P> {
  /** `x · p`. */
  scale(x: T, p: P): T;
  /** `a + b` for outputs. */
  add(a: T, b: T): T;
  /** `a + b` for probabilities (prefix masks sum the probabilities of the choices that keep a unit). */
  addProbabilities(a: P, b: P): P;
}

/** What the candidates are: one per choice (softmax-mix) or one per unit, i.e. base or channel (prefix-mask). */
export function candidateCount(decision: AnyDecision, site: number, template: Readonly<ArchDraft>): number {
  const r: Relaxation = decision.relaxation;
  if (r.kind === 'softmax-mix') return decision.choices.length;
  return Math.max(...(decision.choices as readonly ChoiceValue[]).map((c) => r.unitsKept(c, site, template)));
}

/**
 * For prefix masks: `mask[c][u]` = 1 when choice c keeps unit u. A unit's weight is `p · mask[:, u]`;
 * the supernet multiplies its channel mask by this matrix instead of splitting tensors per unit.
 */
export function prefixMaskMatrix(decision: AnyDecision, site: number, template: Readonly<ArchDraft>): number[][] {
  const r = decision.relaxation;
  if (r.kind !== 'prefix-mask') throw new Error(`decision ${decision.name} is not relaxed by a prefix mask`);
  const units = candidateCount(decision, site, template);
  return (decision.choices as readonly ChoiceValue[]).map((c) => {
    const kept = r.unitsKept(c, site, template);
    return Array.from({ length: units }, (_, u) => (u < kept ? 1 : 0));
  });
}

/** The weight of each candidate given choice probabilities (numbers; for logs and expected costs). */
export function candidateWeights(decision: AnyDecision, site: number, template: Readonly<ArchDraft>, probabilities: readonly number[]): number[] {
  checkProbabilities(decision, probabilities.length);
  if (decision.relaxation.kind === 'softmax-mix') return [...probabilities];
  const mask = prefixMaskMatrix(decision, site, template);
  return mask[0]!.map((_, u) => mask.reduce((sum, row, c) => sum + row[u]! * probabilities[c]!, 0));
}

/** The relaxed output: Σ over candidates of weight · candidate. */
export function relax<T, P>(
  decision: AnyDecision,
  site: number,
  template: Readonly<ArchDraft>,
  candidates: readonly T[],
  probabilities: readonly P[],
  ops: MixOps<T, P>,
): T {
  checkProbabilities(decision, probabilities.length);
  checkCandidates(decision, site, template, candidates.length);
  if (decision.relaxation.kind === 'softmax-mix') {
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
  decision: AnyDecision,
  site: number,
  template: Readonly<ArchDraft>,
  candidates: readonly T[],
  choice: number,
  add: (a: T, b: T) => T,
): T {
  checkCandidates(decision, site, template, candidates.length);
  const r = decision.relaxation;
  if (r.kind === 'softmax-mix') return candidates[choice]!;
  const kept = r.unitsKept(decision.choices[choice]!, site, template);
  return candidates.slice(0, kept).reduce((a, b) => add(a, b));
}

function checkProbabilities(decision: AnyDecision, n: number): void {
  if (n !== decision.choices.length) {
    throw new Error(`decision ${decision.name}: ${n} probabilities for ${decision.choices.length} choices`);
  }
}

function checkCandidates(decision: AnyDecision, site: number, template: Readonly<ArchDraft>, n: number): void {
  const expected = candidateCount(decision, site, template);
  if (n !== expected) throw new Error(`decision ${decision.name} at site ${site}: ${n} candidates, expected ${expected}`);
}
