import { UsageError } from '../../util/errors.js';
import type { Decision } from '../decision.js';

export interface DilationOptions {
  /** Default {1, 2, 4, 8} (the supplement's BPAC rates). */
  choices?: number[];
  /** Blocks it decides; default every block. Segmentation backbones use the last blocks. */
  sites?: number[];
}

/**
 * Dilation of a block's main convs (atrous). Relaxed over shared weights: each k×k conv runs at
 * every rate with the same filters and the outputs are mixed by softmax(α) (`dilation-mix`).
 * Dilation leaves MAC counts unchanged; its cost shows in measured latency.
 */
export function dilation(options: DilationOptions = {}): Decision<number> {
  const choices = options.choices ?? [1, 2, 4, 8];
  for (const d of choices) {
    if (!Number.isInteger(d) || d < 1) throw new UsageError(`dilation: rate ${d} is not an integer ≥ 1`);
  }
  return {
    name: 'dilation',
    description: 'dilation rate of a block',
    choices,
    scope: 'block',
    ...(options.sites ? { sites: options.sites } : {}),
    relaxation: { kind: 'dilation-mix' },
    apply(draft, site, choice) {
      draft.blocks[site]!.dilation = choice;
    },
    read: (draft, site) => draft.blocks[site]!.dilation,
  };
}
