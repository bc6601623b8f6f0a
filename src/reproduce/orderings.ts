/**
 * The supplement's claims a reproduction checks, as orderings between presets' mean test
 * accuracies: accuracy rises with K (Table S2), Group-Net ≥ GBD v1 ≥ v2 ≥ v3 (Table S1),
 * 4-bit Group-Net K=5 within one point of the full-precision twin (Table S6).
 */

/** `a < b < c` (strict: a tie does not hold) or `a ≥ b ≥ c` (a tie holds). */
export interface ChainOrdering {
  kind: 'chain';
  relation: '<' | '≥';
  presets: string[];
  /** Short names shown in the verdict, one per preset (e.g. K=1, K=3, K=5). */
  labels: string[];
  /** What the supplement reports for the same claim. */
  source: string;
}

/** `preset` is at most `points` percentage points below `reference` (being above it holds too). */
export interface WithinOrdering {
  kind: 'within';
  preset: string;
  reference: string;
  points: number;
  labels: [string, string];
  source: string;
}

export type Ordering = ChainOrdering | WithinOrdering;

/** A preset's test accuracies over seeds, in % (the spread decides whether a holding order is clear). */
export interface AccuracyStats {
  mean: number;
  min: number;
  max: number;
}

export interface OrderingVerdict {
  claim: string;
  source: string;
  /** `incomplete`: a preset of the ordering has no finished run yet. */
  status: 'holds' | 'does not hold' | 'incomplete';
  /** The compared means, e.g. "79.0 < 81.2 < 82.0", and where the seed ranges overlap. */
  detail: string;
}

// Means are averages of count ratios; this keeps "exactly one point" from failing on rounding.
const EPSILON = 1e-9;

export function orderingClaim(o: Ordering): string {
  if (o.kind === 'chain') return o.labels.join(` ${o.relation} `);
  return `${o.labels[0]} within ${o.points} pt of ${o.labels[1]}`;
}

const pct = (v: number) => v.toFixed(2);

function checkChain(o: ChainOrdering, stats: ReadonlyMap<string, AccuracyStats>): Omit<OrderingVerdict, 'claim' | 'source'> {
  const found = o.presets.map((p) => stats.get(p));
  const missing = o.presets.filter((_, i) => found[i] === undefined);
  if (missing.length > 0) return { status: 'incomplete', detail: `no finished run of ${missing.join(', ')}` };
  const s = found as AccuracyStats[];
  const broken: string[] = [];
  const overlapping: string[] = [];
  for (let i = 0; i + 1 < s.length; i++) {
    const [a, b] = [s[i]!, s[i + 1]!];
    const holds = o.relation === '<' ? a.mean < b.mean : a.mean >= b.mean - EPSILON;
    if (!holds) broken.push(`${o.labels[i]} ${pct(a.mean)} vs ${o.labels[i + 1]} ${pct(b.mean)}`);
    else if (a.min <= b.max && b.min <= a.max) overlapping.push(`${o.labels[i]}/${o.labels[i + 1]}`);
  }
  const means = s.map((x) => pct(x.mean));
  if (broken.length > 0) return { status: 'does not hold', detail: `${means.join(', ')}: fails at ${broken.join('; ')}` };
  const chain = means.join(` ${o.relation} `);
  return { status: 'holds', detail: overlapping.length > 0 ? `${chain} (seed ranges overlap: ${overlapping.join(', ')})` : chain };
}

function checkWithin(o: WithinOrdering, stats: ReadonlyMap<string, AccuracyStats>): Omit<OrderingVerdict, 'claim' | 'source'> {
  const [a, ref] = [stats.get(o.preset), stats.get(o.reference)];
  const missing = [a === undefined ? o.preset : undefined, ref === undefined ? o.reference : undefined].filter((x) => x !== undefined);
  if (a === undefined || ref === undefined) return { status: 'incomplete', detail: `no finished run of ${missing.join(', ')}` };
  const gap = ref.mean - a.mean;
  const detail = `${o.labels[0]} ${pct(a.mean)}, ${o.labels[1]} ${pct(ref.mean)}: ${gap >= 0 ? `${pct(gap)} pt below` : `${pct(-gap)} pt above`}`;
  return { status: gap <= o.points + EPSILON ? 'holds' : 'does not hold', detail };
}

/** Check one ordering on the presets' accuracies (%); presets without a finished run make it `incomplete`. */
export function checkOrdering(o: Ordering, stats: ReadonlyMap<string, AccuracyStats>): OrderingVerdict {
  const verdict = o.kind === 'chain' ? checkChain(o, stats) : checkWithin(o, stats);
  return { claim: orderingClaim(o), source: o.source, ...verdict };
}
