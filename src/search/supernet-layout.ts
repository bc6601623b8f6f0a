/**
 * How a `SearchSpace` maps onto a supernet: which variable (if any) decides each boundary, the
 * bases and the activation bits of a group starting at each block, each stage's width and each
 * block's dilation, and what the template fixes where no variable decides. Every choice is
 * expressed as a one-hot row over a common axis (K = 1..K_max, the union of bit widths,
 * continue/aggregate/soft, or the site's own choices for widths and dilations) so the supernet can
 * turn any variable's probabilities into a distribution on that axis with one matrix product.
 */
import type { ActivationBits, Arch } from '../space/arch.js';
import type { ChoiceValue } from '../space/decision.js';
import { baseDilationsKey } from '../space/decisions/index.js';
import { toDraft, type Boundary } from '../space/draft.js';
import type { SearchSpace } from '../space/search-space.js';
import { UsageError } from '../util/errors.js';

/** The three group-boundary kinds, in the order of the supernet's boundary axis. */
export const BOUNDARY_KINDS: readonly Boundary[] = ['continue', 'aggregate', 'soft'];

/** A site's setting: decided by a space variable (index into `space.variables`), or fixed by the template. */
export interface SiteSetting<V> {
  variable?: number;
  /** The template's value (used when no variable decides the site). */
  fixed: V;
  /** Values the site can take (the variable's choices, or just the fixed value). */
  support: V[];
}

export interface SupernetLayout {
  space: SearchSpace;
  template: Arch;
  blockCount: number;
  /** Bases every block holds in the supernet: the largest K any group can choose. */
  kMax: number;
  /** Every activation bit width any group can choose, ascending (the bits axis). */
  bitChoices: ActivationBits[];
  /** `boundaries[b]` sits after block b. */
  boundaries: SiteSetting<Boundary>[];
  /** `bases[s]`, `bits[s]`: K and bits of a group that starts at block s. */
  bases: SiteSetting<number>[];
  bits: SiteSetting<ActivationBits>[];
  /** `widths[s]`: output channels of stage s (for bottleneck blocks the inner width); the supernet holds the widest. */
  widths: SiteSetting<number>[];
  /** `dilations[i]`: dilation of block i's main convs; the supernet mixes them over shared weights. */
  dilations: SiteSetting<number>[];
  /** `baseDilations[i]`: BPAC rate lists of block i's group (`baseDilationsKey` values; `block` = the dilation above). */
  baseDilations: SiteSetting<string>[];
  /** Per variable: [choices, axis] one-hot rows mapping the variable's choices onto its axis. */
  embeddings: number[][][];
}

/** Decision names the supernet knows how to relax (their effect on the network is built in). */
export const RELAXABLE_DECISIONS = ['bases', 'groupBoundary', 'activationBits', 'stageWidth', 'dilation', 'baseDilations'] as const;

