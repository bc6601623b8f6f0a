import { describe, expect, it } from 'vitest';
import { nativeEngineStatus } from '../../src/kernels/engines.js';
import { runCli } from './run-cli.js';

describe('groupnas info', () => {
  it('--json reports the wasm backend, the installed backends and the embedded data set', () => {
    const r = runCli(['info', '--json']);
    expect(r.status).toBe(0);
    const info = JSON.parse(r.stdout) as { backend: string; installedBackends: string[]; datasets: { data: string }[]; version: string };
    expect(info.backend).toBe('wasm');
    expect(info.installedBackends).toEqual(expect.arrayContaining(['wasm', 'cpu']));
    expect(info.datasets.map((d) => d.data)).toContain('embedded');
    expect(info.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(r.stderr).toContain('backend wasm');
  });

  it('lists the binary inference engines and says where the native addon comes from, or why there is none', () => {
    const r = runCli(['info', '--json']);
    const info = JSON.parse(r.stdout) as {
      engines: string[];
      native: { available: boolean; path?: string; addon?: { origin: string; path: string }; reason?: string };
    };
    expect(info.engines.slice(-2)).toEqual(['wasm', 'js']);
    const here = nativeEngineStatus();
    expect(info.native.available).toBe(here.available);
    if (info.native.available) {
      expect(info.engines[0]).toBe('native');
      expect(info.native.addon!.origin).toMatch(/^(built|prebuilt|environment)$/);
      expect(runCli(['info']).stdout).toMatch(/^native: +\w+ path; addon /m);
    } else {
      expect(info.native.reason).toMatch(/native engine/);
      expect(runCli(['info']).stdout).toMatch(/^native: +unavailable: /m);
    }
  });

  it('asking for a backend that is not installed prints one line with the install command', () => {
    const r = runCli(['info', '--backend', 'tensorflow']);
    expect(r.status).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('npm install @tensorflow/tfjs-node');
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('--help lists the commands', () => {
    const r = runCli(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('groupnas info');
  });

  it('an unknown command is a usage error with help, not a crash', () => {
    const r = runCli(['frobnicate']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/Unknown argument|Unknown command/);
  });
});

describe('usage mistakes', () => {
  it('an invalid option value stops before the command runs: one line naming the option, exit 2', () => {
    const r = runCli(['info', '--backend', 'webgpu']);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/Argument: backend, Given: "webgpu"/);
    expect(r.stderr).not.toContain('groupnas: backend'); // the handler (which announces the backend) never ran
  });
});
