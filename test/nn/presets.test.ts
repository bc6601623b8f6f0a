import * as tf from '../helpers/tfjs.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildModel } from '../../src/nn/group-net.js';
import { buildPreset, listPresets, summarize } from '../../src/space/index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Parameters + buffers the tfjs model holds, the number `summary` reports. */
const heldParameters = (state: Record<string, tf.Tensor>): number => Object.values(state).reduce((n, t) => n + t.size, 0);

describe('every preset builds, runs, and holds exactly the parameters summary counts', () => {
  const small = ['resnet-r', 'bottleneck-r', 'plain-r'];
  const cases = small.flatMap((backbone) => listPresets().map((p) => [p.name, backbone] as const));
  it.each(cases)('%s on %s (width ×0.25)', (preset, backbone) => {
    const arch = buildPreset(preset, { backbone, widthMultiplier: 0.25 });
    const model = buildModel(arch, { seed: 0 });
    expect(heldParameters(model.stateDict())).toBe(summarize(arch).totals.params);
    const x = tf.zeros([2, arch.input.height, arch.input.width, arch.input.channels]) as tf.Tensor4D;
    tf.tidy(() => {
      expect(model.forward(x, true).shape).toEqual([2, arch.head.classes]);
    });
    x.dispose();
    model.dispose();
  });

  it.each(['resnet18', 'resnet50', 'alexnet'])('ImageNet backbone %s (width ×1/16, stem max-pool): counts match, one image runs', (backbone) => {
    for (const preset of ['fp', 'groupnet-k3', 'lbd-k5']) {
      const arch = buildPreset(preset, { backbone, widthMultiplier: 1 / 16, classes: 10 });
      const model = buildModel(arch);
      expect(heldParameters(model.stateDict())).toBe(summarize(arch).totals.params);
      if (preset === 'groupnet-k3') {
        // The feature map has the shape summary gives the last conv (14×14 for AlexNet's single stride-2 conv).
        const lastConv = summarize(arch)
          .layers.filter((l) => l.kind === 'conv')
          .at(-1)!;
        const x = tf.zeros([1, 224, 224, 3]) as tf.Tensor4D;
        tf.tidy(() => {
          expect(model.features(x, false).shape).toEqual([1, ...lastConv.outputShape]);
        });
        x.dispose();
      }
      model.dispose();
    }
  });
});

describe('segmentation presets build, run per pixel, and hold exactly the parameters summary counts', () => {
  const cases = ['resnet-r', 'bottleneck-r', 'plain-r'].flatMap((backbone) =>
    (['32s', '16s'] as const).flatMap((fcn) => ['fp', 'groupnet-k5'].map((preset) => [preset, backbone, fcn] as const)),
  );
  it.each(cases)('%s on %s, FCN-%s, BPAC on the last two blocks', (preset, backbone, fcn) => {
    const input = { height: 16, width: 16, channels: 1 };
    const arch = buildPreset(preset, {
      backbone,
      widthMultiplier: 0.25,
      segmentation: { fcn, classes: 11, input, lastDilations: [2, 4] },
      bpac: [1, 2, 3, 4, 5],
    });
    const model = buildModel(arch, { seed: 0 });
    expect(heldParameters(model.stateDict())).toBe(summarize(arch).totals.params);
    const x = tf.zeros([2, 16, 16, 1]) as tf.Tensor4D;
    tf.tidy(() => {
      expect(model.forward(x, true).shape).toEqual([2 * 16 * 16, 11]);
    });
    x.dispose();
    model.dispose();
  });
});
