import type { Argv, CommandModule } from 'yargs';
import type { BackendRequest } from '../../backend/select.js';
import { exportRunModel } from '../../train/export-packed.js';
import { printJson, useBackend, withBackendOption, withJsonOption } from '../options.js';

interface ExportArgs {
  backend: BackendRequest;
  json: boolean;
  run: string;
  out: string;
}

const exportCommand: CommandModule<object, ExportArgs> = {
  command: 'export',
  describe: "Pack a training run's last checkpoint into a .gnb model for the packed inference engine",
  builder: (y) =>
    withJsonOption(withBackendOption(y))
      .option('run', { type: 'string', demandOption: true, describe: 'training run directory (groupnas train --out)' })
      .option('out', { type: 'string', demandOption: true, describe: 'the .gnb file to write (atomically)' })
      .example('$0 export --run runs/my-run --out model.gnb', '') as Argv<ExportArgs>,
  handler: async (argv) => {
    await useBackend(argv.backend);
    const r = exportRunModel(argv.run, argv.out);
    const accuracy = r.metadata.tfjsTestAccuracy;
    if (argv.json) {
      printJson({
        path: r.path,
        bytes: r.bytes,
        arch: r.arch.name ?? null,
        tfjsTestAccuracy: accuracy ?? null,
        testImages: r.metadata.dataset?.testImages ?? null,
        dataset: r.metadata.dataset ?? null,
      });
      return;
    }
    const tested =
      accuracy === undefined
        ? 'no test accuracy recorded (unfinished run)'
        : `tfjs test accuracy ${(accuracy * 100).toFixed(2)}% on ${r.metadata.dataset?.testImages} images`;
    console.log(`wrote ${r.path} (${(r.bytes / 1024).toFixed(1)} KiB): ${r.arch.name ?? 'arch'}, ${tested}`);
  },
};

export default exportCommand;
