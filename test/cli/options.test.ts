import { describe, expect, it } from 'vitest';
import { namingRunFlags } from '../../src/cli/options.js';
import { RunDirectoryError, UsageError } from '../../src/util/errors.js';

describe('namingRunFlags', () => {
  it("turns a library's run-directory error into one naming the flag that gave the directory", () => {
    const taken = namingRunFlags(new RunDirectoryError('runs/a', 'taken', 'already holds a search; continue it with resumeSearch'), 'search');
    expect(taken).toBeInstanceOf(UsageError);
    expect((taken as Error).message).toBe('--out runs/a: already holds a search; continue it with --resume runs/a, or choose another directory');
    const missing = namingRunFlags(new RunDirectoryError('runs/b', 'missing', 'not a search run directory (no config.json)'), 'search');
    expect((missing as Error).message).toBe('--resume runs/b: not a search run directory (no config.json)');
    const other = new UsageError('something else');
    expect(namingRunFlags(other, 'search')).toBe(other);
  });
});
