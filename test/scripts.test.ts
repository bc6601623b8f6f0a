import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../src/util/version.js';
import { ensureBuilt } from './helpers/ensure-built.js';

/**
 * scripts/*.mjs reproduce numbers in README and docs from the built package: a name moved or removed in
 * src/ must not leave one of them failing at its first line.
 */
const SCRIPTS = join(PACKAGE_ROOT, 'scripts');

/** Each `import { a, b as c } from '../dist/…'` of a script: the module and the names it takes from it. */
function distImports(source: string): { module: string; names: string[] }[] {
  return [...source.matchAll(/import\s*\{([^}]*)\}\s*from\s*'(\.\.\/dist\/[^']+)'/g)].map((m) => ({
    module: m[2]!,
    names: m[1]!
      .split(',')
      .map(
        (part) =>
          part
            .trim()
            .replace(/^type\s+/, '')
            .split(/\s+as\s+/)[0]!,
      )
      .filter((name) => name.length > 0),
  }));
}

beforeAll(() => ensureBuilt());

describe('scripts', () => {
  it('every name a script imports from dist/ is exported there', async () => {
    const missing: string[] = [];
    const scripts = readdirSync(SCRIPTS).filter((f) => f.endsWith('.mjs'));
    let checked = 0;
    for (const script of scripts) {
      for (const { module, names } of distImports(readFileSync(join(SCRIPTS, script), 'utf8'))) {
        const exported = (await import(pathToFileURL(join(SCRIPTS, module)).href)) as Record<string, unknown>;
        for (const name of names) {
          checked++;
          if (!(name in exported)) missing.push(`scripts/${script}: ${name} from ${module}`);
        }
      }
    }
    expect(checked).toBeGreaterThan(20); // the parser finds the scripts' imports
    expect(missing).toEqual([]);
  }, 120_000);
});
