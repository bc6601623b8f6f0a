/**
 * Putting a group structure on a backbone: which blocks form groups, K and bits per group,
 * connections and decomposition. Presets and search-space templates are built this way.
 */
import { VERSION } from '../util/version.js';
import type { ActivationBits, Arch, ArchGroup, Connection, Decomposition } from './arch.js';
import type { Backbone } from './backbone.js';

export interface GroupStructure {
  /** Blocks per group, in order; must add up to the backbone's block count. */
  groupSizes: number[];
  /** K for every group, or one value per group. */
  bases: number | number[];
  /** Activation bits for every group, or one value per group. */
  bits: ActivationBits | ActivationBits[];
  /** Connection at every boundary, or one per boundary. */
  connection: Connection | Connection[];
  decomposition?: Decomposition;
}

/** Sizes of groups of `size` consecutive blocks covering `blocks` blocks (the last group may be shorter). */
export function groupsOf(size: number, blocks: number): number[] {
  const sizes: number[] = [];
  for (let left = blocks; left > 0; left -= size) sizes.push(Math.min(size, left));
  return sizes;
}

function perItem<T>(value: T | T[], n: number, what: string): T[] {
  if (!Array.isArray(value)) return Array.from({ length: n }, () => value);
  if (value.length !== n) throw new Error(`${what}: ${value.length} values for ${n} items`);
  return [...value];
}

export function buildArch(backbone: Backbone, structure: GroupStructure, naming: { name: string; source: string }): Arch {
  const total = structure.groupSizes.reduce((a, b) => a + b, 0);
  if (total !== backbone.blocks.length) {
    throw new Error(`group sizes cover ${total} blocks, backbone ${backbone.name} has ${backbone.blocks.length}`);
  }
  const groups: ArchGroup[] = [];
  let start = 0;
  for (const size of structure.groupSizes) {
    groups.push({ start, end: start + size });
    start += size;
  }
  return {
    format: 'groupnas.arch',
    version: 1,
    name: naming.name,
    input: { ...backbone.input },
    stem: { ...backbone.stem, ...(backbone.stem.pool ? { pool: { ...backbone.stem.pool } } : {}) },
    blocks: backbone.blocks.map((b) => ({ ...b })),
    widths: [...backbone.widths],
    groups,
    bases: perItem(structure.bases, groups.length, 'bases'),
    bits: perItem(structure.bits, groups.length, 'bits'),
    connections: perItem(structure.connection, groups.length - 1, 'connections'),
    decomposition: structure.decomposition ?? 'group',
    head: { ...backbone.head },
    provenance: { tool: 'groupnas', toolVersion: VERSION, source: naming.source },
  };
}
