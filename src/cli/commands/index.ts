import type { CommandModule } from 'yargs';
import bench from './bench.js';
import data from './data.js';
import info from './info.js';

/** Every `groupnas` sub-command, in the order `--help` lists them. */
// `any`: yargs's CommandModule is invariant in its argument type, so a list of different commands needs it.
export const commands: CommandModule<any, any>[] = [info, data, bench];
