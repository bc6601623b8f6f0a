import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { PACKAGE_ROOT } from '../../src/util/version.js';
import { ensureBuilt } from '../helpers/ensure-built.js';
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

describe('writeFileAtomic on the disk', () => {
  const strace = spawnSync('strace', ['-V']).status === 0;

  it.skipIf(!strace)('fsyncs the file before the rename and the directory after it (seen by strace; skipped without strace)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gn-atomic-'));
    const trace = join(dir, 'trace');
    const target = join(dir, 'file.json');
    ensureBuilt();
    const module = pathToFileURL(join(PACKAGE_ROOT, 'dist', 'util', 'atomic-write.js')).href;
    const script = `const { writeFileAtomic } = await import(${JSON.stringify(module)}); writeFileAtomic(${JSON.stringify(target)}, 'data');`;
    const r = spawnSync('strace', ['-f', '-e', 'trace=fsync,rename,renameat,renameat2', '-o', trace, process.execPath, '--input-type=module', '-e', script], {
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(target, 'utf8')).toBe('data');
    const calls = readFileSync(trace, 'utf8')
      .split('\n')
      .map((line) => /\b(fsync|rename\w*)\(/.exec(line)?.[1])
      .filter((call) => call !== undefined)
      .map((call) => (call.startsWith('rename') ? 'rename' : call));
    expect(calls).toEqual(['fsync', 'rename', 'fsync']);
  });
});
