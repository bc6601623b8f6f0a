import { UsageError } from '../../util/errors.js';
import type { BlockKind } from '../arch.js';
import type { Decision } from '../decision.js';
import { MIXED_OP } from '../relaxation.js';

const OPS: readonly BlockKind[] = ['basic', 'bottleneck', 'plain', 'skip'];

export interface BlockOpOptions {
  /**
   * Default {basic, plain, skip}: the operations whose output is the stage width, so they mix at
   * any block. `bottleneck` outputs 4× the stage width and mixes only with choices that do too.
   */
  choices?: BlockKind[];
  /** Blocks it decides; default every block. */
  sites?: number[];
}

/**
 * The operation of a block, DARTS-style: a Group-Net basic block, a bottleneck, a plain conv
 * unit, or `skip` (the block's shortcut alone: the identity where shapes allow, the projection
 * where the block down-samples or changes width). Relaxed by the generic mixed op: the supernet
 * builds the block once per operation, sharing the weights whose shapes agree (a plain block's
 * unit is the basic block's first unit, skip's projection is the basic block's shortcut), and
 * mixes the outputs by softmax(α). The latency table prices each operation.
 */
export function blockOp(options: BlockOpOptions = {}): Decision<BlockKind> {
  const choices = options.choices ?? ['basic', 'plain', 'skip'];
  for (const op of choices) {
    if (!OPS.includes(op)) throw new UsageError(`blockOp: choice "${op}" is not one of ${OPS.join(', ')}`);
  }
  return {
    name: 'blockOp',
    description: 'operation of a block: basic / bottleneck / plain / skip',
    choices,
    scope: 'block',
    ...(options.sites ? { sites: options.sites } : {}),
    relaxation: { kind: MIXED_OP },
    apply(draft, site, choice) {
      draft.blocks[site]!.kind = choice;
    },
    read: (draft, site) => draft.blocks[site]!.kind,
  };
}
