/**
 * Validating an arch.json document: the format and version first (so a newer file gets a clear
 * "unsupported version" instead of a list of schema errors), then the JSON Schema, then the
 * rules a schema cannot express (groups partition the blocks, per-group lists match, …).
 */
import type { Arch } from './arch.js';
import { schemaProblems, type Problem } from './schema-validation.js';

export const ARCH_FORMAT = 'groupnas.arch';
export const ARCH_VERSION = 1;

/** Every problem of a would-be arch.json document (empty when it is a valid `Arch`). */
export function archProblems(data: unknown): Problem[] {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return [{ path: '(root)', message: `expected a JSON object, got ${Array.isArray(data) ? 'an array' : JSON.stringify(data)}` }];
  }
  const doc = data as Record<string, unknown>;
  if (doc.format !== ARCH_FORMAT) {
    return [{ path: 'format', message: `expected "${ARCH_FORMAT}", got ${JSON.stringify(doc.format) ?? 'nothing'} (is this an arch.json file?)` }];
  }
  if (doc.version !== ARCH_VERSION) {
    return [
      { path: 'version', message: `unsupported arch.json version ${JSON.stringify(doc.version) ?? '(missing)'}: this groupnas reads version ${ARCH_VERSION}` },
    ];
  }
  const problems = schemaProblems('arch', data);
  return problems.length > 0 ? problems : semanticProblems(data as Arch);
}

export function isArch(data: unknown): data is Arch {
  return archProblems(data).length === 0;
}

function semanticProblems(arch: Arch): Problem[] {
  const problems: Problem[] = [];
  const add = (path: string, message: string) => problems.push({ path, message });
  const n = arch.blocks.length;

  let expectedStart = 0;
  arch.groups.forEach((g, i) => {
    if (g.start !== expectedStart) {
      add(`groups[${i}].start`, `expected ${expectedStart}, got ${g.start} (groups must partition the blocks in order)`);
    }
    if (g.end <= g.start) add(`groups[${i}].end`, `expected > start (${g.start}), got ${g.end}`);
    if (g.end > n) add(`groups[${i}].end`, `expected ≤ ${n} (there are ${n} blocks), got ${g.end}`);
    expectedStart = g.end;
  });
  const last = arch.groups[arch.groups.length - 1];
  if (last && last.end < n) add(`groups[${arch.groups.length - 1}].end`, `expected ${n}: blocks ${last.end}..${n - 1} belong to no group`);

  const groups = arch.groups.length;
  if (arch.bases.length !== groups) add('bases', `expected one entry per group (${groups}), got ${arch.bases.length}`);
  if (arch.bits.length !== groups) add('bits', `expected one entry per group (${groups}), got ${arch.bits.length}`);
  if (arch.connections.length !== groups - 1) {
    add('connections', `expected one entry per boundary between groups (${groups - 1}), got ${arch.connections.length}`);
  }
  if (arch.decomposition === 'layer') {
    arch.connections.forEach((c, i) => {
      if (c !== 'aggregate') add(`connections[${i}]`, `expected "aggregate": decomposition "layer" sums the bases after every conv`);
    });
  }

  const used = new Set<number>();
  let previousStage = 0;
  arch.blocks.forEach((b, i) => {
    if (b.stage >= arch.widths.length)
      add(`blocks[${i}].stage`, `expected a stage index < ${arch.widths.length} (widths has ${arch.widths.length} entries), got ${b.stage}`);
    else if (b.stage < previousStage) add(`blocks[${i}].stage`, `expected ≥ ${previousStage} (stages run in order), got ${b.stage}`);
    used.add(b.stage);
    previousStage = Math.max(previousStage, b.stage);
    if (b.kernel % 2 === 0) add(`blocks[${i}].kernel`, `expected an odd kernel (same padding), got ${b.kernel}`);
    if (b.dilation > 1 && b.stride !== 1)
      add(`blocks[${i}].dilation`, `expected 1 on a stride-2 block (strided atrous convs are not supported), got ${b.dilation}`);
  });
  arch.widths.forEach((_, s) => {
    if (!used.has(s)) add(`widths[${s}]`, `stage ${s} has no blocks`);
  });
  problems.push(...baseDilationProblems(arch));
  if (arch.head.fcn === '16s' && arch.widths.length < 2)
    add('head.fcn', `expected "32s": FCN-16s takes its skip from the second-to-last stage and there is one stage`);
  if (arch.stem.kernel % 2 === 0) add('stem.kernel', `expected an odd kernel (same padding), got ${arch.stem.kernel}`);
  if (arch.stem.pool && arch.stem.pool.kernel < arch.stem.pool.stride) {
    add('stem.pool.kernel', `expected ≥ the pool stride (${arch.stem.pool.stride}), got ${arch.stem.pool.kernel}`);
  }
  return problems;
}

/** BPAC rates: one list per group, each empty or one rate per base, never on a group that down-samples. */
function baseDilationProblems(arch: Arch): Problem[] {
  const problems: Problem[] = [];
  const dilations = arch.dilations;
  if (dilations === undefined) return problems;
  if (dilations.length !== arch.groups.length) {
    problems.push({ path: 'dilations', message: `expected one entry per group (${arch.groups.length}), got ${dilations.length}` });
    return problems;
  }
  dilations.forEach((rates, g) => {
    if (rates.length === 0) return;
    const path = `dilations[${g}]`;
    if (arch.decomposition === 'layer') {
      problems.push({ path, message: 'expected []: decomposition "layer" has one path per group, so its bases cannot take their own rates' });
    } else if (rates.length !== arch.bases[g]) {
      problems.push({ path, message: `expected one rate per base (${arch.bases[g]}), got ${rates.length}` });
    }
    const group = arch.groups[g];
    const strided = group !== undefined && arch.blocks.slice(group.start, group.end).some((b) => b.stride !== 1);
    if (strided && rates.some((r) => r > 1)) {
      problems.push({ path, message: 'expected rates of 1: the group has a stride-2 block (strided atrous convs are not supported)' });
    }
  });
  return problems;
}
