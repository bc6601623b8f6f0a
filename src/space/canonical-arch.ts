/**
 * The canonical form of an architecture: one representative per set of architectures that
 * compute the same function (given matching weights) with the same parameters. Derivation uses it
 * so that the top-N candidates are N different networks, not N spellings of one.
 *
 * Equivalences applied (each exact, following nn's `GroupNetModel` and connectors; "paths" of a
 * group = its K under `group` decomposition, 1 under `layer` (LBD), where bases live inside each conv):
 *
 * 1. **soft = aggregate into a single path.** When the next group has one path, Group-Net's soft
 *    connection is a [1, K] matrix M and `aggregate` a [K] vector λ, both giving Σ_k w_k·out_k,
 *    both starting at w_k = 1/K (and both the parameter-free identity when K = 1). The soft
 *    connection becomes `aggregate`.
 * 2. **Adjacent single-path groups merge.** A connector from one path to one path is the identity
 *    with no parameter (rule 1 made it `aggregate`), so two consecutive groups with one path each,
 *    the same activation bits, the same K (the bases per conv under LBD) and the same BPAC rates run exactly the
 *    blocks of one group spanning both. (The stem's ReLU depends only on the first group's bits,
 *    which merging keeps.)
 * 3. **Dilation that reaches past the map.** Convs pad `dilation·(kernel−1)/2` zeros per side and
 *    dilation needs stride 1, so with dilation d ≥ max(H, W) of the block's maps every tap but the
 *    centre reads padding: all such d give the same conv; d becomes max(H, W). A 1×1 kernel
 *    ignores dilation: d becomes 1.
 *
 * Not equivalences (kept apart): soft from one base into K' > 1 bases (M [K', 1] scales each
 * copy; `aggregate` broadcasts one unscaled copy), soft K → K with K > 1 versus continuing the
 * group (M is learned, not fixed to I), different bits or widths.
 */
import type { Arch, ArchBlock } from './arch.js';
import { fromDraft, toDraft, type ArchBody } from './draft.js';

/** Paths a group runs side by side (its bases under group decomposition; one under LBD). */
function paths(arch: Pick<Arch, 'decomposition' | 'bases'>, g: number): number {
  return arch.decomposition === 'layer' ? 1 : arch.bases[g]!;
}

/** Spatial side (max of height and width) of each block's maps at its main convs' input (stride-1 blocks keep it). */
function blockSides(arch: Arch): number[] {
  const down = (side: number, stride: number) => Math.ceil(side / stride);
  let h = down(arch.input.height, arch.stem.stride);
  let w = down(arch.input.width, arch.stem.stride);
  if (arch.stem.pool) {
    h = down(h, arch.stem.pool.stride);
    w = down(w, arch.stem.pool.stride);
  }
  return arch.blocks.map((b) => {
    const side = Math.max(h, w);
    h = down(h, b.stride);
    w = down(w, b.stride);
    return side;
  });
}

function canonicalDilation(block: ArchBlock, side: number): number {
  if (block.kernel === 1) return 1;
  return Math.min(block.dilation, Math.max(1, side));
}

/** `arch` with the equivalences above applied (name, metrics and provenance kept). */
export function canonicalArch(arch: Arch): Arch {
  const sides = blockSides(arch);
  const blocks = arch.blocks.map((b, i) => ({ ...b, dilation: canonicalDilation(b, sides[i]!) }));
  const connections = arch.connections.map((c, g) => (paths(arch, g + 1) === 1 ? 'aggregate' : c));
  const draft = toDraft({ ...arch, blocks, connections });
  arch.groups.slice(0, -1).forEach((group, g) => {
    const sameRates = JSON.stringify(arch.dilations?.[g] ?? []) === JSON.stringify(arch.dilations?.[g + 1] ?? []);
    const merge = paths(arch, g) === 1 && paths(arch, g + 1) === 1 && arch.bits[g] === arch.bits[g + 1] && arch.bases[g] === arch.bases[g + 1] && sameRates;
    if (merge) draft.boundaries[group.end - 1] = 'continue';
  });
  return { ...arch, ...fromDraft(draft) };
}

/** A string equal for two architectures exactly when their canonical forms are equal (name, metrics, provenance ignored; key order too). */
export function canonicalKey(arch: Arch): string {
  const c = canonicalArch(arch);
  const body: ArchBody = {
    input: c.input,
    stem: c.stem,
    blocks: c.blocks,
    widths: c.widths,
    groups: c.groups,
    bases: c.bases,
    bits: c.bits,
    connections: c.connections,
    decomposition: c.decomposition,
    ...(c.dilations !== undefined ? { dilations: c.dilations } : {}),
    head: c.head,
  };
  return JSON.stringify(body, (_, value: unknown) =>
    value !== null && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : value,
  );
}
