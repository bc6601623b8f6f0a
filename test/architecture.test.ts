import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../src/util/version.js';
import { importCycles, importsOf, roomOf, sourceFiles, type ImportEdge } from './helpers/import-graph.js';

/**
 * docs/ARCHITECTURE.md, checked: the rooms of src/ and what each may import (DESIGN §2). A room
 * not listed here is a new room: give it a row in both places.
 */
const MAY_IMPORT: Record<string, readonly string[]> = {
  util: [],
  space: ['util'],
  data: ['util'],
  backend: ['util'],
  kernels: ['space', 'util'],
  nn: ['space', 'util'],
  distill: ['nn', 'space', 'util'],
  train: ['nn', 'distill', 'data', 'kernels', 'space', 'util'],
  search: ['train', 'distill', 'nn', 'kernels', 'data', 'backend', 'space', 'util'],
  queue: ['search', 'train', 'util'],
  serve: ['search', 'train', 'kernels', 'data', 'space', 'util'],
  reproduce: ['search', 'train', 'distill', 'nn', 'kernels', 'data', 'backend', 'space', 'util', 'queue'],
  bench: ['search', 'train', 'distill', 'nn', 'kernels', 'data', 'backend', 'space', 'util', 'queue'],
  cli: ['bench', 'reproduce', 'serve', 'queue', 'search', 'train', 'distill', 'nn', 'kernels', 'data', 'backend', 'space', 'util'],
};

/** Rooms that never load tfjs (DESIGN §2: the kernels know nothing about tfjs; the space nothing about training). */
const TFJS_FREE = new Set(['util', 'space', 'kernels']);
const TFJS_MODULE = 'util/tfjs.ts';

const SRC = join(PACKAGE_ROOT, 'src');
const files = sourceFiles(SRC);
const edges: ImportEdge[] = files.flatMap((f) => importsOf(SRC, f));
const show = (e: ImportEdge) => `src/${e.from}:${e.line} imports ${e.external ? e.to : `src/${e.to}`}`;

describe('architecture (docs/ARCHITECTURE.md)', () => {
  it('the import parser sees the kinds of import the code uses', () => {
    const of = (file: string) => edges.filter((e) => e.from === file);
    // static, type-only, re-exports, multi-line
    expect(of('search/alpha-plot.ts').some((e) => e.to === 'search/search-directory.ts' && e.typeOnly)).toBe(true);
    expect(of('index.ts').filter((e) => e.to.endsWith('/index.ts')).length).toBeGreaterThan(8);
    expect(of('train/export-packed.ts').some((e) => e.to === 'nn/index.ts' && !e.typeOnly)).toBe(true);
    expect(of('train/export-onnx.ts').some((e) => e.to === 'nn/index.ts')).toBe(true);
    expect(of('kernels/js-engine.ts').some((e) => e.to === 'kernels/output-transform.ts')).toBe(true);
    expect(edges.length).toBeGreaterThan(1000);
  });

  it('every folder of src/ is a room with a row and an index.ts', () => {
    const rooms = readdirSync(SRC, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name);
    const unlisted = rooms.filter((r) => !(r in MAY_IMPORT));
    expect(unlisted, 'rooms with no row in MAY_IMPORT (and docs/ARCHITECTURE.md)').toEqual([]);
    const noIndex = rooms.filter((r) => !existsSync(join(SRC, r, 'index.ts')));
    expect(noIndex, 'rooms without an index.ts').toEqual([]);
  });

  it('each room imports only the rooms its row allows', () => {
    const forbidden = edges.filter((e) => {
      if (e.external) return false;
      const from = roomOf(e.from);
      const to = roomOf(e.to);
      return from !== 'index' && from !== to && !(MAY_IMPORT[from] ?? []).includes(to);
    });
    expect(forbidden.map(show)).toEqual([]);
  });

  it('src/index.ts, the package, reaches each room through its index.ts only', () => {
    const deep = edges.filter((e) => e.from === 'index.ts' && !e.external && !/^[a-z-]+\/index\.ts$/.test(e.to));
    expect(deep.map(show)).toEqual([]);
  });

  it('tfjs is loaded through util/tfjs.ts only, and never by util, space or kernels', () => {
    const direct = edges.filter((e) => e.external && e.to.startsWith('@tensorflow/') && !e.typeOnly && e.from !== TFJS_MODULE);
    expect(direct.map(show)).toEqual([]);
    const tfjsFree = edges.filter(
      (e) => TFJS_FREE.has(roomOf(e.from)) && e.from !== TFJS_MODULE && (e.to === TFJS_MODULE || (e.external && e.to.startsWith('@tensorflow/'))),
    );
    expect(tfjsFree.map(show)).toEqual([]);
  });

  it('no module imports itself back, directly or through others (type-only imports included)', () => {
    expect(importCycles(edges)).toEqual([]);
  });

  it('the rules themselves have no cycle, so no room can reach back into one that imports it', () => {
    const cycles = importCycles(
      Object.entries(MAY_IMPORT).flatMap(([from, tos]) => tos.map((to) => ({ from, to, external: false, typeOnly: false, line: 0 }))),
    );
    expect(cycles).toEqual([]);
  });

  it('the cycle finder finds a cycle', () => {
    const edge = (from: string, to: string): ImportEdge => ({ from, to, external: false, typeOnly: true, line: 1 });
    expect(importCycles([edge('a.ts', 'b.ts'), edge('b.ts', 'c.ts'), edge('c.ts', 'a.ts'), edge('c.ts', 'd.ts')])).toEqual([['a.ts', 'b.ts', 'c.ts']]);
  });
});
