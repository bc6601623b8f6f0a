import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/backend/select.js';
import { exportPackedModel } from '../../src/kernels/packed-model-file.js';
import { PackedModelPool } from '../../src/kernels/packed-model-pool.js';
import { buildModel } from '../../src/nn/index.js';
import { buildPreset } from '../../src/space/index.js';
import { UsageError } from '../../src/util/errors.js';
import { ensureBuilt } from '../helpers/ensure-built.js';
import { randomModelState } from './random-model-state.js';

let file: string;
beforeAll(async () => {
  ensureBuilt(); // the pool's workers run dist/ (see util/worker-file.ts)
  await selectBackend('wasm');
  const arch = { ...buildPreset('groupnet-k5-a2', { widthMultiplier: 0.25 }), input: { height: 8, width: 8, channels: 1 } };
  const model = buildModel(arch, { seed: 1 });
  const names = model.params.list().map((p) => ({ name: p.name, shape: p.variable.shape }));
  model.dispose();
  file = join(mkdtempSync(join(tmpdir(), 'gn-pool-')), 'model.gnb');
  exportPackedModel(file, arch, randomModelState(names, 3));
}, 300_000);

const images = (n: number) => Float32Array.from({ length: n * 64 }, (_, i) => Math.sin(i * 0.37));
const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

describe('PackedModelPool', () => {
  it.each([1, 2, 3])(
    'on %i thread(s) predicts every batch bit for bit as one model does, however the batch is cut',
    async (threads) => {
      const pool = await PackedModelPool.open(file, { threads, engine: 'js' });
      try {
        expect(pool.threads).toBe(threads);
        for (const n of [1, 2, 5]) {
          const x = images(n);
          const logits = await pool.predict(x, n);
          expect(logits).toHaveLength(n * 10);
          expect(bits(logits)).toEqual(bits(pool.model.predict(x, n)));
        }
        const timed = await pool.measure(4, { warmUpSeconds: 0, seconds: 0, minRepeats: 2 });
        expect(timed).toMatchObject({ batch: 4, threads, repeats: 2 });
        expect(timed.imagesPerSecond).toBeCloseTo(4 / timed.medianSeconds, 6);
      } finally {
        await pool.close();
      }
    },
    120_000,
  );

  it('refuses a wrong thread count, images of another shape, and a file that is not a model', async () => {
    await expect(PackedModelPool.open(file, { threads: 0 })).rejects.toThrow(UsageError);
    const pool = await PackedModelPool.open(file, { threads: 2, engine: 'js' });
    try {
      await expect(pool.predict(new Float32Array(63), 1)).rejects.toThrow(/expected 1 images of 8×8×1 \(64 values\), got 63/);
      // the pool still works after a refused batch
      expect((await pool.predict(images(3), 3)).length).toBe(30);
    } finally {
      await pool.close();
    }
    await expect(PackedModelPool.open(join(tmpdir(), 'no-such-model.gnb'), { threads: 2 })).rejects.toThrow(/no-such-model\.gnb/);
  }, 120_000);
});
