import type { Argv, CommandModule } from 'yargs';
import { teacherArch } from '../../distill/index.js';
import { teacherTrainingOptions } from '../../train/teacher-run.js';
import { DEFAULT_CONFIG_FILE, loadConfig } from '../../space/index.js';
import { trainArch } from '../../train/training-run.js';
import { printJson, useBackend, withBackendOption, withJsonOption, type BackendArgs } from '../options.js';
import { progressBars } from '../progress-bar.js';

interface TeacherArgs extends BackendArgs {
  json: boolean;
  config: string;
  set: string[];
  out: string;
}

const teacher: CommandModule<object, TeacherArgs> = {
  command: 'teacher',
  describe: "Train the full-precision teacher (the fp twin of the config's backbone) for distillation",
  builder: (y) =>
    withJsonOption(withBackendOption(y))
      .option('config', {
        type: 'string',
        default: DEFAULT_CONFIG_FILE,
        describe: 'search config (a JSON file or a bundled config by name): backbone, data, training schedule, teacher.epochs',
      })
      .option('set', { type: 'string', array: true, default: [] as string[], describe: 'override a config field: --set teacher.epochs=5' })
      .option('out', {
        type: 'string',
        demandOption: true,
        describe: 'run directory of the teacher (pass it to train/search with --teacher)',
      }) as Argv<TeacherArgs>,
  handler: async (argv) => {
    await useBackend(argv);
    const config = loadConfig(argv.config, argv.set);
    const r = trainArch(teacherArch(config), teacherTrainingOptions(config), argv.out, progressBars());
    if (argv.json) printJson({ dir: r.dir, testAccuracy: r.final.accuracy, history: r.history });
    else console.log(`teacher test accuracy ${(r.final.accuracy * 100).toFixed(2)}% on ${r.final.count} images; run in ${r.dir}`);
  },
};

export default teacher;
