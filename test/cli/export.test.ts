import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

const tiny = [
  '--preset',
  'groupnet-k1',
  '--width-mult',
  '0.125',
  '--epochs',
  '1',
  '--limit',
  '128',
  '--test-limit',
  '64',
  '--batch',
  '32',
  '--seed',
  '2',
  '--backend',
  'wasm',
];

describe('groupnas export + infer', () => {
  it('exports a trained run to .gnb and infer reproduces its tfjs test accuracy on the same images; --out *.onnx writes ONNX', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gn-cli-export-'));
    const run = join(dir, 'run');
    const trained = runCli(['train', ...tiny, '--out', run, '--json']);
    expect(trained.status).toBe(0);
    const { testAccuracy } = JSON.parse(trained.stdout) as { testAccuracy: number };

    const file = join(dir, 'model.gnb');
    const exported = runCli(['export', '--run', run, '--out', file, '--json', '--backend', 'wasm']);
    expect(exported.status).toBe(0);
    const e = JSON.parse(exported.stdout) as { path: string; bytes: number; tfjsTestAccuracy: number; testImages: number };
    expect(e.tfjsTestAccuracy).toBe(testAccuracy);
    expect(e.testImages).toBe(64);
    expect(existsSync(file)).toBe(true);

    const inferred = runCli(['infer', '--model', file, '--limit', '64', '--engine', 'wasm', '--seconds', '0.05', '--json']);
    expect(inferred.status).toBe(0);
    const r = JSON.parse(inferred.stdout) as {
      accuracy: number;
      tfjsTestAccuracy: number;
      engine: string;
      latency: { batch: number; medianSeconds: number }[];
    };
    expect(r.engine).toBe('wasm');
    expect(r.accuracy).toBe(testAccuracy);
    expect(r.tfjsTestAccuracy).toBe(testAccuracy);
    expect(r.latency.map((l) => l.batch)).toEqual([1, 64]);
    expect(r.latency.every((l) => l.medianSeconds > 0)).toBe(true);

    const text = runCli(['infer', '--model', file, '--limit', '64', '--engine', 'js', '--seconds', '0.01']);
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/test accuracy [\d.]+% \(\d+\/64\)/);
    expect(text.stdout).toMatch(/identical/);
    expect(text.stdout).toMatch(/latency batch 1 /);

    // --out *.onnx: a standard ONNX model that onnxruntime loads, with its input, output and provenance named
    const onnxFile = join(dir, 'model.onnx');
    const onnx = runCli(['export', '--run', run, '--out', onnxFile, '--json', '--backend', 'wasm']);
    expect(onnx.status, onnx.stderr).toBe(0);
    const o = JSON.parse(onnx.stdout) as { format: string; bytes: number; tfjsTestAccuracy: number };
    expect(o.format).toBe('onnx');
    expect(o.tfjsTestAccuracy).toBe(testAccuracy);
    const session = await ort.InferenceSession.create(onnxFile);
    expect(session.inputNames).toEqual(['images']);
    expect(session.outputNames).toEqual(['logits']);
  });

  it('a run directory without a checkpoint is one clear line and writes nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gn-cli-export-'));
    const out = join(dir, 'model.gnb');
    const r = runCli(['export', '--run', dir, '--out', out]);
    expect(r.status).toBe(2);
    expect(
      r.stderr
        .trim()
        .split('\n')
        .filter((l) => !l.startsWith('groupnas: backend')),
    ).toHaveLength(1);
    expect(r.stderr).toContain('no checkpoint.gnck');
    expect(existsSync(out)).toBe(false);
  });
});
