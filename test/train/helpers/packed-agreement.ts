import * as tf from '../../helpers/tfjs.js';
import type { EngineName } from '../../../src/kernels/engine.js';
import { createEngine } from '../../../src/kernels/engines.js';
import { packStateDict } from '../../../src/kernels/pack-state-dict.js';
import { PackedModel } from '../../../src/kernels/packed-model.js';
import { buildModel } from '../../../src/nn/group-net.js';
import type { Arch } from '../../../src/space/arch.js';
import { packedExportState } from '../../../src/train/export-packed.js';
import { createRng, randomNormal } from '../../../src/util/random.js';
import { randomModelState } from '../../kernels/random-model-state.js';

export interface Agreement {
  /** Rows (images, or pixels of a segmentation model) whose argmax differs. */
  argmaxDifferences: number;
  /** Largest logit difference relative to the row's largest logit. */
  maxRelative: number;
}

/**
 * A random model of `arch` (BN statistics, λ, mixes all away from their start) exported and run on
 * each engine against tfjs inference on the same random images: `count(engine)` of `images`.
 */
export function packedAgreement(
  arch: Arch,
  engines: EngineName[],
  images: number,
  count: (engine: EngineName) => number = () => images,
): Record<string, Agreement> {
  const { height, width, channels } = arch.input;
  const size = height * width * channels;
  const model = buildModel(arch, { seed: 1 });
  try {
    const state = randomModelState(
      model.params.list().map((p) => ({ name: p.name, shape: p.variable.shape })),
      7,
    );
    model.loadStateDict(Object.fromEntries(Object.entries(state).map(([n, t]) => [n, tf.tensor(t.data, t.shape)])));
    const rng = createRng(11);
    const x = Float32Array.from({ length: images * size }, () => randomNormal(rng));
    const expected = tf.tidy(() => model.forward(tf.tensor4d(x, [images, height, width, channels]), false).dataSync() as Float32Array);
    const gnb = packStateDict(arch, packedExportState(model));
    const classes = arch.head.classes;
    const rowsPerImage = expected.length / classes / images;
    return Object.fromEntries(
      engines.map((name) => {
        const n = count(name);
        const got = new PackedModel(gnb, createEngine(name)).predict(x.subarray(0, n * size), n);
        let argmaxDifferences = 0;
        let maxRelative = 0;
        for (let row = 0; row < n * rowsPerImage; row++) {
          const e = Array.from(expected.subarray(row * classes, (row + 1) * classes));
          const g = Array.from(got.subarray(row * classes, (row + 1) * classes));
          const scale = Math.max(...e.map(Math.abs), 1e-6);
          e.forEach((v, i) => (maxRelative = Math.max(maxRelative, Math.abs(v - g[i]!) / scale)));
          if (e.indexOf(Math.max(...e)) !== g.indexOf(Math.max(...g))) argmaxDifferences++;
        }
        return [name, { argmaxDifferences, maxRelative }];
      }),
    );
  } finally {
    model.dispose();
  }
}
