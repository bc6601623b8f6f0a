import * as tf from '../helpers/tfjs.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildModel } from '../../src/nn/group-net.js';
import type { Arch } from '../../src/space/arch.js';
import { canonicalArch, canonicalKey } from '../../src/space/canonical-arch.js';
import { createRng } from '../../src/util/random.js';
import { tinyArch, type TinyArchOptions } from '../nn/helpers/archs.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/**
 * A parameter's name independent of how blocks are grouped: block weights by base and block index,
 * a connection by the block it follows. Two equivalent architectures name the same weights alike.
 */
function groupFreeName(arch: Arch, name: string): string {
  const block = /^groups\.\d+\.bases\.(\d+)\.blocks\.(\d+)\.(.*)$/.exec(name);
  if (block) return `base${block[1]}.block${block[2]}.${block[3]}`;
  const connection = /^connections\.(\d+)\.(lambda|mix)$/.exec(name);
  if (connection) return `after-block${arch.groups[Number(connection[1])]!.end - 1}`;
  return name;
}

/** Logits of `arch` with every weight drawn from its group-free name (so equivalent archs get the same weights). */
function logits(arch: Arch, x: tf.Tensor4D, training: boolean): Float32Array {
  const model = buildModel(arch);
  for (const [name, variable] of Object.entries(model.stateDict())) {
    const rng = createRng(groupFreeName(arch, name));
    const positive = /runningVar|gamma/.test(name);
    const values = Float32Array.from({ length: variable.size }, () => (positive ? 0.5 + rng() : 2 * rng() - 1));
    (variable as tf.Variable).assign(tf.tensor(values, variable.shape));
  }
  const y = model.forward(x, training);
  const out = y.dataSync() as Float32Array;
  y.dispose();
  model.dispose();
  return out;
}

function maxDifference(a: Float32Array, b: Float32Array): number {
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
}

/** Three blocks: stage 0 (8×8) has blocks 0 and 1, stage 1 (4×4) has block 2 (stride 2) and block 3. */
const base: TinyArchOptions = { blocksPerStage: [2, 2], bits: 1 };
const arch = (o: TinyArchOptions) => tinyArch({ ...base, ...o });

function withDilation(a: Arch, block: number, dilation: number): Arch {
  return { ...a, blocks: a.blocks.map((b, i) => (i === block ? { ...b, dilation } : b)) };
}

const equivalent: [string, Arch, Arch][] = [
  [
    'soft = aggregate between single bases',
    arch({
      groups: [
        [0, 2],
        [2, 4],
      ],
      bases: [1, 1],
      connection: 'soft',
    }),
    arch({
      groups: [
        [0, 2],
        [2, 4],
      ],
      bases: [1, 1],
      connection: 'aggregate',
    }),
  ],
  [
    'two one-base groups = one group',
    arch({
      groups: [
        [0, 2],
        [2, 4],
      ],
      bases: [1, 1],
      connection: 'aggregate',
    }),
    arch({ groups: [[0, 4]], bases: [1] }),
  ],
  [
    'soft = aggregate from K = 3 into one base',
    arch({
      groups: [
        [0, 2],
        [2, 3],
        [3, 4],
      ],
      bases: [3, 1, 2],
      connection: ['soft', 'soft'],
    }),
    arch({
      groups: [
        [0, 2],
        [2, 3],
        [3, 4],
      ],
      bases: [3, 1, 2],
      connection: ['aggregate', 'soft'],
    }),
  ],
  [
    'LBD: groups with the same K and bits merge whatever the connection',
    arch({
      groups: [
        [0, 1],
        [1, 3],
        [3, 4],
      ],
      bases: [2, 2, 2],
      connection: ['soft', 'aggregate'],
      decomposition: 'layer',
    }),
    arch({ groups: [[0, 4]], bases: [2], decomposition: 'layer' }),
  ],
  ['dilation 4 = dilation 8 on a 4×4 map', withDilation(arch({}), 3, 4), withDilation(arch({}), 3, 8)],
];

const distinct: [string, Arch, Arch][] = [
  [
    'soft from one base into two scales each copy',
    arch({
      groups: [
        [0, 2],
        [2, 4],
      ],
      bases: [1, 2],
      connection: 'soft',
    }),
    arch({
      groups: [
        [0, 2],
        [2, 4],
      ],
      bases: [1, 2],
      connection: 'aggregate',
    }),
  ],
  [
    'one-base groups with different bits',
    arch({
      groups: [
        [0, 2],
        [2, 4],
      ],
      bases: [1, 1],
      bits: [1, 2],
      connection: 'aggregate',
    }),
    arch({
      groups: [
        [0, 2],
        [2, 4],
      ],
      bases: [1, 1],
      bits: [1, 1],
      connection: 'aggregate',
    }),
  ],
  [
    'K = 2 groups joined by aggregate are not one K = 2 group',
    arch({
      groups: [
        [0, 2],
        [2, 4],
      ],
      bases: [2, 2],
      connection: 'aggregate',
    }),
    arch({ groups: [[0, 4]], bases: [2] }),
  ],
  ['dilation 2 ≠ dilation 4 on a 4×4 map', withDilation(arch({}), 3, 2), withDilation(arch({}), 3, 4)],
];

describe('canonicalArch', () => {
  const x = tf.tensor4d(
    Float32Array.from({ length: 2 * 8 * 8 }, (_, i) => Math.sin(i * 1.7)),
    [2, 8, 8, 1],
  );

  for (const [what, a, b] of equivalent) {
    it(`equivalent: ${what} — equal canonical forms, identical outputs`, () => {
      expect(canonicalKey(a)).toBe(canonicalKey(b));
      for (const training of [false, true]) expect(maxDifference(logits(a, x, training), logits(b, x, training))).toBeLessThan(1e-5);
    });
  }

  for (const [what, a, b] of distinct) {
    it(`distinct: ${what} — different canonical forms, different outputs`, () => {
      expect(canonicalKey(a)).not.toBe(canonicalKey(b));
      expect(maxDifference(logits(a, x, false), logits(b, x, false))).toBeGreaterThan(1e-3);
    });
  }

  it('is idempotent, keeps name and provenance, and leaves a non-reducible architecture as it is', () => {
    const a = arch({
      groups: [
        [0, 1],
        [1, 2],
        [2, 4],
      ],
      bases: [1, 1, 3],
      connection: ['soft', 'soft'],
    });
    const once = canonicalArch(a);
    expect(once.groups).toEqual([
      { start: 0, end: 2 },
      { start: 2, end: 4 },
    ]);
    expect(once.connections).toEqual(['soft']);
    expect(once.name).toBe(a.name);
    expect(once.provenance).toEqual(a.provenance);
    expect(canonicalArch(once)).toEqual(once);
    const plain = arch({
      groups: [
        [0, 2],
        [2, 4],
      ],
      bases: [2, 3],
      connection: 'soft',
    });
    expect(canonicalArch(plain)).toEqual(plain);
  });
});
