import { afterAll, describe, expect, it } from 'vitest';
import { exampleImports, exampleSource, printedProbabilities, runExample } from './run-example.js';

let cleanup = () => {};
afterAll(() => cleanup());

describe('examples/custom-space.ts', () => {
  it('imports only from groupnas (and node builtins) and stays under 60 lines', () => {
    expect(
      exampleSource('custom-space')
        .split('\n')
        .filter((l) => l.trim() !== '').length,
    ).toBeLessThan(60);
    expect(exampleImports('custom-space').filter((m) => !m.startsWith('node:'))).toEqual(['groupnas']);
  });

  it('compiles against the built package, searches its space (α moves), and the derived architecture decodes and trains', () => {
    const run = runExample('custom-space');
    cleanup = run.cleanup;
    const stdout = run.stdout;
    expect(stdout).toContain('kernels-and-bases: 6 variables, 216 architectures');
    expect(stdout).toContain('kernelSize (stage): 3 | 5');
    expect(stdout).toContain('encode/decode round trip: 216 of 216 architectures');
    expect(stdout).toMatch(/^BOPs from \d+ to \d+$/m);
    expect(stdout).toMatch(/^block0\.conv1\s+28×28×8\s+1\s+1\s+/m);
    const probabilities = printedProbabilities(stdout);
    expect(probabilities).toHaveLength(6);
    // α left uniform somewhere: the search moved it (α steps ran on the custom decision's mixed op too).
    expect(probabilities.some((p) => p.some((q) => Math.abs(q - 1 / p.length) > 0.01))).toBe(true);
    expect(probabilities.slice(0, 3).some((p) => Math.abs(p[0]! - 0.5) > 0.01)).toBe(true);
    expect(stdout).toMatch(/^derived: kernels [35]\/[35]\/[35] per stage, bases [1-3](\/[1-3]){5} per group \(choices \d(\.\d){5}\)$/m);
    const accuracy = Number(/test accuracy ([\d.]+)%/.exec(stdout)?.[1]);
    expect(accuracy).toBeGreaterThan(0);
  }, 600_000);
});
