import { describe, expect, it } from 'vitest';
import { describeArch } from '../../src/space/arch-description.js';
import { buildPreset } from '../../src/space/presets.js';

describe('describeArch', () => {
  it('gives groups, bases, bits, connections and widths in one line', () => {
    expect(describeArch(buildPreset('gbd-v2-k5', { widthMultiplier: 0.5 }))).toBe(
      '[0–1] K=5 1-bit [2–3] K=5 1-bit [4–5] K=5 1-bit; connections aggregate, aggregate; widths 16/32/64',
    );
  });

  it('lists block operations, kernels and dilations where a search made them differ', () => {
    const arch = buildPreset('groupnet-k1', { widthMultiplier: 0.5 });
    const searched = {
      ...arch,
      blocks: arch.blocks.map((b, i) => ({ ...b, kind: i % 2 === 1 ? ('skip' as const) : b.kind, kernel: i === 0 ? 5 : 3, dilation: i === 1 ? 2 : 1 })),
    };
    expect(describeArch(searched)).toMatch(/; blocks basic\/skip\/basic\/skip\/basic\/skip; kernels 5\/3\/3\/3\/3\/3; dilations 1\/2\/1\/1\/1\/1$/);
  });
});
