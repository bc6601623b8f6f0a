import type { Argv, CommandModule } from 'yargs';
import type { SegmentationMetrics } from '../../nn/index.js';
import { evaluateRun } from '../../train/training-run.js';
import { printJson, useBackend, withBackendOption, withJsonOption, type BackendArgs } from '../options.js';

interface EvalArgs extends BackendArgs {
  json: boolean;
  run: string;
}

/** mIoU, pixel accuracy and a table of IoU per class. */
export function segmentationReport(m: SegmentationMetrics, classes: readonly string[], images: number, epoch: number): string {
  const width = Math.max(...classes.map((c) => c.length));
  const rows = m.iou.map((v, c) => `  ${(classes[c] ?? String(c)).padEnd(width)}  ${v === null ? '   —  ' : `${(v * 100).toFixed(2).padStart(6)}%`}`);
  return [
    `mIoU ${(m.miou * 100).toFixed(2)}%, pixel accuracy ${(m.pixelAccuracy * 100).toFixed(2)}% on ${images} images (after ${epoch} epochs)`,
    'IoU per class:',
    ...rows,
  ].join('\n');
}

const evaluate: CommandModule<object, EvalArgs> = {
  command: 'eval',
  describe: "Test accuracy of a training run's last checkpoint (segmentation: mIoU, pixel accuracy and IoU per class)",
  builder: (y) => withJsonOption(withBackendOption(y)).option('run', { type: 'string', demandOption: true, describe: 'run directory' }) as Argv<EvalArgs>,
  handler: async (argv) => {
    await useBackend(argv);
    const r = evaluateRun(argv.run);
    if (argv.json) printJson(r);
    else if (r.segmentation) console.log(segmentationReport(r.segmentation, r.classes, r.count, r.epoch));
    else console.log(`test accuracy ${(r.accuracy * 100).toFixed(2)}% on ${r.count} images (after ${r.epoch} epochs), loss ${r.loss.toFixed(4)}`);
  },
};

export default evaluate;
