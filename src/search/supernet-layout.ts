/**
 * How a `SearchSpace` maps onto a supernet. Each variable's relaxation hook (relaxation-hook.ts,
 * found by the kind its decision names) hands it to one part of the supernet: the bases or the
 * activation bits of a group starting at a block, a boundary, a stage's width, a block's dilation,
 * the per-base dilation rates of a one-block group (BPAC), or the blocks its choices write (the generic mixed op, built once per choice). Where no variable
 * decides a part, the template fixes it. Every slot variable's choices are expressed as one-hot
 * rows over a common axis (K = 1..K_max, the union of bit widths, continue/aggregate/soft, or the
 * site's own values for widths, dilations and rate lists), so the supernet turns any variable's probabilities
 * into a distribution on that axis with one matrix product.
 */
import { blockOutChannels } from '../nn/blocks/block.js';
import type { ActivationBits, Arch, ArchBlock } from '../space/arch.js';
import { baseDilationsKey } from '../space/decisions/index.js';
import { toDraft, type ArchDraft, type Boundary } from '../space/draft.js';
import { firstDifference, type SearchSpace } from '../space/search-space.js';
import { UsageError } from '../util/errors.js';
import type { BranchMix, LayoutSlots, PlacedVariable } from './relaxation-hook.js';
import { relaxationHookOf } from './relaxation-registry.js';

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

/** The fields of a block a mixed op may write. */
export type BranchField = 'kind' | 'kernel' | 'dilation' | 'stride';

/** One variable choosing among a block's branches: the block fields it writes and what each choice writes there. */
export interface BranchAxis {
  variable: number;
  fields: BranchField[];
  /** Per choice: the values of `fields`. */
  values: Partial<Pick<ArchBlock, BranchField>>[];
}

/** A block built once per choice of the variables that write it (the generic mixed op). */
export interface BlockBranches {
  axes: BranchAxis[];
  /** The distinct blocks built, one per branch (the template's block with the axes' fields written). */
  specs: ArchBlock[];
  /** Branch of each combination of the axes' choices (mixed radix, first axis slowest). */
  branchOf: number[];
  mix: BranchMix;
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
  /** `branches[i]`: block i built once per choice; undefined = the template's block alone. */
  branches: (BlockBranches | undefined)[];
  /** Per variable: [choices, axis] one-hot rows mapping the variable's choices onto its axis (identity for mixed ops). */
  embeddings: number[][][];
}

/** Analyse a space for the supernet; a decision it cannot relax is a UsageError naming it. */
export function supernetLayout(space: SearchSpace): SupernetLayout {
  const template = space.template;
  if (template.decomposition !== 'group') {
    throw new UsageError(`search space ${space.name}: the supernet relaxes group decomposition only (template has decomposition "${template.decomposition}")`);
  }
  if (template.blocks.length < 1) throw new UsageError(`search space ${space.name}: the template has no blocks`);
  const builder = new LayoutBuilder(space);
  space.variables.forEach((v, index) => {
    const placed = { ...v, index };
    relaxationHookOf(v.decision).place(placed, builder);
    if (!builder.isPlaced(index)) throw new UsageError(`decision ${v.decision.name}: its relaxation "${v.decision.relaxation.kind}" placed ${v.id} nowhere`);
  });
  return builder.finish();
}

/** What the axis of a slot variable is (its embedding's columns). */
type AxisKind = 'bases' | 'bits' | 'boundary' | 'own';

/** The supernet's parts as hooks fill them (LayoutSlots), then the finished layout. */
class LayoutBuilder implements LayoutSlots {
  readonly space: SearchSpace;
  private readonly draft: ArchDraft;
  private readonly boundaries: SiteSetting<Boundary>[];
  private readonly bases: SiteSetting<number>[];
  private readonly bits: SiteSetting<ActivationBits>[];
  private readonly widths: SiteSetting<number>[];
  private readonly dilations: SiteSetting<number>[];
  private readonly baseDilations: SiteSetting<string>[];
  private readonly branchAxes: { axis: BranchAxis; mix: BranchMix }[][];
  /** Per placed variable: its axis and the values its choices write, in choice order. */
  private readonly placements = new Map<number, { axis: AxisKind; values: readonly (string | number)[] }>();

