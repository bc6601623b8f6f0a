import { describe, expect, it } from 'vitest';
import { commands } from '../../src/cli/commands/index.js';
import { runCli } from './run-cli.js';

/** Sub-commands of a command that has its own (`bench kernels`, `data info`), as `[parent, child]`. */
const nested = [
  ['bench', 'train-step'],
  ['bench', 'kernels'],
  ['bench', 'supernet-step'],
  ['bench', 'evaluate-pool'],
  ['data', 'info'],
];

describe('groupnas with no command or a wrong one', () => {
  it('no arguments at all prints the help, exit 0', () => {
    const r = runCli([]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('groupnas search');
    expect(r.stdout).toContain('groupnas info');
  });

  it('options but no command: the help and one line asking for a command, exit 2', () => {
    const r = runCli(['--backend', 'wasm']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('groupnas search');
    expect(r.stderr.trim().split('\n').at(-1)).toBe('groupnas: name a command (listed above)');
  });

  it('a misspelt command gets a suggestion', () => {
    const r = runCli(['serch']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe("groupnas: unknown command 'serch': did you mean search?");
  });
});

describe('number options', () => {
  it('a number option given a word names the option and the word', () => {
    const r = runCli(['summary', '--preset', 'groupnet-k1', '--width-mult', 'abc']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe("groupnas: --width-mult: expected a number, got 'abc'");
  });

  it('out-of-range numbers are refused, named as typed, before anything runs', () => {
    const cases: [string[], string][] = [
      [['summary', '--preset', 'groupnet-k1', '--width-mult', '0'], '--width-mult: expected a number > 0, got 0'],
      [['train', '--preset', 'groupnet-k1', '--batch', '2.5'], '--batch: expected an integer ≥ 1, got 2.5'],
      [['train', '--preset', 'groupnet-k1', '--label-smoothing', '1'], '--label-smoothing: expected a number ≥ 0 and < 1, got 1'],
      [['search', '--config', 'tiny', '--workers', '0'], '--workers: expected an integer ≥ 1, got 0'],
    ];
    for (const [args, message] of cases) {
      const r = runCli(args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr.trim()).toBe(`groupnas: ${message}`);
    }
  });
});

describe('help', () => {
  it('every option of every command has a description', () => {
    const names = commands.map((c) => [String(c.command).split(' ')[0]!]);
    for (const path of [...names, ...nested]) {
      const r = runCli([...path, '--help']);
      expect(r.status, path.join(' ')).toBe(0);
      // the Options section, up to the blank line before Examples; wrapped description lines are indented a lot
      const lines = r.stdout.split('\n');
      const start = lines.indexOf('Options:');
      const end = lines.indexOf('', start);
      const options = lines.slice(start + 1, end < 0 ? undefined : end).filter((line) => /^ {1,8}(-\w, )?--[\w-]+/.test(line));
      expect(options.length, path.join(' ')).toBeGreaterThan(0);
      // an option without a description goes straight from its name to its [type]/[choices]
      for (const line of options) expect(line, `${path.join(' ')}: ${line.trim()}`).toMatch(/^\s+(-\w, )?--[\w-]+\s{2,}[^[\s]/);
    }
  });
});

describe('bundled configs', () => {
  it('search --list-configs names each bundled config with its data and budget', () => {
    const r = runCli(['search', '--list-configs', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const rows = JSON.parse(r.stdout) as { name: string; data: string; searchEpochs: number }[];
    expect(rows.map((c) => c.name)).toEqual(expect.arrayContaining(['default', 'tiny']));
    expect(rows.find((c) => c.name === 'tiny')?.data).toBe('embedded');
  });

  it('an unknown config name lists the bundled ones, before the backend loads', () => {
    const r = runCli(['search', '--config', 'tinny']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^groupnas: config tinny: no such file, and no bundled config of that name \(bundled: .*tiny.*\)\n$/);
  });
});
