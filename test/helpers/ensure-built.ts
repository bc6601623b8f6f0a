import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../src/util/version.js';

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

let built = false;

/**
 * Tests that run the package as a user does (the CLI binary, the example) need dist/. `npm ci`
 * builds it; a developer's dist/ may be older than src/, so rebuild when it is (once per test file).
 */
export function ensureBuilt(): void {
  if (built) return;
  const marker = join(PACKAGE_ROOT, 'dist', 'cli', 'main.js');
  if (!existsSync(marker) || statSync(marker).mtimeMs < newestMtime(join(PACKAGE_ROOT, 'src'))) {
    execFileSync('npm', ['run', '--silent', 'build'], { cwd: PACKAGE_ROOT, stdio: 'inherit' });
  }
  built = true;
}
