/**
 * The per-block view of an architecture that decisions edit. An `Arch` stores groups and one
 * value per group; decisions are easier to write (and a supernet's α easier to lay out) against
 * one value per block and one boundary kind per block boundary, so `toDraft`/`fromDraft`
 * convert between the two. Inside a group every block carries its group's values.
 */
import type { ActivationBits, Arch, ArchBlock, ArchGroup, ArchHead, ArchStem, Connection, Decomposition } from './arch.js';

/** What sits between two consecutive blocks: nothing (same group) or a group boundary with its connection. */
export type Boundary = 'continue' | Connection;

export interface ArchDraft {
  input: { height: number; width: number; channels: number };
  stem: ArchStem;
  blocks: ArchBlock[];
  widths: number[];
  head: ArchHead;
  decomposition: Decomposition;
  /** `boundaries[i]` sits between block i and block i+1 (length = blocks − 1). */
  boundaries: Boundary[];
  /** Bases K of the group each block belongs to. */
  blockBases: number[];
  /** Activation bits of the group each block belongs to. */
  blockBits: ActivationBits[];
  /** BPAC: the per-base dilation rates of the group each block belongs to (`[]` = the blocks' own); absent = none anywhere. */
  blockDilations?: number[][];
}

/** The groups a draft's boundaries cut the blocks into. */
export function draftGroups(draft: Pick<ArchDraft, 'boundaries' | 'blocks'>): ArchGroup[] {
  const groups: ArchGroup[] = [];
  let start = 0;
  for (let i = 0; i < draft.blocks.length; i++) {
    if (i === draft.blocks.length - 1 || draft.boundaries[i] !== 'continue') {
      groups.push({ start, end: i + 1 });
      start = i + 1;
    }
  }
  return groups;
}

/** Whether a group begins at `block` (block 0 always begins one). */
export function startsGroup(draft: Pick<ArchDraft, 'boundaries'>, block: number): boolean {
  return block === 0 || (draft.boundaries[block - 1] !== undefined && draft.boundaries[block - 1] !== 'continue');
}

/** The group `[start, end)` containing `block`. */
export function groupContaining(draft: Pick<ArchDraft, 'boundaries' | 'blocks'>, block: number): ArchGroup {
  let start = block;
  while (start > 0 && draft.boundaries[start - 1] === 'continue') start--;
  let end = block + 1;
  while (end < draft.blocks.length && draft.boundaries[end - 1] === 'continue') end++;
  return { start, end };
}

export function toDraft(arch: Arch): ArchDraft {
  const n = arch.blocks.length;
  const boundaries: Boundary[] = Array.from({ length: Math.max(0, n - 1) }, () => 'continue');
  const blockBases: number[] = new Array<number>(n).fill(1);
  const blockBits: ActivationBits[] = new Array<ActivationBits>(n).fill(1);
  arch.groups.forEach((g, gi) => {
    for (let b = g.start; b < g.end; b++) {
      blockBases[b] = arch.bases[gi]!;
      blockBits[b] = arch.bits[gi]!;
    }
    if (gi < arch.groups.length - 1) boundaries[g.end - 1] = arch.connections[gi]!;
  });
  const dilations = arch.dilations;
  return {
    input: { ...arch.input },
    stem: cloneStem(arch.stem),
    blocks: arch.blocks.map((b) => ({ ...b })),
    widths: [...arch.widths],
    head: { ...arch.head },
    decomposition: arch.decomposition,
    boundaries,
    blockBases,
    blockBits,
    ...(dilations !== undefined ? { blockDilations: arch.blocks.map((_, b) => [...(dilations[arch.groups.findIndex((g) => b < g.end)] ?? [])]) } : {}),
  };
}

/** The Arch fields a draft determines (everything but name, metrics and provenance). */
export type ArchBody = Omit<Arch, 'format' | 'version' | 'name' | 'metrics' | 'provenance'>;

export function fromDraft(draft: ArchDraft): ArchBody {
  const groups = draftGroups(draft);
  // A group's rates fitted to its K (base k takes rate k, cycling through a shorter list).
  const fit = (rates: number[], k: number) => (rates.length === 0 ? [] : Array.from({ length: k }, (_, j) => rates[j % rates.length]!));
  const dilations = draft.blockDilations !== undefined ? groups.map((g) => fit(draft.blockDilations![g.start]!, draft.blockBases[g.start]!)) : undefined;
  return {
    input: { ...draft.input },
    stem: cloneStem(draft.stem),
    blocks: draft.blocks.map((b) => ({ ...b })),
    widths: [...draft.widths],
    groups,
    bases: groups.map((g) => draft.blockBases[g.start]!),
    bits: groups.map((g) => draft.blockBits[g.start]!),
    connections: groups.slice(0, -1).map((g) => draft.boundaries[g.end - 1] as Connection),
    decomposition: draft.decomposition,
    ...(dilations?.some((rates) => rates.length > 0) ? { dilations } : {}),
    head: { ...draft.head },
  };
}

export function cloneDraft(draft: ArchDraft): ArchDraft {
  return {
    ...draft,
    input: { ...draft.input },
    stem: cloneStem(draft.stem),
    blocks: draft.blocks.map((b) => ({ ...b })),
    widths: [...draft.widths],
    head: { ...draft.head },
    boundaries: [...draft.boundaries],
    blockBases: [...draft.blockBases],
    blockBits: [...draft.blockBits],
    ...(draft.blockDilations !== undefined ? { blockDilations: draft.blockDilations.map((rates) => [...rates]) } : {}),
  };
}

function cloneStem(stem: ArchStem): ArchStem {
  const copy: ArchStem = { filters: stem.filters, kernel: stem.kernel, stride: stem.stride };
  if (stem.pool) copy.pool = { ...stem.pool };
  return copy;
}
