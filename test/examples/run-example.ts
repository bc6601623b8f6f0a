/**
 * Running an example as a user runs it: compiled with the project's tsc against the built package
 * (examples import only from 'groupnas', resolved through package.json `exports`, and node's
 * builtins), then executed with node.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../src/util/version.js';
import { ensureBuilt } from '../helpers/ensure-built.js';

export function exampleSource(name: string): string {
  return readFileSync(join(PACKAGE_ROOT, 'examples', `${name}.ts`), 'utf8');
}

/** The modules an example imports. */
export function exampleImports(name: string): string[] {
  return [...exampleSource(name).matchAll(/from '([^']+)'/g)].map((m) => m[1]!);
}

/** Compile examples/ into a directory of its own (inside the package, so `groupnas` resolves to it) and run `name`; its stdout. */
export function runExample(name: string): { stdout: string; cleanup: () => void } {
  ensureBuilt();
  const outDir = join(PACKAGE_ROOT, 'examples', 'dist', `test-${name}-${process.pid}`);
  const tsc = join(PACKAGE_ROOT, 'node_modules', '.bin', 'tsc');
  execFileSync(tsc, ['-p', join(PACKAGE_ROOT, 'examples'), '--outDir', outDir], { cwd: PACKAGE_ROOT, stdio: 'pipe' });
  const cleanup = () => {
    rmSync(outDir, { recursive: true, force: true });
    const parent = join(PACKAGE_ROOT, 'examples', 'dist');
    if (existsSync(parent) && readdirSync(parent).length === 0) rmdirSync(parent);
  };
  try {
    const stdout = execFileSync(process.execPath, [join(outDir, `${name}.js`)], { cwd: PACKAGE_ROOT, encoding: 'utf8' });
    return { stdout, cleanup };
  } catch (e) {
    cleanup();
    throw e;
  }
}

/** The α lines an example prints (`α id: choice p, choice p, …`) as probabilities per variable. */
export function printedProbabilities(stdout: string): number[][] {
  return [...stdout.matchAll(/^α \S+: (.*)$/gm)].map((m) => m[1]!.split(', ').map((part) => Number(part.split(' ')[1])));
}
