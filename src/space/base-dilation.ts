/**
 * BPAC — Binary Parallel Atrous Convolution (Group-Net §4.4): the K bases of a group are K
 * binary replicas of the same blocks, so giving each replica its own dilation rate turns the
 * group into K parallel atrous branches, multi-scale context at exactly the cost of K bases
 * with one rate (dilation changes no MAC count). `arch.dilations[g][k]` is base k's rate in
 * group g; it replaces the dilation of every block of that base. The builder (nn), the packed
 * engine (kernels) and the cost table all read rates through this one function.
 */
import { UsageError } from '../util/errors.js';
import type { Arch } from './arch.js';

/** The dilation of block `block` (an index into `arch.blocks`) in base `base` of group `group`. */
export function baseDilation(arch: Arch, group: number, base: number, block: number): number {
  const rates = arch.dilations?.[group];
  return rates !== undefined && rates.length > 0 ? rates[base]! : arch.blocks[block]!.dilation;
}

/** Whether any group gives its bases their own rates. */
export function hasBaseDilations(arch: Arch): boolean {
  return arch.dilations?.some((rates) => rates.length > 0) ?? false;
}

/**
 * `arch` with BPAC on its last two blocks: each gets a group of its own whose bases take `rates`.
 * A Group-Net whose last two blocks already form one-block groups of K = `rates.length` keeps
 * its structure and only gains the rates; a full-precision network gets its last two blocks
 * split off into groups of K float branches joined by `aggregate` (the full-precision
 * multi-dilation baseline of supplement S3.2, K times the FLOPs of those blocks).
 */
export function withLastBlocksBpac(arch: Arch, rates: readonly number[]): Arch {
  const k = rates.length;
  if (k < 1 || rates.some((r) => !Number.isInteger(r) || r < 1 || r > 64)) {
    throw new UsageError(`BPAC rates: expected 1..8 integers in 1..64, got ${JSON.stringify(rates)}`);
  }
  const n = arch.blocks.length;
  if (n < 2) throw new UsageError('BPAC: the network needs two blocks');
  for (const i of [n - 2, n - 1]) {
    if (arch.blocks[i]!.stride !== 1) throw new UsageError(`BPAC: block ${i} has stride 2; dilate it first (a dilated block loses its stride)`);
  }
  const groupOf = (i: number) => arch.groups.findIndex((g) => i >= g.start && i < g.end);
  const last = [groupOf(n - 2), groupOf(n - 1)];
  const oneBlockGroups = last.every((g) => arch.groups[g]!.end - arch.groups[g]!.start === 1 && arch.bases[g] === k);
  if (oneBlockGroups && arch.decomposition === 'group') {
    const dilations = arch.groups.map((_, g) => (last.includes(g) ? [...rates] : [...(arch.dilations?.[g] ?? [])]));
    return { ...structuredClone(arch), dilations };
  }
  if (!arch.bits.every((b) => b === 32)) {
    throw new UsageError(`BPAC: a binary network needs its last two blocks in one-block groups of K = ${k} bases (e.g. preset groupnet-k${k})`);
  }
  // Full precision: the blocks before keep their groups (cut at n − 2), then two groups of K float branches.
  const copy = structuredClone(arch);
  const head = copy.groups.map((g) => ({ start: g.start, end: Math.min(g.end, n - 2) })).filter((g) => g.end > g.start);
  const groups = [...head, { start: n - 2, end: n - 1 }, { start: n - 1, end: n }];
  const before = head.length;
  return {
    ...copy,
    groups,
    bases: [...copy.bases.slice(0, before), k, k],
    bits: groups.map(() => 32),
    connections: [...copy.connections.slice(0, Math.max(0, before - 1)), ...(before > 0 ? ['aggregate' as const] : []), 'aggregate'],
    dilations: [...groups.slice(0, before).map(() => []), [...rates], [...rates]],
  };
}
