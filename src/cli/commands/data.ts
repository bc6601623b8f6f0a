import type { Argv, CommandModule } from 'yargs';
import { dataInfo, defaultSceneRecipe, loadDataset, writeSegmentationScenes, type SceneRecipe } from '../../data/index.js';
import { checkNumber, printJson, withJsonOption } from '../options.js';

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
      describe:
        '`embedded` (the committed Fashion-MNIST subset), `debian` (/usr/share/datasets/fashion-mnist) or a directory of idx / CIFAR-10 files or the PASCAL VOC layout',
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

interface MakeSegmentationArgs {
  out: string;
  seed: number;
  count: number;
  'test-count'?: number;
  size: number;
  'max-items': number;
  'min-side'?: number;
  'max-side'?: number;
  source: string;
  json: boolean;
}

const makeSegmentation: CommandModule<object, MakeSegmentationArgs> = {
  command: 'make-segmentation',
  describe: 'Write a synthetic segmentation set: scenes of Fashion-MNIST items with per-pixel labels (11 classes), deterministic from --seed',
  builder: (y) =>
    withJsonOption(y)
      .option('out', { type: 'string', demandOption: true, describe: 'directory to write (then train with --data DIR --task segmentation)' })
      .option('seed', { type: 'number', default: 0, describe: 'seed of every choice (items, sizes, positions): same seed, same bytes' })
      .option('count', { type: 'number', default: 5000, describe: 'training scenes' })
      .option('test-count', { type: 'number', describe: 'test scenes (default count/5)' })
      .option('size', { type: 'number', default: 64, describe: 'canvas side in pixels' })
      .option('max-items', { type: 'number', default: 4, describe: 'items per scene: 1..N, later ones on top' })
      .option('min-side', { type: 'number', describe: 'smallest item side in pixels (default 0.3 × size)' })
      .option('max-side', { type: 'number', describe: 'largest item side in pixels (default 0.75 × size)' })
      .option('source', {
        type: 'string',
        default: 'embedded',
        describe: 'where the items come from: `embedded`, `debian` or an idx directory (single-channel)',
      })
      .example('$0 data make-segmentation --out data/scenes --seed 0 --count 5000', '5000 + 1000 scenes of 64×64')
      .example(
        '$0 data make-segmentation --out data/scenes32 --size 32 --max-items 3 --count 4000',
        'smaller scenes for quick experiments',
      ) as Argv<MakeSegmentationArgs>,
  handler: (argv) => {
    for (const flag of ['count', 'test-count', 'size', 'max-items', 'min-side', 'max-side'] as const) checkNumber(flag, argv[flag], { integer: true, min: 1 });
    checkNumber('seed', argv.seed, { integer: true, min: 0 });
    const defaults = defaultSceneRecipe(argv.seed, argv.count, argv.size);
    const recipe: SceneRecipe = {
      ...defaults,
      maxItems: argv['max-items'],
      ...(argv['test-count'] !== undefined ? { testCount: argv['test-count'] } : {}),
      ...(argv['min-side'] !== undefined ? { minSide: argv['min-side'] } : {}),
      ...(argv['max-side'] !== undefined ? { maxSide: argv['max-side'] } : {}),
    };
    const written = writeSegmentationScenes(argv.out, loadDataset({ data: argv.source }), recipe);
    if (argv.json) printJson({ ...written, recipe });
    else
      console.log(`${written.train} training and ${written.test} test scenes of ${recipe.size}×${recipe.size} in ${written.dir}: ${written.files.join(', ')}`);
  },
};

const data: CommandModule = {
  command: 'data <action>',
  describe: 'Inspect data sets; make the synthetic segmentation set',
  builder: (y) => y.command(info).command(makeSegmentation).demandCommand(1, 'Name an action.'),
  handler: () => {},
};

export default data;
