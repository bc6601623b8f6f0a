import type { Argv, CommandModule } from 'yargs';
import { loadDataset } from '../../data/index.js';
import { DEFAULT_TRAINING, type TrainingOptions } from '../../train/training-options.js';
import { resumeTraining, trainArch, type TrainingResult } from '../../train/training-run.js';
import { archFromArgs, withArchOptions, type ArchArgs } from '../arch-option.js';
import { checkNumber, printJson, useBackend, withBackendOption, withJsonOption, type BackendArgs } from '../options.js';
import { progressBars } from '../progress-bar.js';

interface TrainArgs extends ArchArgs, BackendArgs {
  json: boolean;
  data: string;
  epochs: number;
  batch: number;
  limit?: number;
  'test-limit'?: number;
  optimizer: TrainingOptions['optimizer'];
  lr: number;
  schedule: TrainingOptions['schedule'];
  'weight-decay': number;
  'label-smoothing': number;
  augment: boolean;
  seed: number;
  'checkpoint-every': number;
  out?: string;
  resume?: string;
  teacher?: string;
  kd: number;
  at: number;
  temperature: number;
  'label-weight': number;
  staged?: number;
}

function defaultOutDir(name: string): string {
  return `runs/train-${name.replace(/[^a-zA-Z0-9.-]+/g, '_')}-${new Date().toISOString().replace(/[:.]/g, '-')}`;
}

function report(r: TrainingResult, json: boolean): void {
  const seg = r.final.segmentation;
  if (json) {
    printJson({
      dir: r.dir,
      testAccuracy: r.final.accuracy,
      testLoss: r.final.loss,
      testImages: r.final.count,
      ...(seg ? { testMiou: seg.miou, testIou: seg.iou } : {}),
      seconds: r.seconds,
      history: r.history,
    });
    return;
  }
  for (const e of r.history) {
    const stage = e.weights === undefined ? '' : `  [${e.weights} weights]`;
    const miou = e.testMiou === undefined ? '' : `  test mIoU ${(e.testMiou * 100).toFixed(2)}%`;
    console.log(
      `epoch ${e.epoch}: train loss ${e.trainLoss.toFixed(4)}  test acc ${(e.testAccuracy * 100).toFixed(2)}%${miou}  (${e.seconds.toFixed(1)}s)${stage}`,
    );
  }
  if (seg)
    console.log(
      `test mIoU ${(seg.miou * 100).toFixed(2)}%, pixel accuracy ${(seg.pixelAccuracy * 100).toFixed(2)}% on ${r.final.count} images; run in ${r.dir}`,
    );
  else console.log(`test accuracy ${(r.final.accuracy * 100).toFixed(2)}% on ${r.final.count} images; run in ${r.dir}`);
}

/** Every number option in its range, named as typed (before anything loads). */
function checkTrainingNumbers(argv: TrainArgs): void {
  for (const flag of ['epochs', 'batch', 'limit', 'test-limit', 'staged'] as const) checkNumber(flag, argv[flag], { integer: true, min: 1 });
  for (const flag of ['seed', 'checkpoint-every'] as const) checkNumber(flag, argv[flag], { integer: true, min: 0 });
  for (const flag of ['weight-decay', 'kd', 'at', 'label-weight'] as const) checkNumber(flag, argv[flag], { min: 0 });
  for (const flag of ['lr', 'temperature'] as const) checkNumber(flag, argv[flag], { above: 0 });
  checkNumber('label-smoothing', argv['label-smoothing'], { min: 0, below: 1 });
}

