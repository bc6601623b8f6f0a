import type { Argv } from 'yargs';
import { loadArch } from '../space/arch-file.js';
import type { Arch, FcnHead } from '../space/arch.js';
import { listBackbones } from '../space/backbone.js';
import { buildPreset, listPresets } from '../space/presets.js';
import { checkNumber } from './options.js';
import { UsageError } from '../util/errors.js';

export interface ArchArgs {
  preset?: string;
  arch?: string;
  'width-mult': number;
  backbone: string;
  classes?: number;
  task: 'classification' | 'segmentation';
  fcn: FcnHead;
  dilations: string;
  bpac?: string;
}

/** What a segmentation preset takes from its data set: the scenes' shape and the label count. */
export interface SegmentationData {
  shape: readonly [number, number, number];
  classes: number;
}

/** `--preset NAME | --arch FILE` with the preset's `--backbone`, `--width-mult`, `--classes`: shared by train, summary, export. */
export function withArchOptions<T>(y: Argv<T>): Argv<T & ArchArgs> {
  return y
    .option('preset', {
      type: 'string',
      describe: `a named architecture: ${listPresets()
        .map((p) => p.name)
        .join(', ')}`,
    })
    .option('arch', { type: 'string', describe: 'an arch.json file (as exported by a search)' })
    .conflicts('preset', 'arch')
    .option('backbone', {
      type: 'string',
      default: 'resnet-r',
      describe: `backbone of --preset: ${listBackbones()
        .map((b) => b.name)
        .join(', ')}`,
    })
    .option('width-mult', { type: 'number', default: 1, describe: 'width multiplier of --preset (0.5 = R/2)' })
    .option('classes', { type: 'number', describe: 'classifier outputs of --preset (default: the backbone’s)' })
    .option('task', {
      choices: ['classification', 'segmentation'] as const,
      default: 'classification' as const,
      describe: 'segmentation: --preset gets an FCN head (per-pixel labels, mIoU) sized to the data',
    })
    .option('fcn', { choices: ['32s', '16s'] as const, default: '32s' as const, describe: 'with --task segmentation: FCN-32s or FCN-16s head' })
    .option('dilations', {
      type: 'string',
      default: '1,1',
      describe: 'with --task segmentation: dilation rates A,B of the last two blocks (a dilated block loses its stride)',
    })
    .option('bpac', {
      type: 'string',
      describe: 'BPAC: per-base dilation rates of the last two blocks, e.g. 1,2,4,8,16 (on --preset fp: the multi-dilation baseline of K float branches)',
    }) as Argv<T & ArchArgs>;
}

/** A comma-separated list of integers, e.g. `--dilations 4,8`. */
function integerList(flag: string, text: string): number[] {
  const values = text.split(',').map((v) => Number(v.trim()));
  if (values.length === 0 || values.some((v) => !Number.isInteger(v) || v < 1)) {
    throw new UsageError(`--${flag}: expected positive integers separated by commas (e.g. 4,8), got "${text}"`);
  }
  return values;
}

/**
 * The Arch the options name (a file is validated with its path in every message). A segmentation
 * preset takes its input size and classes from `data` (the data set it will train on).
 */
export function archFromArgs(argv: ArchArgs, data?: SegmentationData): Arch {
  if (argv.arch !== undefined) return loadArch(argv.arch);
  if (argv.preset !== undefined) {
    checkNumber('width-mult', argv['width-mult'], { above: 0 });
    checkNumber('classes', argv.classes, { integer: true, min: 2 });
    const segmentation = argv.task === 'segmentation';
    if (!segmentation && argv.bpac !== undefined) throw new UsageError('--bpac: per-base dilation is for --task segmentation');
    const dilations = integerList('dilations', argv.dilations);
    if (dilations.length !== 2) throw new UsageError(`--dilations: expected two rates (the last two blocks), got "${argv.dilations}"`);
    const classes = argv.classes ?? data?.classes;
    return buildPreset(argv.preset, {
      backbone: argv.backbone,
      widthMultiplier: argv['width-mult'],
      ...(classes !== undefined ? { classes } : {}),
      ...(segmentation
        ? {
            segmentation: {
              fcn: argv.fcn,
              classes: classes ?? 11,
              ...(data ? { input: { height: data.shape[0], width: data.shape[1], channels: data.shape[2] } } : {}),
              lastDilations: [dilations[0]!, dilations[1]!] as const,
            },
          }
        : {}),
      ...(argv.bpac !== undefined ? { bpac: integerList('bpac', argv.bpac) } : {}),
    });
  }
  throw new UsageError('name the architecture with --preset NAME or --arch FILE');
}
