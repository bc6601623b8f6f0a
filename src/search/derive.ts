/**
 * Derivation: from choice probabilities to discrete architectures. The argmax architecture takes
 * the most probable choice of every variable; the top-N are the N most probable *distinct*
 * architectures, where an architecture's probability is the product over the variables that
 * matter for it (a group site inside another group does not). Enumerated best-first over choice
 * vectors (each step lowers one variable to its next most probable choice), then de-duplicated by
 * the function they compute: architectures with the same canonical form (`canonicalArch`, e.g. a
 * soft and an aggregate connection into a single base) count once, represented by the most
 * probable of them.
 */
import type { Arch } from '../space/arch.js';
import { canonicalKey } from '../space/canonical-arch.js';
import type { SearchSpace } from '../space/search-space.js';

export interface DerivedCandidate {
  arch: Arch;
  /** Canonical choice indices (`space.encode(arch)`). */
  indices: number[];
  /** log P(arch) over the variables active in it. */
  logProbability: number;
}

/** Most probable choice per variable (ties: the first choice). */
export function argmaxIndices(probabilities: readonly (readonly number[])[]): number[] {
  return probabilities.map((p) => p.reduce((best, v, i) => (v > p[best]! ? i : best), 0));
}

function activeLogProbability(space: SearchSpace, indices: number[], probabilities: readonly (readonly number[])[]): number {
  const active = space.activeVariables(indices);
  return indices.reduce((sum, c, i) => sum + (active[i] ? Math.log(Math.max(probabilities[i]![c]!, 1e-30)) : 0), 0);
}

/**
 * The argmax architecture's function, then the next most probable distinct functions, `count` in
 * all; each is represented by its most probable architecture. Explores at most `maxVectors` choice
 * vectors; architectures violating the space's constraints are skipped.
 */
export function topCandidates(space: SearchSpace, probabilities: readonly (readonly number[])[], count: number, maxVectors = 5000): DerivedCandidate[] {
  // Per variable, choices ordered by probability (stable: ties keep choice order).
  const order = probabilities.map((p) => p.map((_, c) => c).sort((a, b) => p[b]! - p[a]! || a - b));
  const vectorScore = (ranks: number[]) => ranks.reduce((sum, r, i) => sum + Math.log(Math.max(probabilities[i]![order[i]![r]!]!, 1e-30)), 0);
  const seenVectors = new Set<string>();
  const seenArchs = new Set<string>();
  // Best representative per canonical form, in the order the forms were first found.
  const best = new Map<string, DerivedCandidate>();
  const frontier: { ranks: number[]; score: number }[] = [];
  const push = (ranks: number[]) => {
    const key = ranks.join('.');
    if (seenVectors.has(key)) return;
    seenVectors.add(key);
    frontier.push({ ranks, score: vectorScore(ranks) });
  };
  push(probabilities.map(() => 0));
  let explored = 0;
  // Keep exploring past `count` finds a little: a later vector can decode to a more probable architecture.
  while (frontier.length > 0 && explored < maxVectors && best.size < count * 4) {
    frontier.sort((a, b) => b.score - a.score);
    const { ranks } = frontier.shift()!;
    explored++;
    const raw = ranks.map((r, i) => order[i]![r]!);
    const indices = space.encode(space.decode(raw));
    const arch = space.decode(indices);
    const key = indices.join('.');
    if (!seenArchs.has(key)) {
      seenArchs.add(key);
      if (space.violations(arch).length === 0) {
        const candidate = { arch, indices, logProbability: activeLogProbability(space, indices, probabilities) };
        const form = canonicalKey(arch);
        const held = best.get(form);
        if (held === undefined || candidate.logProbability > held.logProbability) best.set(form, candidate);
      }
    }
    ranks.forEach((r, i) => {
      if (r + 1 < order[i]!.length) push(ranks.map((v, j) => (j === i ? v + 1 : v)));
    });
  }
  // The argmax architecture's form (the first found) leads; the rest by probability.
  const [first, ...rest] = best.values();
  return first === undefined ? [] : [first, ...rest.sort((a, b) => b.logProbability - a.logProbability)].slice(0, count);
}

/** A supernet search's candidate, before it is named and priced for candidates.json. */
export interface OrderedCandidate {
  indices: number[];
  /** `target`, `argmax` or `top` (SearchCandidate's meanings). */
  derivation: 'target' | 'argmax' | 'top';
  /** P(arch) over the variables active in it. */
  probability: number;
}

