import { UsageError } from '../../util/errors.js';
import type { Decision } from '../decision.js';

export interface BaseDilationsOptions {
  /** Rate lists to choose from; `[]` = the blocks' own dilation. Default `[[], [1, 2, 4, 8, 16]]` (plain vs BPAC). */
  choices?: number[][];
  /** Blocks whose group it decides (a group of its own: the supernet needs the group fixed). Default every block. */
  sites?: number[];
}

/** A rate list as a choice value: `block` for `[]`, else the rates joined by `-` (e.g. `1-2-4-8-16`). */
export function baseDilationsKey(rates: readonly number[]): string {
  return rates.length === 0 ? 'block' : rates.join('-');
}

/** The rates of a choice value (inverse of `baseDilationsKey`). */
export function baseDilationsOf(key: string): number[] {
  return key === 'block' ? [] : key.split('-').map(Number);
}

/**
 * BPAC per group: whether its K bases all take the blocks' dilation (`block`) or each its own rate
 * from a list (base k takes rate k, cycling if the list is shorter than K; see base-dilation.ts).
 * Relaxed, like the per-block dilation, as a mix over shared weights: base k's convs run at every
 * rate it can take and their outputs are mixed by the rates' probabilities.
 */
export function baseDilations(options: BaseDilationsOptions = {}): Decision<string> {
  const lists = options.choices ?? [[], [1, 2, 4, 8, 16]];
  for (const rates of lists) {
    if (rates.length > 8 || rates.some((r) => !Number.isInteger(r) || r < 1 || r > 64)) {
      throw new UsageError(`baseDilations: choice ${JSON.stringify(rates)}: expected up to 8 rates, integers in 1..64`);
    }
  }
  const choices = lists.map(baseDilationsKey);
  if (new Set(choices).size !== choices.length) throw new UsageError(`baseDilations: choices repeat (${choices.join(', ')})`);
  return {
    name: 'baseDilations',
    description: 'per-base dilation rates of a group (BPAC)',
    choices,
    scope: 'group',
    ...(options.sites ? { sites: options.sites } : {}),
    relaxation: { kind: 'base-dilation-mix' },
    apply(draft, _site, choice, context) {
      const rates = baseDilationsOf(choice);
      draft.blockDilations ??= draft.blocks.map(() => []);
      for (let i = context.group.start; i < context.group.end; i++) draft.blockDilations[i] = [...rates];
    },
    read(draft, site) {
      const key = baseDilationsKey(draft.blockDilations?.[site] ?? []);
      return choices.find((c) => c === key || cycles(baseDilationsOf(c), baseDilationsOf(key)));
    },
  };
}

/** Whether `written` is `rates` cycled to another length (fromDraft fits a list to the group's K). */
function cycles(rates: number[], written: number[]): boolean {
  return rates.length > 0 && written.length > 0 && written.every((r, k) => r === rates[k % rates.length]);
}
