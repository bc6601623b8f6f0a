/**
 * The ImageNet numbers a reproduction is printed beside, copied from the Group-Net supplementary
 * material (`groupnet-supplement.txt`, Tables S1, S2, S4, S6; ResNet-18 rows, top-1 %). Each entry
 * cites its table and row as printed there, with the weight/activation bits of that row, so a
 * reader sees at once where the supplement's setting differs from the preset trained here.
 */
export interface SupplementRow {
  table: 'S1' | 'S2' | 'S4' | 'S6';
  /** The row as the table prints it. */
  row: string;
  weightBits: number;
  activationBits: number;
  /** ImageNet validation top-1 accuracy, %. */
  top1: number;
}

/** ResNet-18 full precision: the same 69.7 in Tables S1, S2, S4 and S6. */
export const S2_FULL_PRECISION: SupplementRow = { table: 'S2', row: 'Full-precision, 1 base', weightBits: 32, activationBits: 32, top1: 69.7 };
export const S2_GROUPNET_K1: SupplementRow = { table: 'S2', row: 'Group-Net, 1 base', weightBits: 1, activationBits: 1, top1: 56.4 };
export const S2_GROUPNET_K3: SupplementRow = { table: 'S2', row: 'Group-Net, 3 bases', weightBits: 1, activationBits: 1, top1: 62.5 };
export const S2_GROUPNET_K5: SupplementRow = { table: 'S2', row: 'Group-Net, 5 bases', weightBits: 1, activationBits: 1, top1: 64.8 };

export const S1_GROUPNET: SupplementRow = { table: 'S1', row: 'Group-Net, 5 bases', weightBits: 1, activationBits: 1, top1: 64.8 };
export const S1_GBD_V1: SupplementRow = { table: 'S1', row: 'GBD v1, 5 bases', weightBits: 1, activationBits: 1, top1: 63.0 };
export const S1_GBD_V2: SupplementRow = { table: 'S1', row: 'GBD v2, 5 bases', weightBits: 1, activationBits: 1, top1: 62.2 };
export const S1_GBD_V3: SupplementRow = { table: 'S1', row: 'GBD v3, 5 bases', weightBits: 1, activationBits: 1, top1: 59.2 };

/** Table S4 is the only table with an LBD row, and only at 4-bit activations (K=5). */
export const S4_LBD: SupplementRow = { table: 'S4', row: 'LBD, W 1, A 4', weightBits: 1, activationBits: 4, top1: 60.1 };
/** Table S4, ResNet-18 section: Group-Net K=5 with 2-bit activations (S6 has only 4-bit rows). */
export const S4_GROUPNET_A2: SupplementRow = { table: 'S4', row: 'Group-Net, W 1, A 2', weightBits: 1, activationBits: 2, top1: 69.6 };

export const S6_FULL_PRECISION: SupplementRow = {
  table: 'S6',
  row: 'Full-precision, 1 base, bitW 32, bitA 32',
  weightBits: 32,
  activationBits: 32,
  top1: 69.7,
};
export const S6_GROUPNET_K5_A4: SupplementRow = { table: 'S6', row: 'Group-Net, 5 bases, bitW 1, bitA 4', weightBits: 1, activationBits: 4, top1: 70.1 };

/** "Table S2, Group-Net, 5 bases (W1/A1)". */
export function citeSupplement(r: SupplementRow): string {
  return `Table ${r.table}, ${r.row} (W${r.weightBits}/A${r.activationBits})`;
}
