import type { Arch } from '../space/arch.js';
import { UsageError } from '../util/errors.js';

const BITS = [1, 2, 4, 32];
const KINDS = ['basic', 'bottleneck', 'plain', 'skip'];
const CONNECTIONS = ['aggregate', 'soft'];
const DECOMPOSITIONS = ['group', 'layer'];

/**
 * Refuse an Arch that `buildModel` cannot build, naming the field and what was expected
 * (`source` prefixes the message: a file name or `arch`). The full schema check is src/space's;
 * this guards the facts the builder relies on.
 */
export function checkArchBuildable(arch: Arch, source = 'arch'): void {
  const fail = (field: string, expected: string, got: unknown): never => {
    throw new UsageError(`${source}: ${field}: expected ${expected}, got ${JSON.stringify(got)}`);
  };
  const posInt = (field: string, v: unknown): void => {
    if (!Number.isInteger(v) || (v as number) < 1) fail(field, 'a positive integer', v);
  };
  const oddKernel = (field: string, v: unknown): void => {
    if (!Number.isInteger(v) || (v as number) < 1 || (v as number) % 2 === 0) fail(field, 'an odd positive integer (symmetric padding)', v);
  };

  posInt('input.height', arch.input?.height);
  posInt('input.width', arch.input?.width);
  posInt('input.channels', arch.input?.channels);
  posInt('stem.filters', arch.stem?.filters);
  oddKernel('stem.kernel', arch.stem?.kernel);
  posInt('stem.stride', arch.stem?.stride);
  if (arch.stem?.pool !== undefined) {
    posInt('stem.pool.kernel', arch.stem.pool.kernel);
    posInt('stem.pool.stride', arch.stem.pool.stride);
  }
  posInt('head.classes', arch.head?.classes);
  if (!Array.isArray(arch.widths) || arch.widths.length === 0) fail('widths', 'a non-empty array of positive integers', arch.widths);
  arch.widths.forEach((w, i) => posInt(`widths[${i}]`, w));
  if (!Array.isArray(arch.blocks) || arch.blocks.length === 0) fail('blocks', 'a non-empty array', arch.blocks);
  arch.blocks.forEach((b, i) => {
    if (!KINDS.includes(b.kind)) fail(`blocks[${i}].kind`, `one of ${KINDS.join(', ')}`, b.kind);
    if (!Number.isInteger(b.stage) || b.stage < 0 || b.stage >= arch.widths.length) {
      fail(`blocks[${i}].stage`, `an index into widths (0..${arch.widths.length - 1})`, b.stage);
    }
    if (b.stride !== 1 && b.stride !== 2) fail(`blocks[${i}].stride`, '1 or 2', b.stride);
    oddKernel(`blocks[${i}].kernel`, b.kernel);
    posInt(`blocks[${i}].dilation`, b.dilation);
    if (b.dilation > 1 && b.stride !== 1) fail(`blocks[${i}].dilation`, '1 when stride is 2 (strided atrous convs are not supported)', b.dilation);
  });
  if (!DECOMPOSITIONS.includes(arch.decomposition)) fail('decomposition', `one of ${DECOMPOSITIONS.join(', ')}`, arch.decomposition);

  if (!Array.isArray(arch.groups) || arch.groups.length === 0) fail('groups', 'a non-empty array of {start, end}', arch.groups);
  let next = 0;
  arch.groups.forEach((g, i) => {
    if (g.start !== next) fail(`groups[${i}].start`, `${next} (groups partition the blocks in order)`, g.start);
    if (!Number.isInteger(g.end) || g.end <= g.start || g.end > arch.blocks.length) {
      fail(`groups[${i}].end`, `an integer in ${g.start + 1}..${arch.blocks.length} (past the last block is not allowed)`, g.end);
    }
    next = g.end;
  });
  if (next !== arch.blocks.length) fail(`groups[${arch.groups.length - 1}].end`, `${arch.blocks.length} (groups must cover every block)`, next);

  const perGroup = (field: 'bases' | 'bits'): void => {
    const v = arch[field];
    if (!Array.isArray(v) || v.length !== arch.groups.length) fail(field, `an array with one entry per group (${arch.groups.length})`, v);
  };
  perGroup('bases');
  arch.bases.forEach((k, i) => posInt(`bases[${i}]`, k));
  perGroup('bits');
  arch.bits.forEach((b, i) => {
    if (!BITS.includes(b)) fail(`bits[${i}]`, `one of ${BITS.join(', ')}`, b);
  });
  if (!Array.isArray(arch.connections) || arch.connections.length !== arch.groups.length - 1) {
    fail('connections', `an array with one entry per group boundary (${arch.groups.length - 1})`, arch.connections);
  }
  arch.connections.forEach((c, i) => {
    if (!CONNECTIONS.includes(c)) fail(`connections[${i}]`, `one of ${CONNECTIONS.join(', ')}`, c);
  });
  arch.dilations?.forEach((rates, g) => {
    if (rates.length > 0 && rates.length !== pathsOf(arch, g)) fail(`dilations[${g}]`, `[] or one rate per base (${pathsOf(arch, g)})`, rates);
    rates.forEach((r, k) => posInt(`dilations[${g}][${k}]`, r));
  });
  if (arch.head.fcn !== undefined && !FCN_HEADS.includes(arch.head.fcn)) fail('head.fcn', `one of ${FCN_HEADS.join(', ')}`, arch.head.fcn);
}

const FCN_HEADS = ['32s', '16s'];

function pathsOf(arch: Arch, g: number): number {
  return arch.decomposition === 'layer' ? 1 : arch.bases[g]!;
}
