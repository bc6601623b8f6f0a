/**
 * Where every tensor of a Group-Net model lives, by state-dict name — the naming of
 * src/nn's GroupNetModel (`stem.conv.weight`, `groups.{g}.bases.{k}.blocks.{i}.unit1.conv.weight`,
 * …) — and which convs are binary. The exporter and the packed engine both walk the
 * arch through these helpers, so the two cannot disagree on a name.
 */
import type { Arch, BlockKind } from '../space/arch.js';

export const STEM_CONV = 'stem.conv.weight';
export const STEM_BN = 'stem.bn';
export const HEAD_WEIGHT = 'head.fc.weight';
export const HEAD_BIAS = 'head.fc.bias';
export const OUTPUT_LAMBDA = 'output.lambda';
/** The FCN head's 1×1 classifiers (segmentation): on the last map, and FCN-16s's on the skip map. */
export const FCN_CLASSIFIER = 'head.classifier';
export const FCN_SKIP = 'head.skip';

/** Suffix of the per-output-channel scale α stored beside a packed binary weight. */
export const ALPHA_SUFFIX = '.alpha';

export const BN_FIELDS = ['gamma', 'beta', 'runningMean', 'runningVar'] as const;

/** Parallel paths of a group: its bases under group decomposition, one path under LBD. */
export function pathsOf(arch: Arch, g: number): number {
  return arch.decomposition === 'layer' ? 1 : arch.bases[g]!;
}

/** Convs per binary layer: K under LBD, 1 otherwise. */
export function convBasesOf(arch: Arch, g: number): number {
  return arch.decomposition === 'layer' ? arch.bases[g]! : 1;
}

export function blockPrefix(g: number, path: number, block: number): string {
  return `groups.${g}.bases.${path}.blocks.${block}`;
}

export function unitNames(kind: BlockKind): string[] {
  return kind === 'bottleneck' ? ['unit1', 'unit2', 'unit3'] : kind === 'basic' ? ['unit1', 'unit2'] : kind === 'plain' ? ['unit1'] : [];
}

/** The weight names of one conv unit's conv: `conv.weight`, or `conv.bases.{j}.weight` under LBD. */
export function unitConvWeights(unitPrefix: string, convBases: number): string[] {
  return convBases === 1 ? [`${unitPrefix}.conv.weight`] : Array.from({ length: convBases }, (_, j) => `${unitPrefix}.conv.bases.${j}.weight`);
}

/** Every binary conv weight of the model: the unit convs of groups whose activations are not 32-bit. */
export function binaryConvWeightNames(arch: Arch): string[] {
  const names: string[] = [];
  arch.groups.forEach((group, g) => {
    if (arch.bits[g] === 32) return;
    for (let k = 0; k < pathsOf(arch, g); k++) {
      for (let i = group.start; i < group.end; i++) {
        for (const unit of unitNames(arch.blocks[i]!.kind)) names.push(...unitConvWeights(`${blockPrefix(g, k, i)}.${unit}`, convBasesOf(arch, g)));
      }
    }
  });
  return names;
}
