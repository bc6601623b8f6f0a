import yargs from 'yargs';
import { GroupnasError, UsageError } from '../util/errors.js';
import { VERSION } from '../util/version.js';
import { commands } from './commands/index.js';

/**
 * The `groupnas` command line. Returns the exit code: 0 ok, 1 failure (bug), 2 user error.
 * User mistakes (GroupnasError) print one line, never a stack trace.
 */
export async function main(args: string[]): Promise<number> {
  const cli = yargs(args)
    .scriptName('groupnas')
    .usage(
      '$0 <command> [options]\n\nDifferentiable architecture search for structured binary neural networks (Group-Net),\npriced on real bit-packed XNOR/popcount kernels.',
    )
    .command(commands)
    .demandCommand(1, 'Name a command.')
    .strict()
    .version(VERSION)
    .help()
    .alias('h', 'help')
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .epilogue('Docs: README.md. Every command that computes takes --backend; most take --json.')
    // A usage mistake stops parsing here, before any handler runs (yargs would otherwise go on).
    .fail((msg, err) => {
      throw err ?? new UsageError(`${msg} (see --help)`);
    });
  try {
    await cli.parseAsync();
  } catch (err) {
    if (err instanceof GroupnasError) {
      process.stderr.write(`groupnas: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  return typeof process.exitCode === 'number' ? process.exitCode : 0;
}
