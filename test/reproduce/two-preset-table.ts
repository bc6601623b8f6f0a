import { S2_FULL_PRECISION, S2_GROUPNET_K1 } from '../../src/reproduce/supplement.js';
import type { ReproductionTable } from '../../src/reproduce/tables.js';

/** Two cheap rows keep a reproduction's tests fast; the real tables only differ in their presets. */
export const TWO_PRESET_TABLE: ReproductionTable = {
  name: 'tiny',
  title: 'two presets',
  rows: [
    { preset: 'fp', supplement: S2_FULL_PRECISION },
    { preset: 'groupnet-k1', supplement: S2_GROUPNET_K1 },
  ],
  orderings: [{ kind: 'chain', relation: '≥', presets: ['fp', 'groupnet-k1'], labels: ['FP', 'K=1'], source: 'S2' }],
};
