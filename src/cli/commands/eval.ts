import type { Argv, CommandModule } from 'yargs';
import type { BackendRequest } from '../../backend/select.js';
import { evaluateRun } from '../../train/training-run.js';
import { printJson, useBackend, withBackendOption, withJsonOption } from '../options.js';

interface EvalArgs {
  backend: BackendRequest;
  json: boolean;
  run: string;
}

const evaluate: CommandModule<object, EvalArgs> = {
  command: 'eval',
  describe: "Test accuracy of a training run's last checkpoint",
  builder: (y) => withJsonOption(withBackendOption(y)).option('run', { type: 'string', demandOption: true, describe: 'run directory' }) as Argv<EvalArgs>,
  handler: async (argv) => {
    await useBackend(argv.backend);
    const r = evaluateRun(argv.run);
    if (argv.json) printJson(r);
    else console.log(`test accuracy ${(r.accuracy * 100).toFixed(2)}% on ${r.count} images (after ${r.epoch} epochs), loss ${r.loss.toFixed(4)}`);
  },
};

export default evaluate;
