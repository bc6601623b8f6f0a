/**
 * The import graph of src/: every module's imports, read with a small parser (static imports and
 * re-exports, side-effect imports, dynamic `import('…')` and literal `require('…')`), for the
 * architecture test (test/architecture.test.ts; rules in docs/ARCHITECTURE.md).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

export interface ImportEdge {
  /** The importing module, relative to src/ (`search/search-run.ts`). */
  from: string;
  /** The imported module relative to src/, or the package name for a bare specifier. */
  to: string;
  /** A package (bare specifier or `node:` builtin), not a module of src/. */
  external: boolean;
  /** `import type …` / `export type … from`: erased when compiled. */
  typeOnly: boolean;
  line: number;
}

const STATIC = /^[ \t]*(import|export)(\s+type)?\s+[\w\s{},*$]*?\bfrom\s+['"]([^'"]+)['"]/gm;
const SIDE_EFFECT = /^[ \t]*import\s+['"]([^'"]+)['"]/gm;
const DYNAMIC = /\b(?:import|require)\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Every .ts file under `dir`, relative to it, with `/` separators. */
export function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(relative(dir, p).split(sep).join('/'));
    }
  };
  walk(dir);
  return out.sort();
}

function lineOf(text: string, index: number): number {
  return text.slice(0, index).split('\n').length;
}

/** The imports of one module (`file` relative to `srcDir`). */
export function importsOf(srcDir: string, file: string): ImportEdge[] {
  const text = readFileSync(join(srcDir, file), 'utf8');
  const edges: ImportEdge[] = [];
  const add = (specifier: string, typeOnly: boolean, index: number) => {
    const external = !specifier.startsWith('.');
    const to = external
      ? specifier
      : relative(srcDir, resolve(dirname(join(srcDir, file)), specifier))
          .split(sep)
          .join('/')
          .replace(/\.js$/, '.ts');
    edges.push({ from: file, to, external, typeOnly, line: lineOf(text, index) });
  };
  for (const m of text.matchAll(STATIC)) add(m[3]!, m[2] !== undefined, m.index);
  for (const m of text.matchAll(SIDE_EFFECT)) add(m[1]!, false, m.index);
  for (const m of text.matchAll(DYNAMIC)) add(m[1]!, false, m.index);
  return edges;
}

/** The room of a module: its first folder under src/ (`index` for src/index.ts). */
export function roomOf(file: string): string {
  const slash = file.indexOf('/');
  return slash < 0 ? file.replace(/\.ts$/, '') : file.slice(0, slash);
}

/** Every cycle of the module graph (one per strongly connected component of more than one module, or a self-import). */
export function importCycles(edges: readonly ImportEdge[]): string[][] {
  const graph = new Map<string, string[]>();
  for (const e of edges) {
    if (e.external) continue;
    graph.set(e.from, [...(graph.get(e.from) ?? []), e.to]);
  }
  // Tarjan's strongly connected components.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  let next = 0;
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return cycles;
}
