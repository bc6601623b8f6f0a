/**
 * Rank correlations between two scorings of the same items (a supernet's accuracy estimate of
 * architectures vs their stand-alone accuracy): Kendall's τ-b (pairs ordered alike minus pairs
 * ordered oppositely, ties corrected) and Spearman's ρ (Pearson correlation of the ranks, ties
 * sharing their mean rank). Both lie in [−1, 1]; 1 = the same order.
 */
import { UsageError } from '../util/errors.js';

function checkPaired(a: readonly number[], b: readonly number[]): void {
  if (a.length !== b.length) throw new UsageError(`rank correlation: ${a.length} scores against ${b.length}`);
  if (a.length < 2) throw new UsageError('rank correlation: needs at least two items');
}

/** Kendall's τ-b; NaN when either scoring gives every item the same score. */
export function kendallTau(a: readonly number[], b: readonly number[]): number {
  checkPaired(a, b);
  let concordant = 0;
  let discordant = 0;
  let tiesA = 0;
  let tiesB = 0;
  for (let i = 0; i < a.length; i++) {
    for (let j = i + 1; j < a.length; j++) {
      const da = Math.sign(a[i]! - a[j]!);
      const db = Math.sign(b[i]! - b[j]!);
      if (da === 0 && db === 0) continue;
      if (da === 0) tiesA++;
      else if (db === 0) tiesB++;
      else if (da === db) concordant++;
      else discordant++;
    }
  }
  return (concordant - discordant) / Math.sqrt((concordant + discordant + tiesA) * (concordant + discordant + tiesB));
}

/** Ranks 1..n, ties sharing the mean of the ranks they span. */
export function ranks(values: readonly number[]): number[] {
  const order = values.map((v, i) => ({ v, i })).sort((p, q) => p.v - q.v);
  const out = new Array<number>(values.length);
  for (let start = 0; start < order.length;) {
    let end = start + 1;
    while (end < order.length && order[end]!.v === order[start]!.v) end++;
    const rank = (start + 1 + end) / 2;
    for (let k = start; k < end; k++) out[order[k]!.i] = rank;
    start = end;
  }
  return out;
}

/** Spearman's ρ; NaN when either scoring gives every item the same score. */
export function spearmanRho(a: readonly number[], b: readonly number[]): number {
  checkPaired(a, b);
  const ra = ranks(a);
  const rb = ranks(b);
  const mean = (r: number[]) => r.reduce((s, v) => s + v, 0) / r.length;
  const ma = mean(ra);
  const mb = mean(rb);
  let cov = 0;
  let va = 0;
  let vb = 0;
  for (let i = 0; i < ra.length; i++) {
    cov += (ra[i]! - ma) * (rb[i]! - mb);
    va += (ra[i]! - ma) ** 2;
    vb += (rb[i]! - mb) ** 2;
  }
  return cov / Math.sqrt(va * vb);
}
