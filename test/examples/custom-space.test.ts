/**
 * `examples/custom-space.ts` runs as a user runs it: compiled with the project's tsc against the
 * built package (it imports only from 'groupnas', resolved through package.json `exports`), then
 * executed with node.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../src/util/version.js';
import { ensureBuilt } from '../helpers/ensure-built.js';

const example = join(PACKAGE_ROOT, 'examples', 'custom-space.ts');
// Inside the package, so that the self-reference `import ... from 'groupnas'` resolves.
const outDir = join(PACKAGE_ROOT, 'examples', 'dist', `test-${process.pid}`);
afterAll(() => {
  rmSync(outDir, { recursive: true, force: true });
  const parent = join(PACKAGE_ROOT, 'examples', 'dist');
  if (existsSync(parent) && readdirSync(parent).length === 0) rmdirSync(parent);
});

describe('examples/custom-space.ts', () => {
  it('imports only from groupnas and stays under 60 lines', () => {
    const source = readFileSync(example, 'utf8');
    expect(source.split('\n').filter((l) => l.trim() !== '').length).toBeLessThan(60);
    const imports = [...source.matchAll(/from '([^']+)'/g)].map((m) => m[1]);
    expect(imports).toEqual(['groupnas']);
  });

  it('compiles against the built package and runs', () => {
    ensureBuilt();
    const tsc = join(PACKAGE_ROOT, 'node_modules', '.bin', 'tsc');
    execFileSync(tsc, ['-p', join(PACKAGE_ROOT, 'examples'), '--outDir', outDir], { cwd: PACKAGE_ROOT, stdio: 'pipe' });
    const stdout = execFileSync(process.execPath, [join(outDir, 'custom-space.js')], { cwd: PACKAGE_ROOT, encoding: 'utf8' });
    expect(stdout).toContain('kernels-and-bases: 6 variables, 216 architectures');
    expect(stdout).toContain('kernelSize (stage): 3 | 5');
    expect(stdout).toContain('encode/decode round trip: 216 of 216 architectures');
    expect(stdout).toMatch(/^BOPs from \d+ to \d+$/m);
    expect(stdout).toMatch(/^block0\.conv1\s+28×28×16\s+1\s+1\s+2304\s/m);
  });
});
