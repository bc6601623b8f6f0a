import { UsageError } from '../../util/errors.js';
import type { Decision } from '../decision.js';
import { scaleWidth } from '../backbone.js';

export interface StageWidthOptions {
  /** Ratios of the backbone's stage width; default {0.5, 0.75, 1}. */
  choices?: number[];
  /** Stages it decides; default every stage. */
  sites?: number[];
}

/**
 * Filters per stage as a ratio of the backbone's width. Relaxed with FBNetV2 channel prefix
 * masks: the supernet keeps the widest choice and weights channel c by the probability that the
 * chosen width exceeds c.
 */
export function stageWidth(options: StageWidthOptions = {}): Decision<number> {
  const choices = options.choices ?? [0.5, 0.75, 1];
  for (const r of choices) {
    if (!(r > 0 && r <= 4)) throw new UsageError(`stageWidth: ratio ${r} is not in (0, 4]`);
  }
  return {
    name: 'stageWidth',
    description: 'filters per stage, as a ratio of the backbone width',
    choices,
    scope: 'stage',
    ...(options.sites ? { sites: options.sites } : {}),
    relaxation: {
      kind: 'channel-mask',
      unit: 'channels',
      unitsKept: (choice, site, template) => scaleWidth(template.widths[site]!, Number(choice)),
    },
    apply(draft, site, choice, { template }) {
      draft.widths[site] = scaleWidth(template.widths[site]!, choice);
    },
    read: (draft, site, { template }) => choices.find((r) => scaleWidth(template.widths[site]!, r) === draft.widths[site]),
  };
}
