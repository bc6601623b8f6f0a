import yargs, { type Argv } from 'yargs';
import { fileSystemError, GroupnasError, UsageError } from '../util/errors.js';
import { VERSION } from '../util/version.js';
import { commands } from './commands/index.js';
import { checkNumberOptions } from './options.js';

const NO_COMMAND = 'name a command (listed above)';

function buildCli(args: string[]): Argv {
  return (
    yargs(args)
      .scriptName('groupnas')
      .usage(
        '$0 <command> [options]\n\nDifferentiable architecture search for structured binary neural networks (Group-Net),\npriced on real bit-packed ' +
          'XNOR/popcount kernels.',
      )
      .command(commands)
      .demandCommand(1, NO_COMMAND)
      .recommendCommands()
      .strict()
      // A number option given something that is not a number (yargs makes it NaN) is a usage mistake.
      .middleware((argv) => checkNumberOptions(argv, args), true)
      .version(VERSION)
      .help()
      .alias('h', 'help')
      .wrap(Math.min(110, process.stdout.columns ?? 100))
      .epilogue(
        'Run `groupnas <command> --help` for its options. Commands that compute take --backend; most take --json (JSON on stdout, progress on stderr). ' +
          'Docs: README.md in the package.',
      )
      // A usage mistake stops parsing here, before any handler runs (yargs would otherwise go on).
      .fail((msg, err, y) => {
        if (err) throw err;
        if (msg === NO_COMMAND) {
          y.showHelp('error');
          throw new UsageError(NO_COMMAND);
        }
        // recommendCommands says only "Did you mean search?"; name what was typed too
        const suggestion = /^Did you mean (.+)\?$/.exec(msg);
        throw new UsageError(suggestion ? `unknown command '${args[0]}': did you mean ${suggestion[1]}?` : `${msg} (see --help)`);
      })
  );
}

/**
 * The `groupnas` command line. Returns the exit code: 0 ok, 1 failure (bug), 2 user error, 3 the
 * file system refused (disk full, read-only, permission denied, a file where a directory belongs),
 * 4 a job that could not finish truthfully (a search whose candidates failed), 130 interrupted.
 * User mistakes and file-system errors print one line, never a stack trace. With no arguments at
 * all it prints the help.
 */
export async function main(args: string[]): Promise<number> {
  const cli = buildCli(args);
  if (args.length === 0) {
    cli.showHelp('log');
    return 0;
  }
  try {
    await cli.parseAsync();
  } catch (err) {
    const known = err instanceof GroupnasError ? err : fileSystemError(err);
    if (known !== undefined) {
      process.stderr.write(`groupnas: ${known.message}\n`);
      return known.exitCode;
    }
    throw err;
  }
  return typeof process.exitCode === 'number' ? process.exitCode : 0;
}
