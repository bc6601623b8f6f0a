import yargs from 'yargs';
import { GroupnasError } from '../util/errors.js';
import { VERSION } from '../util/version.js';
import { commands } from './commands/index.js';

/**
 * The `groupnas` command line. Returns the exit code: 0 ok, 1 failure (bug), 2 user error.
 * User mistakes (GroupnasError) print one line, never a stack trace.
 */
export async function main(args: string[]): Promise<number> {
  let usageFailure: string | undefined;
  const cli = yargs(args)
    .scriptName('groupnas')
    .usage('$0 <command> [options]\n\nDifferentiable architecture search for structured binary neural networks (Group-Net),\npriced on real bit-packed XNOR/popcount kernels.')
    .command(commands)
    .demandCommand(1, 'Name a command; see the list above.')
    .strict()
    .version(VERSION)
    .help()
    .alias('h', 'help')
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .epilogue('Docs: README.md. Every command that computes takes --backend; most take --json.')
    .fail((msg, err) => {
      if (err) throw err;
      usageFailure = msg;
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
  if (usageFailure !== undefined) {
    cli.showHelp('error');
    process.stderr.write(`\ngroupnas: ${usageFailure}\n`);
    return 2;
  }
  return typeof process.exitCode === 'number' ? process.exitCode : 0;
}
