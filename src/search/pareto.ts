/**
 * Pareto fronts of evaluated architectures (DESIGN §1): the candidates no other candidate beats on
 * every objective at once. A search reports two: accuracy vs measured latency (the real cost) and
 * accuracy vs BOPs (the hardware-free proxy), and chooses its architecture on the first.
 */

/** One objective: how to read it off a point and which way is better. */
export interface Objective<T> {
  name: string;
  value: (point: T) => number;
  better: 'higher' | 'lower';
}

/** Accuracy ↑ vs one cost ↓: the two-objective fronts a search report draws. */
export function accuracyVersusCost<T>(accuracy: (p: T) => number, costName: string, cost: (p: T) => number): [Objective<T>, Objective<T>] {
  return [
    { name: 'accuracy', value: accuracy, better: 'higher' },
    { name: costName, value: cost, better: 'lower' },
  ];
}

/** Is `a` at least as good as `b` on every objective and strictly better on one? */
export function dominates<T>(a: T, b: T, objectives: readonly Objective<T>[]): boolean {
  let strictly = false;
  for (const o of objectives) {
    const gain = o.better === 'higher' ? o.value(a) - o.value(b) : o.value(b) - o.value(a);
    if (gain < 0) return false;
    if (gain > 0) strictly = true;
  }
  return strictly;
}

/**
 * Indices of the non-dominated points, ordered by the last objective (the cost), best first.
 * Points with a non-finite value on any objective (e.g. a failed or unmeasured candidate) are never
 * on the front. Exact duplicates are all kept: neither dominates the other.
 */
export function paretoFront<T>(points: readonly T[], objectives: readonly Objective<T>[]): number[] {
  const valid = points.map((p, i) => ({ p, i })).filter(({ p }) => objectives.every((o) => Number.isFinite(o.value(p))));
  const front = valid.filter(({ p }) => !valid.some(({ p: q }) => dominates(q, p, objectives))).map(({ i }) => i);
  const order = objectives[objectives.length - 1];
  if (order === undefined) return front;
  const key = (i: number) => (order.better === 'lower' ? order.value(points[i]!) : -order.value(points[i]!));
  return front.sort((a, b) => key(a) - key(b) || a - b);
}

/**
 * The most accurate point whose cost is within `budget` (ties: the cheaper, then the earlier);
 * undefined when none fits. It always lies on the accuracy/cost front.
 */
export function bestWithinBudget<T>(points: readonly T[], accuracy: (p: T) => number, cost: (p: T) => number, budget: number): number | undefined {
  let best: number | undefined;
  points.forEach((p, i) => {
    const a = accuracy(p);
    const c = cost(p);
    if (!Number.isFinite(a) || !Number.isFinite(c) || c > budget) return;
    if (best === undefined) {
      best = i;
      return;
    }
    const bestA = accuracy(points[best]!);
    if (a > bestA || (a === bestA && c < cost(points[best]!))) best = i;
  });
  return best;
}
