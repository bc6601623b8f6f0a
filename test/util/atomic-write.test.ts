import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../../src/util/atomic-write.js';

describe('writeFileAtomic', () => {
  it('creates parent folders, replaces content whole and leaves no temp files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gn-atomic-'));
    const file = join(dir, 'a', 'b.json');
    writeJsonAtomic(file, { x: 1 });
    writeJsonAtomic(file, { x: 2 });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ x: 2 });
    expect(readdirSync(join(dir, 'a'))).toEqual(['b.json']);
  });

  it('leaves the old file and no temp file when the write fails', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gn-atomic-'));
    const target = join(dir, 'target');
    mkdirSync(target); // renaming a file over a directory fails
    expect(() => writeFileAtomic(target, 'data')).toThrow();
    expect(readdirSync(dir)).toEqual(['target']);
  });
});
