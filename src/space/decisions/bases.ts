import { UsageError } from '../../util/errors.js';
import type { Decision } from '../decision.js';

/** The most bases an architecture may use (arch.json schema limit). */
export const MAX_BASES = 8;

export interface BasesOptions {
  /** Candidate K values; default 1..`max`. */
  choices?: number[];
  /** Largest K when `choices` is not given; default 5 (the paper's Group-Net). */
  max?: number;
  /** Group start blocks it decides; default every block that may start a group. */
  sites?: number[];
}

/**
 * Number of binary bases K of a group. Relaxed FBNetV2-style: the supernet keeps max(choices)
 * bases and weights base k by the probability that K ≥ k (a prefix mask over bases).
 */
export function bases(options: BasesOptions = {}): Decision<number> {
  const max = options.max ?? 5;
  const choices = options.choices ?? Array.from({ length: max }, (_, i) => i + 1);
  for (const k of choices) {
    if (!Number.isInteger(k) || k < 1 || k > MAX_BASES) {
      throw new UsageError(`bases: choice ${k} is not an integer in 1..${MAX_BASES}`);
    }
  }
  return {
    name: 'bases',
    description: 'binary bases K per group',
    choices,
    scope: 'group',
    ...(options.sites ? { sites: options.sites } : {}),
    relaxation: { kind: 'base-mask', unit: 'bases', unitsKept: (choice) => Number(choice) },
    apply(draft, _site, choice, { group }) {
      for (let b = group.start; b < group.end; b++) draft.blockBases[b] = choice;
    },
    read: (draft, site) => draft.blockBases[site],
  };
}
