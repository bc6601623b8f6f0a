import { afterAll, describe, expect, it } from 'vitest';
import { exampleImports, printedProbabilities, runExample } from './run-example.js';

let cleanup = () => {};
afterAll(() => cleanup());

describe('examples/own-relaxation.ts', () => {
  it('imports only from groupnas (and node builtins)', () => {
    expect(exampleImports('own-relaxation').filter((m) => !m.startsWith('node:'))).toEqual(['groupnas']);
  });

  it('registers its hook, searches with it (α moves), and derives an architecture of its space', () => {
    const run = runExample('own-relaxation');
    cleanup = run.cleanup;
    expect(run.stdout).toContain('single-path-kernels: 9 variables,');
    const probabilities = printedProbabilities(run.stdout);
    expect(probabilities).toHaveLength(9);
    expect(probabilities.slice(0, 3).some((p) => p.some((q) => Math.abs(q - 1 / 3) > 0.01))).toBe(true);
    expect(run.stdout).toMatch(/^derived: kernels 3\/[135]\/3\/[135]\/3\/[135], bases [13](\/[13]){5} \(choices \d(\.\d){8}\)$/m);
  }, 600_000);
});