  constructor(space: SearchSpace) {
    this.space = space;
    this.draft = toDraft(space.template);
    const d = this.draft;
    this.boundaries = d.boundaries.map((b) => ({ fixed: b, support: [b] }));
    this.bases = d.blockBases.map((k) => ({ fixed: k, support: [k] }));
    this.bits = d.blockBits.map((b) => ({ fixed: b, support: [b] }));
    this.widths = d.widths.map((w) => ({ fixed: w, support: [w] }));
    this.dilations = d.blocks.map((b) => ({ fixed: b.dilation, support: [b.dilation] }));
    this.baseDilations = d.blocks.map((_, i) => {
      const key = baseDilationsKey(d.blockDilations?.[i] ?? []);
      return { fixed: key, support: [key] };
    });
    this.branchAxes = d.blocks.map(() => []);
  }

  isPlaced(index: number): boolean {
    return this.placements.has(index);
  }

  written<V>(v: PlacedVariable, read: (draft: Readonly<ArchDraft>) => V): V[] {
    return v.choices.map((_, c) => read(this.space.choiceDraft(v.index, c)));
  }

  groupBases(v: PlacedVariable, bases: number[]): void {
    this.decide(v, this.bases, 'a group', bases, 'bases');
  }

  groupBits(v: PlacedVariable, bits: ActivationBits[]): void {
    this.decide(v, this.bits, 'a group', bits, 'bits');
  }

  boundary(v: PlacedVariable, kinds: Boundary[]): void {
    this.decide(v, this.boundaries, 'a boundary', kinds, 'boundary');
  }

  stageWidth(v: PlacedVariable, channels: number[]): void {
    this.decide(v, this.widths, 'a stage', distinct(v, channels), 'own');
  }

  blockDilation(v: PlacedVariable, rates: number[]): void {
    this.decide(v, this.dilations, 'a block', distinct(v, rates), 'own');
  }

  groupBaseDilations(v: PlacedVariable, lists: string[]): void {
    this.decide(v, this.baseDilations, 'a block', distinct(v, lists), 'own');
  }

  /** A slot variable: its site's setting, refused where the site does not exist or is decided already. */
  private decide<V>(v: PlacedVariable, slots: SiteSetting<V>[], what: string, values: V[], axis: AxisKind): void {
    const slot = slots[v.site];
    if (slot === undefined) throw new UsageError(`decision ${v.decision.name}: site ${v.site} is not ${what} of the template (0..${slots.length - 1})`);
    if (slot.variable !== undefined) {
      throw new UsageError(`decision ${v.decision.name}: ${v.id} decides what ${this.space.variables[slot.variable]!.id} decides already`);
    }
    slots[v.site] = { variable: v.index, fixed: slot.fixed, support: values };
    this.placed(v, axis, values as (string | number)[]);
  }

  private placed(v: PlacedVariable, axis: AxisKind, values: readonly (string | number)[]): void {
    if (this.placements.has(v.index)) throw new UsageError(`decision ${v.decision.name}: its relaxation placed ${v.id} twice`);
    this.placements.set(v.index, { axis, values });
  }

  blockBranches(v: PlacedVariable, mix: BranchMix): void {
    const name = v.decision.name;
    if (v.decision.scope === 'group' || v.decision.scope === 'boundary') {
      throw new UsageError(
        `decision ${name}: a mixed op builds the blocks a choice writes, but a ${v.decision.scope}-scope decision's blocks depend on where groups end; ` +
          'give it block, stage or network scope, or a relaxation of its own',
      );
    }
    const drafts = v.choices.map((_, c) => this.space.choiceDraft(v.index, c));
    drafts.forEach((d, c) => {
      const outside = firstDifference({ ...this.draft, blocks: [] }, { ...d, blocks: [] });
      const stage = d.blocks.findIndex((b, i) => b.stage !== this.draft.blocks[i]!.stage);
      const path = outside?.path ?? (stage >= 0 ? `blocks[${stage}].stage` : undefined);
      if (path !== undefined) {
        throw new UsageError(
          `decision ${name}: choice ${String(v.choices[c])} at site ${v.site} writes ${path}; a mixed op mixes blocks of one stage ` +
            '(their kind, kernel, dilation, stride), so this choice needs a relaxation of its own',
        );
      }
    });
    const fields: BranchField[] = ['kind', 'kernel', 'dilation', 'stride'];
    this.draft.blocks.forEach((block, i) => {
      const written = fields.filter((f) => drafts.some((d) => d.blocks[i]![f] !== block[f]));
      if (written.length === 0) return;
      const axis: BranchAxis = { variable: v.index, fields: written, values: drafts.map((d) => pick(d.blocks[i]!, written)) };
      this.checkShapes(v, i, axis);
      const other = this.branchAxes[i]!.find((a) => a.mix !== mix);
      if (other !== undefined) {
        throw new UsageError(
          `decision ${name}: block ${i} is built once per choice of ${this.space.variables[other.axis.variable]!.id} too, which mixes its branches another way; ` +
            'decisions mixing one block need one relaxation kind',
        );
      }
      this.branchAxes[i]!.push({ axis, mix });
    });
    for (let a = 0; a < drafts.length; a++) {
      for (let b = a + 1; b < drafts.length; b++) {
        if (drafts[a]!.blocks.every((block, i) => fields.every((f) => block[f] === drafts[b]!.blocks[i]![f]))) {
          throw new UsageError(`decision ${name}: choices ${String(v.choices[a])} and ${String(v.choices[b])} build the same blocks at site ${v.site}`);
        }
      }
    }
    this.placed(
      v,
      'own',
      v.choices.map((_, c) => c),
    );
  }

