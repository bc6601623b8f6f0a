import { UsageError } from '../../util/errors.js';
import type { ActivationBits } from '../arch.js';
import type { Decision } from '../decision.js';

const BITS: readonly ActivationBits[] = [1, 2, 4, 32];

export interface ActivationBitsOptions {
  /** Default {1, 2, 4}; 32 makes the group full precision. */
  choices?: ActivationBits[];
  /** Group start blocks it decides; default every block that may start a group. */
  sites?: number[];
}

/** Activation precision of a group. Relaxed as the softmax-weighted sum of the quantizers' outputs. */
export function activationBits(options: ActivationBitsOptions = {}): Decision<ActivationBits> {
  const choices = options.choices ?? [1, 2, 4];
  for (const b of choices) {
    if (!BITS.includes(b)) throw new UsageError(`activationBits: choice ${b} is not one of ${BITS.join(', ')}`);
  }
  return {
    name: 'activationBits',
    description: 'activation bits per group',
    choices,
    scope: 'group',
    ...(options.sites ? { sites: options.sites } : {}),
    relaxation: { kind: 'quantizer-mix' },
    apply(draft, _site, choice, { group }) {
      for (let b = group.start; b < group.end; b++) draft.blockBits[b] = choice;
    },
    read: (draft, site) => draft.blockBits[site],
  };
}
