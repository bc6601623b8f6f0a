import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../src/util/version.js';
import { ensureBuilt } from '../helpers/ensure-built.js';
import { runCli } from './run-cli.js';

describe('groupnas serve', () => {
  it('prints its address (127.0.0.1 by default), answers, and stops cleanly on Ctrl-C', async () => {
    ensureBuilt();
    const runs = mkdtempSync(join(tmpdir(), 'gn-serve-cli-'));
    const child = spawn(process.execPath, [join(PACKAGE_ROOT, 'bin', 'groupnas.js'), 'serve', '--runs', runs, '--port', '0'], { cwd: PACKAGE_ROOT });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => resolve(d.toString().trim()));
      child.on('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
    });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const response = await fetch(`${url}/api/runs`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ runs: [] });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(stderr).toContain(`serving the runs in ${runs}`);
  });

  it('a missing runs directory or a bad port is one line, exit 2', () => {
    const missing = runCli(['serve', '--runs', '/nonexistent/runs']);
    expect(missing.status).toBe(2);
    expect(missing.stderr.trim()).toBe('groupnas: --runs /nonexistent/runs: no such directory');
    const port = runCli(['serve', '--port', '70000']);
    expect(port.status).toBe(2);
    expect(port.stderr.trim()).toBe('groupnas: --port: expected an integer ≥ 0 and < 65536, got 70000');
  });
});