const train: CommandModule<object, TrainArgs> = {
  command: 'train',
  describe: 'Train an architecture (a preset or an arch.json) from scratch; resumable',
  builder: (y) =>
    withJsonOption(withBackendOption(withArchOptions(y)))
      .option('data', {
        type: 'string',
        default: DEFAULT_TRAINING.data,
        describe: '`embedded`, `debian` or a directory of idx / CIFAR-10 files (segmentation: idx masks beside the images, or the PASCAL VOC layout)',
      })
      .option('epochs', { type: 'number', default: 1, describe: 'passes over the training images' })
      .option('batch', { type: 'number', default: DEFAULT_TRAINING.batchSize, describe: 'images per training step' })
      .option('limit', { type: 'number', describe: 'train on the first N training images only' })
      .option('test-limit', { type: 'number', describe: 'test on the first N test images only' })
      .option('optimizer', { choices: ['adam', 'sgd-nesterov'] as const, default: DEFAULT_TRAINING.optimizer, describe: 'weight optimizer' })
      .option('lr', { type: 'number', default: DEFAULT_TRAINING.learningRate, describe: 'base learning rate' })
      .option('schedule', {
        choices: ['cosine', 'step', 'constant'] as const,
        default: DEFAULT_TRAINING.schedule,
        describe: 'learning-rate schedule over the epochs',
      })
      .option('weight-decay', { type: 'number', default: DEFAULT_TRAINING.weightDecay, describe: 'L2 weight decay added to the gradient' })
      .option('label-smoothing', { type: 'number', default: DEFAULT_TRAINING.labelSmoothing, describe: 'label smoothing ε of the cross-entropy, 0 ≤ ε < 1' })
      .option('augment', { type: 'boolean', default: DEFAULT_TRAINING.augment, describe: 'random crop with padding (--no-augment turns it off)' })
      .option('seed', { type: 'number', default: DEFAULT_TRAINING.seed, describe: 'seed of every random choice (init, data order, augmentation)' })
      .option('checkpoint-every', {
        type: 'number',
        default: DEFAULT_TRAINING.checkpointEverySteps,
        describe: 'also checkpoint every N steps within an epoch (0: epoch ends only)',
      })
      .option('out', { type: 'string', describe: 'run directory (default runs/train-<name>-<time>)' })
      .option('teacher', { type: 'string', describe: 'distil from the full-precision teacher trained in this run directory (groupnas teacher)' })
      .option('kd', { type: 'number', default: 1, describe: 'with --teacher: weight of logit KD (T²·KL)' })
      .option('at', { type: 'number', default: 0, describe: 'with --teacher: weight of attention transfer at stage outputs' })
      .option('temperature', { type: 'number', default: 4, describe: 'with --teacher: KD temperature T' })
      .option('label-weight', {
        type: 'number',
        default: 1,
        describe: "with --teacher: weight of the label cross-entropy (0 and T=1: ReActNet's distributional loss)",
      })
      .option('staged', {
        type: 'number',
        describe: 'staged training (Real-to-Binary): the first N epochs with real weights and binary activations, the rest fully binary starting from them',
      })
      .option('resume', { type: 'string', describe: 'continue the run in this directory where it stopped (other options are taken from its run.json)' })
      .example('$0 train --preset groupnet-k3 --width-mult 0.5 --epochs 1 --limit 2000', 'a quick run on the embedded data')
      .example('$0 train --resume runs/my-run', 'continue after a kill')
      .example(
        '$0 train --task segmentation --data data/scenes --preset groupnet-k5 --width-mult 0.5 --dilations 4,8 --bpac 1,2,4,8,16',
        'Group-Net + BPAC, FCN-32s, on scenes from `groupnas data make-segmentation`',
      )
      .example('$0 train --preset groupnet-k3 --width-mult 0.5 --teacher runs/teacher --kd 1 --at 100', 'distil from a trained teacher')
      .example('$0 train --preset groupnet-k1 --width-mult 0.5 --epochs 4 --staged 2', '2 epochs with real weights, then 2 fully binary') as Argv<TrainArgs>,
  handler: async (argv) => {
    checkTrainingNumbers(argv);
    // A segmentation preset is sized to its scenes, so the data set comes first.
    const dataset = argv.resume === undefined && argv.task === 'segmentation' ? loadDataset({ data: argv.data }) : undefined;
    const arch = argv.resume === undefined ? archFromArgs(argv, dataset && { shape: dataset.shape, classes: dataset.classes.length }) : undefined;
    await useBackend(argv);
    const progress = progressBars();
    if (arch === undefined) {
      report(resumeTraining(argv.resume!, progress), argv.json);
      return;
    }
    const options: TrainingOptions = {
      data: argv.data,
      epochs: argv.epochs,
      batchSize: argv.batch,
      limit: argv.limit,
      testLimit: argv['test-limit'],
      optimizer: argv.optimizer,
      learningRate: argv.lr,
      schedule: argv.schedule,
      weightDecay: argv['weight-decay'],
      labelSmoothing: argv['label-smoothing'],
      augment: argv.augment,
      seed: argv.seed,
      checkpointEverySteps: argv['checkpoint-every'],
      ...(argv.staged !== undefined ? { realWeightEpochs: argv.staged } : {}),
      ...(argv.teacher !== undefined
        ? { distillation: { teacher: argv.teacher, kd: argv.kd, at: argv.at, temperature: argv.temperature, labelWeight: argv['label-weight'] } }
        : {}),
    };
    report(trainArch(arch, options, argv.out ?? defaultOutDir(arch.name ?? 'arch'), progress, dataset), argv.json);
  },
};

export default train;
