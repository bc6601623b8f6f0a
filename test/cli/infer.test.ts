import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

// The happy path (train → export → infer) is in export.test.ts.
describe('groupnas infer', () => {
  it('infer on a file that is not a .gnb names the file and what is wrong, without a stack trace', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gn-cli-infer-'));
    const bad = join(dir, 'bad.gnb');
    writeFileSync(bad, 'not a model at all, just some text that is long enough');
    const r = runCli(['infer', '--model', bad]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(bad);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('an unknown engine is a usage error', () => {
    const r = runCli(['infer', '--model', 'x.gnb', '--engine', 'gpu']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/engine/);
  });
});
