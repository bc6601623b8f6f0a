import type { Argv, CommandModule } from 'yargs';
import { dataInfo, loadDataset } from '../../data/index.js';
import { printJson, withJsonOption } from '../options.js';

interface DataInfoArgs {
  data: string;
  json: boolean;
}

const info: CommandModule<object, DataInfoArgs> = {
  command: 'info',
  describe: 'Counts, image shape, classes and checksum of a data set',
  builder: (y) =>
    withJsonOption(y).option('data', {
      type: 'string',
      default: 'embedded',
      describe: '`embedded` (the committed Fashion-MNIST subset), `debian` (/usr/share/datasets/fashion-mnist) or a directory of idx / CIFAR-10 files',
    }) as Argv<DataInfoArgs>,
  handler: (argv) => {
    const d = dataInfo(loadDataset({ data: argv.data }));
    if (argv.json) {
      printJson(d);
      return;
    }
    console.log(`${d.name} (${d.source}) at ${d.path}`);
    console.log(`train ${d.train}, test ${d.test}, images ${d.shape.join('×')}, ${d.classes.length} classes`);
    console.log(`classes: ${d.classes.join(', ')}`);
    console.log(`mean ${d.mean.map((v) => v.toFixed(4)).join(' ')}  std ${d.std.map((v) => v.toFixed(4)).join(' ')}`);
    console.log(`sha256 ${d.checksum}`);
  },
};

const data: CommandModule = {
  command: 'data <action>',
  describe: 'Inspect data sets',
  builder: (y) => y.command(info).demandCommand(1, 'Name an action.'),
  handler: () => {},
};

export default data;