/**
 * The candidates a supernet search hands to evaluation, `count` in all: the architecture fitted to
 * the cost target when there is one (`fitToTarget`), else the argmax; then the most probable
 * distinct others, where one equivalent to the first (same canonical form) is dropped. Empty when
 * no architecture satisfies the space's constraints.
 */
export function deriveCandidates(
  space: SearchSpace,
  probabilities: readonly (readonly number[])[],
  count: number,
  fit?: { cost: (arch: Arch) => number; target: number },
): OrderedCandidate[] {
  const top = topCandidates(space, probabilities, count + 1);
  if (top.length === 0) return [];
  const first = fit ? fitToTarget(space, probabilities, fit.cost, fit.target) : top[0]!.indices;
  const firstForm = canonicalKey(space.decode(first));
  const argmaxIsFirst = canonicalKey(top[0]!.arch) === firstForm;
  const ordered: Omit<OrderedCandidate, 'probability'>[] = [
    { indices: first, derivation: fit ? 'target' : 'argmax' },
    ...top
      .filter((t) => canonicalKey(t.arch) !== firstForm)
      .map((t, i): Omit<OrderedCandidate, 'probability'> => ({ indices: t.indices, derivation: i === 0 && fit && !argmaxIsFirst ? 'argmax' : 'top' })),
  ];
  return ordered.slice(0, count).map((c) => ({ ...c, probability: Math.exp(activeLogProbability(space, c.indices, probabilities)) }));
}

/** How near a cost target a derived architecture must be priced (relative): ±10%. */
export const TARGET_TOLERANCE = 0.1;

/**
 * The most probable architecture near a cost target. The argmax takes each variable's most
 * probable choice independently, so its cost can land far from where E[cost] settled (the
 * expected cost meets the target; the mode need not). Starting from the argmax, repeatedly make
 * the choice change that gives up the least log-probability per unit of distance to the target,
 * until the cost is within `tolerance` (relative) or no change gets closer. When every single
 * change overshoots (one more base or bit is a big step in a small network), pairs of changes are
 * tried too: one step up and one down can land between. Returns the canonical indices of the
 * closest architecture found.
 */
export function fitToTarget(
  space: SearchSpace,
  probabilities: readonly (readonly number[])[],
  cost: (arch: Arch) => number,
  target: number,
  tolerance = TARGET_TOLERANCE,
  maxChanges = 200,
): number[] {
  let indices = space.encode(space.decode(argmaxIndices(probabilities)));
  const logP = (v: number, c: number) => Math.log(Math.max(probabilities[v]![c]!, 1e-30));
  for (let step = 0; step < maxChanges; step++) {
    const distance = Math.abs(cost(space.decode(indices)) - target);
    if (distance <= tolerance * target) break;
    const current = indices;
    const singles = singleChanges(space, current);
    // Give up the least log-probability per unit of distance gained; undefined when nothing gets closer.
    const cheapest = (changes: Iterable<ChoiceChange[]>) => {
      let best: { indices: number[]; score: number } | undefined;
      for (const change of changes) {
        const next = current.map((x, v) => change.find((c) => c.variable === v)?.choice ?? x);
        const gained = distance - Math.abs(cost(space.decode(next)) - target);
        if (gained <= 0) continue;
        const lost = change.reduce((sum, c) => sum + logP(c.variable, current[c.variable]!) - logP(c.variable, c.choice), 0);
        const score = lost / gained;
        if (best === undefined || score < best.score) best = { indices: next, score };
      }
      return best;
    };
    const best = cheapest(singles.map((c) => [c])) ?? cheapest(changePairs(singles));
    if (best === undefined) break;
    indices = space.encode(space.decode(best.indices));
  }
  return indices;
}

interface ChoiceChange {
  variable: number;
  choice: number;
}

/** Every change of one active variable to another of its choices. */
function singleChanges(space: SearchSpace, indices: readonly number[]): ChoiceChange[] {
  const active = space.activeVariables(indices);
  const changes: ChoiceChange[] = [];
  indices.forEach((current, variable) => {
    if (!active[variable]) return;
    for (let choice = 0; choice < space.variables[variable]!.choices.length; choice++) {
      if (choice !== current) changes.push({ variable, choice });
    }
  });
  return changes;
}

/** Every two single changes of different variables, made together. */
function* changePairs(singles: readonly ChoiceChange[]): Generator<ChoiceChange[]> {
  for (let i = 0; i < singles.length; i++) {
    for (let j = i + 1; j < singles.length; j++) {
      if (singles[i]!.variable !== singles[j]!.variable) yield [singles[i]!, singles[j]!];
    }
  }
}
