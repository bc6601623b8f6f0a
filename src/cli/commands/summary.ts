import type { CommandModule } from 'yargs';
import { UsageError } from '../../util/errors.js';
import { buildPreset, formatSummary, listBackbones, listPresets, loadArch, summarize, type Arch } from '../../space/index.js';
import { printJson, withJsonOption } from '../options.js';

interface SummaryArgs {
  arch?: string;
  preset?: string;
  backbone: string;
  'width-mult': number;
  classes?: number;
  json: boolean;
}

const summary: CommandModule<object, SummaryArgs> = {
  command: 'summary',
  describe: 'Per-layer and total params, binary params, packed memory, binary MACs, BOPs and float MACs of an architecture',
  builder: (y) =>
    withJsonOption(
      y
        .option('arch', { type: 'string', describe: 'arch.json file' })
        .option('preset', { type: 'string', describe: `preset name: ${listPresets().map((p) => p.name).join(', ')}` })
        .option('backbone', { type: 'string', default: 'resnet-r', describe: `backbone of --preset: ${listBackbones().map((b) => b.name).join(', ')}` })
        .option('width-mult', { type: 'number', default: 1, describe: 'width multiplier of --preset (0.5 = R/2)' })
        .option('classes', { type: 'number', describe: 'classifier outputs of --preset (default: the backbone’s)' })
        .conflicts('arch', 'preset')
        .check((a) => {
          if (a.arch === undefined && a.preset === undefined) throw new UsageError('give --arch FILE or --preset NAME');
          return true;
        }),
    ),
  handler: (argv) => {
    const arch: Arch =
      argv.arch !== undefined
        ? loadArch(argv.arch)
        : buildPreset(argv.preset!, {
            backbone: argv.backbone,
            widthMultiplier: argv['width-mult'],
            ...(argv.classes !== undefined ? { classes: argv.classes } : {}),
          });
    const result = summarize(arch);
    if (argv.json) printJson(result);
    else console.log(formatSummary(result));
  },
};

export default summary;
