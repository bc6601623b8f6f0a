/**
 * A classification backbone turned into an FCN for semantic segmentation (Group-Net §4.4,
 * supplement S3): the input is the scenes' size, the classifier becomes an FCN head (`32s` or
 * `16s`, see `FcnHead`), and the last two blocks take the dilation rates `lastDilations` — the
 * supplement's "dilation rates in the last two blocks", (1, 1) being the plain FCN and (4, 8)
 * its best full-precision setting. A dilated block loses its stride (DeepLab's rule: remove the
 * down-sampling, dilate instead), so dilation also sets the output stride; an undilated one keeps it.
 *
 * On the reference R (blocks 4 and 5 form its last stage) at 32×32: (1, 1) ends on 8×8 maps,
 * (2, 4) and (4, 8) on 16×16. On ResNet-18/34/50 the last two blocks are in the last stage.
 */
import { UsageError } from '../util/errors.js';
import type { Arch, FcnHead } from './arch.js';
import type { Backbone } from './backbone.js';

export interface SegmentationOptions {
  fcn: FcnHead;
  /** Labels per pixel, background included (the synthetic scenes have 11). */
  classes: number;
  /** The scenes' size; default: the backbone's input. */
  input?: Backbone['input'];
  /** Dilation of the second-to-last and the last block. Default (1, 1). */
  lastDilations?: readonly [number, number];
}

/** The segmentation twin of `backbone`; its name records the head and rates, e.g. `resnet-r@0.5/fcn-32s-d4-8`. */
export function segmentationBackbone(backbone: Backbone, options: SegmentationOptions): Backbone {
  const [first, second] = options.lastDilations ?? [1, 1];
  for (const [name, rate] of [
    ['first', first],
    ['second', second],
  ] as const) {
    if (!Number.isInteger(rate) || rate < 1 || rate > 64) throw new UsageError(`lastDilations: ${name} rate: expected an integer in 1..64, got ${rate}`);
  }
  if (backbone.blocks.length < 2) throw new UsageError(`backbone ${backbone.name}: segmentation dilates the last two blocks, it has ${backbone.blocks.length}`);
  if (options.fcn === '16s' && backbone.widths.length < 2)
    throw new UsageError(`backbone ${backbone.name}: FCN-16s needs two stages (its skip is the second-to-last)`);
  const n = backbone.blocks.length;
  const blocks = backbone.blocks.map((b, i) => {
    const rate = i === n - 2 ? first : i === n - 1 ? second : b.dilation;
    return rate > 1 ? { ...b, dilation: rate, stride: 1 as const } : { ...b };
  });
  const stem = { ...backbone.stem, ...(backbone.stem.pool ? { pool: { ...backbone.stem.pool } } : {}) };
  return {
    name: `${backbone.name}/fcn-${options.fcn}-d${first}-${second}`,
    input: { ...(options.input ?? backbone.input) },
    stem,
    blocks,
    widths: [...backbone.widths],
    head: { classes: options.classes, fcn: options.fcn },
  };
}

/**
 * The block whose output (the mean over its group's bases) FCN-16s scores: the last block of the
 * second-to-last stage; undefined for FCN-32s and classifiers. nn, the packed engine and the
 * supernet all take the skip from here.
 */
export function fcnSkipBlock(arch: Pick<Arch, 'head' | 'widths' | 'blocks'>): number | undefined {
  if (arch.head.fcn !== '16s') return undefined;
  const stage = arch.widths.length - 2;
  const last = arch.blocks.map((b, i) => (b.stage === stage ? i : -1)).reduce((a, b) => Math.max(a, b), -1);
  return last >= 0 ? last : undefined;
}
