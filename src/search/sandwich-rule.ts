/**
 * The sandwich rule (Yu & Huang, slimmable networks; BigNAS) for weight-sharing search. Under a
 * prefix-mask decision a small choice's weights are a prefix of a large one's (a group's first K
 * bases, a stage's first channels), so a drawn path trains only its prefix: under uniform sampling of
 * 1–5 bases a group's first base trains on every step and its fifth on a fifth of them, and the shared
 * weights come to serve the small paths (docs/RESULTS.md, the supernet's ranking at the real budget).
 * Training the largest path beside the drawn one trains every unit at every step.
 */
import * as tf from '../util/tfjs.js';
import { toDraft } from '../space/draft.js';
import type { SearchSpace } from '../space/search-space.js';
import type { ChoiceProbabilities } from './architecture-weights.js';

/** Per space variable: the index of its largest choice (most units kept) when it is a prefix mask, else undefined. */
export function largestChoices(space: SearchSpace): (number | undefined)[] {
  const template = toDraft(space.template);
  return space.variables.map((v) => {
    const unitsKept = v.decision.relaxation.unitsKept; // defined exactly for prefix masks
    if (unitsKept === undefined) return undefined;
    const kept = v.choices.map((c) => unitsKept(c, v.site, template));
    return kept.indexOf(Math.max(...kept));
  });
}

/** The largest path of a draw: every prefix-mask variable one-hot at its largest choice, every other variable as drawn. */
export function largestPath(drawn: ChoiceProbabilities, largest: readonly (number | undefined)[]): ChoiceProbabilities {
  return drawn.map((p, i) => {
    const index = largest[i];
    return index === undefined ? p : (tf.tensor1d(Array.from({ length: p.size }, (_, c) => (c === index ? 1 : 0))) as tf.Tensor1D);
  });
}
