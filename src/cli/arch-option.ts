import type { Argv } from 'yargs';
import { loadArch } from '../space/arch-file.js';
import type { Arch } from '../space/arch.js';
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
    .option('classes', { type: 'number', describe: 'classifier outputs of --preset (default: the backbone’s)' }) as Argv<T & ArchArgs>;
}

/** The Arch the options name (a file is validated with its path in every message). */
export function archFromArgs(argv: ArchArgs): Arch {
  if (argv.arch !== undefined) return loadArch(argv.arch);
  if (argv.preset !== undefined) {
    checkNumber('width-mult', argv['width-mult'], { above: 0 });
    checkNumber('classes', argv.classes, { integer: true, min: 2 });
    return buildPreset(argv.preset, {
      backbone: argv.backbone,
      widthMultiplier: argv['width-mult'],
      ...(argv.classes !== undefined ? { classes: argv.classes } : {}),
    });
  }
  throw new UsageError('name the architecture with --preset NAME or --arch FILE');
}
