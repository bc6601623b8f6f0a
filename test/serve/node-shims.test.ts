// The browser bundle replaces Node built-ins with src/serve/browser/node-shims: they must compute
// what Node computes for the library's calls.
import { posix } from 'node:path';
import { crc32 as nodeCrc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { basename, dirname, join, resolve } from '../../src/serve/browser/node-shims/path.js';
import { crc32 } from '../../src/serve/browser/node-shims/zlib.js';
import { createRng } from '../../src/util/random.js';

describe('browser shims of node built-ins', () => {
  it('crc32 equals zlib’s, from empty input to odd lengths', () => {
    const rng = createRng(3);
    for (const length of [0, 1, 7, 64, 1001]) {
      const bytes = Uint8Array.from({ length }, () => Math.floor(rng() * 256));
      expect(crc32(bytes)).toBe(nodeCrc32(bytes));
    }
    expect(crc32('groupnas')).toBe(nodeCrc32('groupnas'));
  });

  it('joins paths like POSIX path does', () => {
    for (const parts of [
      ['/assets', '..', '..', 'package.json'],
      ['/a/b', 'schemas', 'arch.schema.json'],
      ['a', '../..', 'b'],
      ['/', 'dist', './kernels/binary.wasm'],
    ]) {
      expect(join(...parts)).toBe(posix.join(...parts));
      // the browser has no working directory: relative paths resolve from the root
      expect(resolve(...parts)).toBe(posix.resolve('/', ...parts));
    }
    for (const p of ['/a/b/c.js', '/a', 'a/b', '/']) {
      expect(dirname(p)).toBe(posix.dirname(p));
      expect(basename(p)).toBe(posix.basename(p));
    }
  });
});
