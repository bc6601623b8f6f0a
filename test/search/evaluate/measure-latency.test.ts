import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src/backend/select.js';
import { exportPackedModel } from '../../../src/kernels/packed-model-file.js';
import { buildModel } from '../../../src/nn/index.js';
import { MAX_ROUND_SPREAD, measureLatencies } from '../../../src/search/evaluate/measure-latency.js';
import { buildPreset } from '../../../src/space/index.js';
import { randomModelState } from '../../kernels/random-model-state.js';

beforeAll(async () => {
  await selectBackend('wasm');
});

/** A small packed model of `preset` in a file. */
function packedModelFile(dir: string, preset: string): string {
  const arch = { ...buildPreset(preset, { widthMultiplier: 0.25 }), input: { height: 8, width: 8, channels: 1 } };
  const model = buildModel(arch, { seed: 1 });
  const names = model.params.list().map((p) => ({ name: p.name, shape: p.variable.shape }));
  model.dispose();
  const file = join(dir, `${preset}.gnb`);
  exportPackedModel(file, arch, randomModelState(names, 3));
  return file;
}

describe('latency of several models, timed in interleaved rounds', () => {
  it('records each model’s median over rounds with the rounds’ range, and flags a spread past the limit as unreliable', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gn-latency-'));
    const files = [packedModelFile(dir, 'groupnet-k1'), packedModelFile(dir, 'groupnet-k3')];
    const timing = { warmUpSeconds: 0.01, seconds: 0.03, minRepeats: 2 };
    const measured = measureLatencies(files, { engine: 'js', rounds: 3, timing });
    expect(measured).toHaveLength(2);
    for (const m of measured) {
      expect(m).toMatchObject({ engine: 'js', batch: 1, rounds: 3 });
      expect(m.repeats).toBeGreaterThanOrEqual(3 * 2);
      expect(m.minMs!).toBeLessThanOrEqual(m.medianMs);
      expect(m.medianMs).toBeLessThanOrEqual(m.maxMs!);
      expect(m.spread).toBeCloseTo((m.maxMs! - m.minMs!) / m.medianMs, 10);
      if (m.spread! > MAX_ROUND_SPREAD) expect(m.unreliable).toMatch(/rounds ranged .* ms \(spread \d+%\).*: the machine was busy/);
      if (m.unreliable === undefined) expect(m.spread!).toBeLessThanOrEqual(MAX_ROUND_SPREAD);
    }
    expect(measureLatencies([], { engine: 'js' })).toEqual([]);
  });
});
