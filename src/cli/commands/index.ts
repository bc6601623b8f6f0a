import type { CommandModule } from 'yargs';
import bench from './bench.js';
import data from './data.js';
import evaluate from './eval.js';
import exportCommand from './export.js';
import infer from './infer.js';
import info from './info.js';
import reproduce from './reproduce.js';
import search from './search.js';
import serve from './serve.js';
import space from './space.js';
import summary from './summary.js';
import teacher from './teacher.js';
import train from './train.js';
import validate from './validate.js';
import worker from './worker.js';

/** Every `groupnas` sub-command, in the order `--help` lists them. */
// `any`: yargs's CommandModule is invariant in its argument type, so a list of different commands needs it.
export const commands: CommandModule<any, any>[] = [
  info,
  data,
  train,
  teacher,
  search,
  worker,
  reproduce,
  evaluate,
  exportCommand,
  infer,
  serve,
  summary,
  space,
  validate,
  bench,
];
