import type { CommandModule } from 'yargs';
import { formatSummary, summarize } from '../../space/index.js';
import { archFromArgs, withArchOptions, type ArchArgs } from '../arch-option.js';
import { printJson, withJsonOption } from '../options.js';

interface SummaryArgs extends ArchArgs {
  json: boolean;
}

const summary: CommandModule<object, SummaryArgs> = {
  command: 'summary',
  describe: 'Per-layer and total params, binary params, packed memory, binary MACs, BOPs and float MACs of an architecture',
  builder: (y) => withJsonOption(withArchOptions(y)),
  handler: (argv) => {
    const result = summarize(archFromArgs(argv));
    if (argv.json) printJson(result);
    else console.log(formatSummary(result));
  },
};

export default summary;