/** Analyse a space for the supernet; a decision it cannot relax is a UsageError naming it. */
export function supernetLayout(space: SearchSpace): SupernetLayout {
  const template = space.template;
  if (template.decomposition !== 'group') {
    throw new UsageError(`search space ${space.name}: the supernet relaxes group decomposition only (template has decomposition "${template.decomposition}")`);
  }
  const draft = toDraft(template);
  const n = draft.blocks.length;
  const boundaries: SiteSetting<Boundary>[] = draft.boundaries.map((b) => ({ fixed: b, support: [b] }));
  const bases: SiteSetting<number>[] = draft.blockBases.map((k) => ({ fixed: k, support: [k] }));
  const bits: SiteSetting<ActivationBits>[] = draft.blockBits.map((b) => ({ fixed: b, support: [b] }));
  const widths: SiteSetting<number>[] = draft.widths.map((w) => ({ fixed: w, support: [w] }));
  const dilations: SiteSetting<number>[] = draft.blocks.map((b) => ({ fixed: b.dilation, support: [b.dilation] }));
  const baseDilations: SiteSetting<string>[] = draft.blocks.map((_, i) => {
    const key = baseDilationsKey(draft.blockDilations?.[i] ?? []);
    return { fixed: key, support: [key] };
  });
  space.variables.forEach((v, i) => {
    const name = v.decision.name;
    const choices = [...v.choices];
    if (name === 'groupBoundary') boundaries[v.site] = { variable: i, fixed: draft.boundaries[v.site]!, support: choices as Boundary[] };
    else if (name === 'bases') bases[v.site] = { variable: i, fixed: draft.blockBases[v.site]!, support: choices as number[] };
    else if (name === 'activationBits') bits[v.site] = { variable: i, fixed: draft.blockBits[v.site]!, support: choices as ActivationBits[] };
    else if (name === 'stageWidth') widths[v.site] = { variable: i, fixed: draft.widths[v.site]!, support: siteValues(space, i) };
    else if (name === 'dilation') dilations[v.site] = { variable: i, fixed: draft.blocks[v.site]!.dilation, support: siteValues(space, i) };
    else if (name === 'baseDilations') {
      // The supernet relaxes BPAC per block: the group must be that block alone in every architecture.
      const boundaryFixed = (b: number) =>
        b < 0 || b >= n - 1 || (draft.boundaries[b] !== 'continue' && !space.variables.some((w) => w.decision.name === 'groupBoundary' && w.site === b));
      if (!boundaryFixed(v.site - 1) || !boundaryFixed(v.site)) {
        throw new UsageError(`search space ${space.name}: ${v.id}: BPAC needs block ${v.site} to be a group of its own (fixed boundaries on both sides)`);
      }
      baseDilations[v.site] = { variable: i, fixed: baseDilations[v.site]!.fixed, support: choices as string[] };
    } else {
      throw new UsageError(`search space ${space.name}: the supernet cannot relax decision "${name}" yet (it relaxes ${RELAXABLE_DECISIONS.join(', ')})`);
    }
  });
  // Only sites where a group can start matter for bases and bits.
  const canStart = (s: number) => groupCanStartAfter(boundaries, s);
  const kMax = Math.max(...bases.filter((_, s) => canStart(s)).flatMap((b) => b.support));
  const bitSet = new Set<ActivationBits>(bits.filter((_, s) => canStart(s)).flatMap((b) => b.support));
  if (bitSet.has(32)) {
    throw new UsageError(`search space ${space.name}: the supernet mixes binary and k-bit groups only; 32-bit (full-precision) groups cannot be mixed in`);
  }
  const bitChoices = [...bitSet].sort((a, b) => a - b);
  const embeddings = space.variables.map((v) => embeddingOf(v.decision.name, v.choices, kMax, bitChoices));
  if (n < 1) throw new UsageError(`search space ${space.name}: the template has no blocks`);
  return { space, template, blockCount: n, kMax, bitChoices, boundaries, bases, bits, widths, dilations, baseDilations, embeddings };
}

/**
 * What a variable's choices write at its site, read back from decoded drafts (a width decision
 * stores ratios; the supernet needs channel counts). Each choice applied alone to the template.
 */
function siteValues(space: SearchSpace, variable: number): number[] {
  const v = space.variables[variable]!;
  const values = v.choices.map((_, c) => {
    const indices = space.variables.map(() => 0);
    indices[variable] = c;
    const arch = space.decode(indices);
    return v.decision.scope === 'stage' ? arch.widths[v.site]! : arch.blocks[v.site]!.dilation;
  });
  if (new Set(values).size !== values.length) {
    throw new UsageError(`search space ${space.name}: ${v.id}: two choices give the same value (${values.join(', ')}); the supernet needs distinct ones`);
  }
  return values;
}

function embeddingOf(name: string, choices: readonly ChoiceValue[], kMax: number, bitChoices: ActivationBits[]): number[][] {
  // Widths and dilations: the site's own choices are the axis (identity rows).
  if (name === 'stageWidth' || name === 'dilation' || name === 'baseDilations') return choices.map((_, c) => choices.map((_, a) => (a === c ? 1 : 0)));
  const axis: readonly ChoiceValue[] =
    name === 'bases' ? Array.from({ length: kMax }, (_, k) => k + 1) : name === 'activationBits' ? bitChoices : BOUNDARY_KINDS;
  return choices.map((c) => axis.map((a) => (a === c ? 1 : 0)));
}

/** Channels the supernet holds for stage s: its widest choice. */
export function maxWidth(layout: SupernetLayout, stage: number): number {
  return Math.max(...layout.widths[stage]!.support);
}

/** Whether a group can start at block `s` in some architecture of the space. */
export function groupCanStart(layout: SupernetLayout, s: number): boolean {
  return groupCanStartAfter(layout.boundaries, s);
}

/** Block `s` starts a group in some architecture when it is the first block or the boundary before it can cut. */
function groupCanStartAfter(boundaries: readonly SiteSetting<Boundary>[], s: number): boolean {
  return s === 0 || boundaries[s - 1]!.support.some((b) => b !== 'continue');
}