  /** Every choice's block at block i must write a map of one shape (channels and resolution), or the branches cannot mix. */
  private checkShapes(v: PlacedVariable, i: number, axis: BranchAxis): void {
    const block = this.draft.blocks[i]!;
    const width = this.draft.widths[block.stage]!;
    const shapeOf = (c: number) => {
      const b = { ...block, ...axis.values[c] };
      return { kind: b.kind, channels: blockOutChannels(b.kind, width), stride: b.stride };
    };
    const first = shapeOf(0);
    axis.values.forEach((_, c) => {
      const s = shapeOf(c);
      if (s.channels !== first.channels || s.stride !== first.stride) {
        throw new UsageError(
          `decision ${v.decision.name}: choice ${String(v.choices[c])} at block ${i} gives a ${s.kind} block writing ${s.channels} channels at stride ${s.stride}, ` +
            `choice ${String(v.choices[0])} a ${first.kind} block writing ${first.channels} at stride ${first.stride}: ` +
            'the branches of a mixed op must write maps of one shape',
        );
      }
    });
  }

  finish(): SupernetLayout {
    const space = this.space;
    const branches = this.branchAxes.map((axes, i) => (axes.length === 0 ? undefined : this.blockBranchesOf(i, axes)));
    branches.forEach((b, i) => {
      const dilation = this.dilations[i]!.variable;
      if (b !== undefined && dilation !== undefined && b.axes.some((a) => a.fields.includes('dilation'))) {
        throw new UsageError(
          `decisions ${space.variables[dilation]!.decision.name} and ${space.variables[b.axes[0]!.variable]!.decision.name} both write block ${i}'s dilation`,
        );
      }
    });
    // BPAC is relaxed per block: the block must be a group of its own in every architecture.
    const cutFixed = (b: number) =>
      b < 0 || b >= this.boundaries.length || (this.boundaries[b]!.variable === undefined && this.boundaries[b]!.fixed !== 'continue');
    this.baseDilations.forEach((setting, i) => {
      if (setting.variable === undefined || (cutFixed(i - 1) && cutFixed(i))) return;
      const v = space.variables[setting.variable]!;
      throw new UsageError(`decision ${v.decision.name}: ${v.id}: BPAC needs block ${i} to be a group of its own (fixed boundaries on both sides)`);
    });
    // Only sites where a group can start matter for bases and bits.
    const canStart = (s: number) => groupCanStartAfter(this.boundaries, s);
    const kMax = Math.max(...this.bases.filter((_, s) => canStart(s)).flatMap((b) => b.support));
    const bitSet = new Set<ActivationBits>(this.bits.filter((_, s) => canStart(s)).flatMap((b) => b.support));
    if (bitSet.has(32)) {
      throw new UsageError(`search space ${space.name}: the supernet mixes binary and k-bit groups only; 32-bit (full-precision) groups cannot be mixed in`);
    }
    const bitChoices = [...bitSet].sort((a, b) => a - b);
    const axes: Record<AxisKind, readonly (string | number)[] | undefined> = {
      bases: Array.from({ length: kMax }, (_, k) => k + 1),
      bits: bitChoices,
      boundary: BOUNDARY_KINDS,
      own: undefined,
    };
    const embeddings = space.variables.map((_, index) => {
      const placement = this.placements.get(index)!;
      const axis = axes[placement.axis];
      // `own`: the site's own values are the axis (identity rows).
      if (axis === undefined) return placement.values.map((_, c) => placement.values.map((_, a) => (a === c ? 1 : 0)));
      return placement.values.map((value) => axis.map((a) => (a === value ? 1 : 0)));
    });
    return {
      space,
      template: space.template,
      blockCount: this.draft.blocks.length,
      kMax,
      bitChoices,
      boundaries: this.boundaries,
      bases: this.bases,
      bits: this.bits,
      widths: this.widths,
      dilations: this.dilations,
      baseDilations: this.baseDilations,
      branches,
      embeddings,
    };
  }

