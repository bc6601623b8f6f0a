import yargs, { type CommandModule } from 'yargs';
import { vi } from 'vitest';

export interface CommandResult {
  stdout: string;
  exitCode: number;
}

/**
 * Run one command module in-process, as main.ts would with it registered, capturing stdout.
 * User errors propagate as the thrown GroupnasError (main.ts turns them into exit code 2).
 */
// `any`: yargs's CommandModule is invariant in its argument type (as in commands/index.ts).
export async function runCommand(module: CommandModule<any, any>, args: string[]): Promise<CommandResult> {
  let stdout = '';
  const previousExitCode = process.exitCode;
  process.exitCode = undefined;
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    return true;
  });
  const log = vi.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => {
    stdout += `${parts.map(String).join(' ')}\n`;
  });
  try {
    await yargs(args)
      .command(module)
      .strict()
      .fail((msg, err) => {
        throw err ?? new Error(msg);
      })
      .parseAsync();
    const exitCode = typeof process.exitCode === 'number' ? process.exitCode : 0;
    return { stdout, exitCode };
  } finally {
    write.mockRestore();
    log.mockRestore();
    process.exitCode = previousExitCode;
  }
}
