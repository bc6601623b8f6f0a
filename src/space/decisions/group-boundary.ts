import { UsageError } from '../../util/errors.js';
import type { Decision } from '../decision.js';
import type { Boundary } from '../draft.js';

const BOUNDARIES: readonly Boundary[] = ['continue', 'aggregate', 'soft'];

export interface GroupBoundaryOptions {
  /** Default all three: `continue` (same group), `aggregate` (λ-sum and broadcast), `soft` (Group-Net's K'×K mix). */
  choices?: Boundary[];
  /** Boundaries it decides (boundary i sits after block i); default every boundary. */
  sites?: number[];
}

/**
 * What happens after block i: the group goes on, or it ends with a hard (aggregate) or soft
 * connection. Relaxed as the softmax mix of the three connection matrices (DESIGN §3: identity,
 * 1·λᵀ, learned M).
 */
export function groupBoundary(options: GroupBoundaryOptions = {}): Decision<Boundary> {
  const choices = options.choices ?? [...BOUNDARIES];
  for (const c of choices) {
    if (!BOUNDARIES.includes(c)) throw new UsageError(`groupBoundary: choice "${c}" is not one of ${BOUNDARIES.join(', ')}`);
  }
  return {
    name: 'groupBoundary',
    description: 'group boundary after a block: continue / aggregate / soft',
    choices,
    scope: 'boundary',
    ...(options.sites ? { sites: options.sites } : {}),
    relaxation: { kind: 'connection-mix' },
    apply(draft, site, choice) {
      draft.boundaries[site] = choice;
    },
    read: (draft, site) => draft.boundaries[site],
  };
}