  /** The distinct blocks of every combination of the axes' choices. */
  private blockBranchesOf(i: number, entries: { axis: BranchAxis; mix: BranchMix }[]): BlockBranches {
    const axes = entries.map((e) => e.axis);
    const specs: ArchBlock[] = [];
    const keys: string[] = [];
    const branchOf: number[] = [];
    const combos = axes.reduce((n, a) => n * a.values.length, 1);
    for (let combo = 0; combo < combos; combo++) {
      let spec: ArchBlock = { ...this.draft.blocks[i]! };
      let rest = combo;
      for (let a = axes.length - 1; a >= 0; a--) {
        const count = axes[a]!.values.length;
        spec = { ...spec, ...axes[a]!.values[rest % count] };
        rest = Math.floor(rest / count);
      }
      const key = branchKey(spec);
      let b = keys.indexOf(key);
      if (b < 0) {
        b = specs.length;
        specs.push(spec);
        keys.push(key);
      }
      branchOf.push(b);
    }
    return { axes, specs, branchOf, mix: entries[0]!.mix };
  }
}

/** A block's identity as a branch. */
export function branchKey(block: Pick<ArchBlock, BranchField>): string {
  return `${block.kind}/${block.kernel}/${block.dilation}/${block.stride}`;
}

/** Which of block i's branches `block` (an architecture's block i) is; undefined when block i has no branches. Throws when it is none of them. */
export function branchOfBlock(branches: BlockBranches | undefined, i: number, block: ArchBlock): number | undefined {
  if (branches === undefined) return undefined;
  // Fields no axis writes (a dilation another decision sets) do not tell branches apart.
  const fields = [...new Set(branches.axes.flatMap((a) => a.fields))];
  const b = branches.specs.findIndex((s) => fields.every((f) => s[f] === block[f]));
  if (b < 0) throw new Error(`block ${i} (${branchKey(block)}) is none of the supernet's branches there (${branches.specs.map(branchKey).join(', ')})`);
  return b;
}

function pick(block: ArchBlock, fields: BranchField[]): Partial<Pick<ArchBlock, BranchField>> {
  return Object.fromEntries(fields.map((f) => [f, block[f]]));
}

/** `values` if they are distinct (the supernet indexes a site's values by choice). */
function distinct<V>(v: PlacedVariable, values: V[]): V[] {
  if (new Set(values).size !== values.length) {
    throw new UsageError(`decision ${v.decision.name}: ${v.id}: two choices give the same value (${values.join(', ')}); the supernet needs distinct ones`);
  }
  return values;
}

/** Channels the supernet holds for stage s: its widest choice. */
export function maxWidth(layout: SupernetLayout, stage: number): number {
  return Math.max(...layout.widths[stage]!.support);
}

/** The kind that decides block i's output channels (every branch of a block writes the same shape). */
export function outputKind(layout: SupernetLayout, i: number): ArchBlock['kind'] {
  return (layout.branches[i]?.specs[0] ?? layout.template.blocks[i]!).kind;
}

/** Whether a group can start at block `s` in some architecture of the space. */
export function groupCanStart(layout: SupernetLayout, s: number): boolean {
  return groupCanStartAfter(layout.boundaries, s);
}

/** Block `s` starts a group in some architecture when it is the first block or the boundary before it can cut. */
function groupCanStartAfter(boundaries: readonly SiteSetting<Boundary>[], s: number): boolean {
  return s === 0 || boundaries[s - 1]!.support.some((b) => b !== 'continue');
}
