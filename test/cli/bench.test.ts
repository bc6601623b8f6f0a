import { describe, expect, it } from 'vitest';
import bench from '../../src/cli/commands/bench.js';
import { runCommand } from './run-command.js';

describe('groupnas bench supernet-ranking', () => {
  // --trained ranks the runs it is given; a sample size or seed beside it would be silently ignored.
  it.each([
    ['--archs', '5'],
    ['--seed', '3'],
  ])('refuses %s together with --trained', async (option, value) => {
    const args = ['bench', 'supernet-ranking', '--run', 'runs/none', '--trained', 'runs/a', option, value];
    await expect(runCommand(bench, args)).rejects.toThrow(new RegExp(`mutually exclusive.*${option.slice(2)}|${option.slice(2)}.*mutually exclusive`));
  });
});
