/**
 * The three small-scale reproductions of `groupnas reproduce`: which presets each trains, the
 * supplement row each preset is printed beside, and the orderings it checks (orderings.ts).
 */
import { UsageError } from '../util/errors.js';
import type { Ordering } from './orderings.js';
import {
  S1_GBD_V1,
  S1_GBD_V2,
  S1_GBD_V3,
  S1_GROUPNET,
  S2_FULL_PRECISION,
  S2_GROUPNET_K1,
  S2_GROUPNET_K3,
  S2_GROUPNET_K5,
  S4_GROUPNET_A2,
  S4_LBD,
  S6_FULL_PRECISION,
  S6_GROUPNET_K5_A4,
  type SupplementRow,
} from './supplement.js';

export interface TableRow {
  preset: string;
  supplement: SupplementRow;
  /** Where the preset trained here differs from the supplement's row. */
  note?: string;
}

export interface ReproductionTable {
  name: string;
  title: string;
  rows: TableRow[];
  orderings: Ordering[];
}

/** The supplement's side of a chain ordering, from its rows: "Table S2: 56.4 < 62.5 < 64.8". */
function supplementChain(relation: string, rows: SupplementRow[]): string {
  return `Table ${rows[0]!.table}: ${rows.map((r) => r.top1.toFixed(1)).join(` ${relation} `)}`;
}

/** The supplement's side of a "within" ordering: "Table S6: 70.1 vs 69.7, 0.4 pt above". */
function supplementWithin(row: SupplementRow, reference: SupplementRow): string {
  const gap = row.top1 - reference.top1;
  return `Table ${row.table}: ${row.top1.toFixed(1)} vs ${reference.top1.toFixed(1)}, ${Math.abs(gap).toFixed(1)} pt ${gap >= 0 ? 'above' : 'below'}`;
}

export const TABLE_NAMES = ['bases', 'decompositions', 'bits'] as const;
export type TableName = (typeof TABLE_NAMES)[number];

const TABLES: Record<TableName, ReproductionTable> = {
  bases: {
    name: 'bases',
    title: 'number of bases K (supplement Table S2, binary weights and activations)',
    rows: [
      { preset: 'fp', supplement: S2_FULL_PRECISION },
      { preset: 'groupnet-k1', supplement: S2_GROUPNET_K1 },
      { preset: 'groupnet-k3', supplement: S2_GROUPNET_K3 },
      { preset: 'groupnet-k5', supplement: S2_GROUPNET_K5 },
    ],
    orderings: [
      {
        kind: 'chain',
        relation: '<',
        presets: ['groupnet-k1', 'groupnet-k3', 'groupnet-k5'],
        labels: ['K=1', 'K=3', 'K=5'],
        source: supplementChain('<', [S2_GROUPNET_K1, S2_GROUPNET_K3, S2_GROUPNET_K5]),
      },
    ],
  },
  decompositions: {
    name: 'decompositions',
    title: 'group-wise decompositions, K=5 (supplement Table S1; LBD from Table S4)',
    rows: [
      { preset: 'groupnet-k5', supplement: S1_GROUPNET },
      { preset: 'gbd-v1-k5', supplement: S1_GBD_V1 },
      { preset: 'gbd-v2-k5', supplement: S1_GBD_V2 },
      { preset: 'gbd-v3-k5', supplement: S1_GBD_V3 },
      { preset: 'lbd-k5', supplement: S4_LBD, note: 'the supplement has LBD only with 4-bit activations; 1-bit here' },
    ],
    orderings: [
      {
        kind: 'chain',
        relation: '≥',
        presets: ['groupnet-k5', 'gbd-v1-k5', 'gbd-v2-k5', 'gbd-v3-k5'],
        labels: ['Group-Net', 'GBD v1', 'GBD v2', 'GBD v3'],
        source: supplementChain('≥', [S1_GROUPNET, S1_GBD_V1, S1_GBD_V2, S1_GBD_V3]),
      },
    ],
  },
  bits: {
    name: 'bits',
    title: 'activation bits, Group-Net K=5 (supplement Table S6; 1- and 2-bit rows from Tables S2 and S4)',
    rows: [
      { preset: 'fp', supplement: S6_FULL_PRECISION },
      { preset: 'groupnet-k5', supplement: S2_GROUPNET_K5, note: 'Table S6 has only 4-bit rows' },
      { preset: 'groupnet-k5-a2', supplement: S4_GROUPNET_A2, note: 'Table S6 has only 4-bit rows' },
      { preset: 'groupnet-k5-a4', supplement: S6_GROUPNET_K5_A4 },
    ],
    orderings: [
      {
        kind: 'within',
        preset: 'groupnet-k5-a4',
        reference: 'fp',
        points: 1,
        labels: ['K=5 A4', 'FP'],
        source: supplementWithin(S6_GROUPNET_K5_A4, S6_FULL_PRECISION),
      },
    ],
  },
};

export function getTable(name: string): ReproductionTable {
  if (!(TABLE_NAMES as readonly string[]).includes(name)) {
    throw new UsageError(`unknown table "${name}" (expected one of: ${TABLE_NAMES.join(', ')})`);
  }
  return TABLES[name as TableName];
}
