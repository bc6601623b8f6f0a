import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './run-cli.js';

describe('groupnas data info', () => {
  it('--json describes the embedded subset', () => {
    const r = runCli(['data', 'info', '--json']);
    expect(r.status).toBe(0);
    const d = JSON.parse(r.stdout) as { train: number; test: number; shape: number[]; classes: string[]; checksum: string };
    expect(d.train).toBe(10_000);
    expect(d.test).toBe(2_000);
    expect(d.shape).toEqual([28, 28, 1]);
    expect(d.classes).toHaveLength(10);
    expect(d.checksum).toMatch(/^[0-9a-f]{64}$/);
  });

  it('a directory that does not exist is one clear line', () => {
    const r = runCli(['data', 'info', '--data', '/nonexistent/fmnist']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('/nonexistent/fmnist');
  });

  it('a wrong-magic idx file is named with what is wrong, without a stack trace', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gn-cli-data-'));
    const header = (magic: number, ...dims: number[]) => {
      const b = Buffer.alloc(4 + 4 * dims.length);
      b.writeUInt32BE(magic, 0);
      dims.forEach((d, i) => b.writeUInt32BE(d, 4 + 4 * i));
      return b;
    };
    writeFileSync(join(dir, 'train-images-idx3-ubyte'), Buffer.concat([header(0x801, 1, 2, 2), Buffer.alloc(4)]));
    writeFileSync(join(dir, 'train-labels-idx1-ubyte'), Buffer.concat([header(0x801, 1), Buffer.alloc(1)]));
    writeFileSync(join(dir, 't10k-images-idx3-ubyte'), Buffer.concat([header(0x803, 1, 2, 2), Buffer.alloc(4)]));
    writeFileSync(join(dir, 't10k-labels-idx1-ubyte'), Buffer.concat([header(0x801, 1), Buffer.alloc(1)]));
    const r = runCli(['data', 'info', '--data', dir]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('train-images-idx3-ubyte');
    expect(r.stderr).toMatch(/magic/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
