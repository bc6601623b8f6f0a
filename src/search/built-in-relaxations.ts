/**
 * The relaxation hooks of the built-in kinds (space/relaxation.ts lists them): each hands its
 * variable to the supernet part that realizes it cheaply, with the values its choices write read
 * off the template's draft (so a width decision's ratios arrive as channel counts). The generic
 * kind builds the blocks its choices write once per choice and mixes them by softmax(α).
 */
import { baseDilationsKey } from '../space/decisions/index.js';
import type { ArchDraft } from '../space/draft.js';
import { MIXED_OP } from '../space/relaxation.js';
import { softmaxMix } from './mixed-op.js';
import type { LayoutSlots, PlacedVariable, RelaxationHook } from './relaxation-hook.js';

/** A hook handing each variable to one part of the supernet, with what its choices write at its site (`read`). */
function partHook<V>(
  kind: string,
  read: (draft: Readonly<ArchDraft>, site: number) => V,
  hand: (layout: LayoutSlots, v: PlacedVariable, values: V[]) => void,
): RelaxationHook {
  return {
    kind,
    place: (v, layout) =>
      hand(
        layout,
        v,
        layout.written(v, (d) => read(d, v.site)),
      ),
  };
}

export const BUILT_IN_RELAXATIONS: readonly RelaxationHook[] = [
  partHook(
    'base-mask',
    (d, site) => d.blockBases[site]!,
    (layout, v, bases) => layout.groupBases(v, bases),
  ),
  partHook(
    'quantizer-mix',
    (d, site) => d.blockBits[site]!,
    (layout, v, bits) => layout.groupBits(v, bits),
  ),
  partHook(
    'connection-mix',
    (d, site) => d.boundaries[site]!,
    (layout, v, kinds) => layout.boundary(v, kinds),
  ),
  partHook(
    'channel-mask',
    (d, site) => d.widths[site]!,
    (layout, v, channels) => layout.stageWidth(v, channels),
  ),
  partHook(
    'dilation-mix',
    (d, site) => d.blocks[site]!.dilation,
    (layout, v, rates) => layout.blockDilation(v, rates),
  ),
  partHook(
    'base-dilation-mix',
    (d, site) => baseDilationsKey(d.blockDilations?.[site] ?? []),
    (layout, v, lists) => layout.groupBaseDilations(v, lists),
  ),
  { kind: MIXED_OP, place: (v, layout) => layout.blockBranches(v, softmaxMix) },
];
