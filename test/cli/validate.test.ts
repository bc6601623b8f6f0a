import { cpSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/backend/select.js';
import validate from '../../src/cli/commands/validate.js';
import { buildPreset } from '../../src/space/index.js';
import { trainArch } from '../../src/train/training-run.js';
import { UsageError } from '../../src/util/errors.js';
import { tinyTraining } from '../helpers/tiny-training.js';
import { PACKAGE_ROOT } from '../../src/util/version.js';
import { runCommand } from './run-command.js';

const dir = mkdtempSync(join(tmpdir(), 'groupnas-validate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, content: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

describe('groupnas validate', () => {
  it('accepts the shipped config and a preset arch', async () => {
    const config = join(PACKAGE_ROOT, 'configs', 'default.json');
    expect(await runCommand(validate, ['validate', config])).toEqual({ stdout: `${config}: valid config (version 1)\n`, exitCode: 0 });
    const arch = write('arch.json', buildPreset('gbd-v2-k5'));
    expect((await runCommand(validate, ['validate', arch])).stdout).toMatch(/valid arch\.json/);
  });

  it('checks every candidate of a candidates.json as an arch.json, naming the candidate', async () => {
    const good = { format: 'groupnas.candidates', version: 1, candidates: [{ arch: buildPreset('groupnet-k1') }, { arch: buildPreset('groupnet-k3') }] };
    expect((await runCommand(validate, ['validate', write('candidates.json', good)])).stdout).toMatch(/valid candidates\.json/);
    const bad = { ...good, candidates: [good.candidates[0], { arch: { ...buildPreset('groupnet-k3'), bases: [3, 3, 3, 3, 3, 9] } }, {}] };
    const file = write('bad-candidates.json', bad);
    const { stdout, exitCode } = await runCommand(validate, ['validate', file]);
    expect(exitCode).toBe(1);
    expect(stdout).toContain(`${file}: candidates[1].arch.bases[5]: expected a number <= 8, got 9`);
    expect(stdout).toContain(`${file}: candidates[2].arch: missing`);
    expect(stdout).toMatch(/2 problems/);
  });

  it('prints every problem with its JSON path and exits 1', async () => {
    const arch = { ...buildPreset('groupnet-k5'), bases: [1, 2, 3, 4, 5, 9], extra: 1 };
    const file = write('bad-arch.json', arch);
    const { stdout, exitCode } = await runCommand(validate, ['validate', file]);
    expect(exitCode).toBe(1);
    expect(stdout).toContain(`${file}: bases[5]: expected a number <= 8, got 9`);
    expect(stdout).toContain(`${file}: extra: unknown field (not in the schema)`);
    expect(stdout).toMatch(/2 problems/);
  });

  it('detects configs without a format field by shape, and applies --set', async () => {
    const file = write('config.json', { version: 1, data: { dataset: 'embedded' }, backbone: { name: 'resnet-r' }, space: {} });
    const { stdout } = await runCommand(validate, ['validate', file, '--json']);
    expect(JSON.parse(stdout)).toMatchObject({ kind: 'config', valid: false, problems: [{ path: 'format' }] });
    const ok = join(PACKAGE_ROOT, 'configs', 'tiny.json');
    const overridden = await runCommand(validate, ['validate', ok, '--set', 'search.epochs=0', '--json']);
    expect(JSON.parse(overridden.stdout)).toMatchObject({ valid: false, problems: [{ path: 'search.epochs' }] });
    expect(overridden.exitCode).toBe(1);
  });

  it('reports unreadable, empty and non-JSON files as problems', async () => {
    for (const [file, message] of [
      [join(dir, 'absent.json'), /\(root\): no such file/],
      [write('empty.json', ''), /\(root\): the file is empty/],
      [write('text.json', 'hello'), /\(root\): invalid JSON/],
      [write('other.json', { hello: 'world' }), /format: expected "groupnas\.config" or "groupnas\.arch"/],
    ] as const) {
      const { stdout, exitCode } = await runCommand(validate, ['validate', file]);
      expect(exitCode).toBe(1);
      expect(stdout).toMatch(message);
    }
  });
});

describe('groupnas validate RUN_DIR', () => {
  const run = join(dir, 'run');
  beforeAll(async () => {
    await selectBackend('wasm');
    trainArch(buildPreset('groupnet-k1', { widthMultiplier: 0.125 }), tinyTraining(), run);
  });

  it('an intact training run: one line per file, a summary, exit 0', async () => {
    const { stdout, exitCode } = await runCommand(validate, ['validate', run]);
    expect(exitCode).toBe(0);
    expect(stdout).toBe(
      [
        `${run}: training run, resumed by groupnas train --resume ${run}`,
        '  ok       run.json',
        '  ok       checkpoint.gnck',
        '  ok       history.json',
        '  ok       result.json',
        '4 files: 4 ok — valid',
        '',
      ].join('\n'),
    );
  });

  it("damaged files: the reader's words without the path again, what train --resume does, exit 1; --json gives the same", async () => {
    const damaged = join(dir, 'damaged');
    cpSync(run, damaged, { recursive: true });
    truncateSync(join(damaged, 'checkpoint.gnck'), 10);
    writeFileSync(join(damaged, 'result.json'), '{}');
    const { stdout, exitCode } = await runCommand(validate, ['validate', damaged]);
    expect(exitCode).toBe(1);
    const lines = stdout.split('\n');
    expect(lines[2]).toBe(
      '  damaged  checkpoint.gnck: file: truncated: 10 bytes is too short for a checkpoint — resume: refuses with this error; delete the file to train the run again from its first epoch',
    );
    expect(lines[4]).toMatch(
      /^  damaged  result\.json: testAccuracy: required field is missing; .* — resume: testing the last checkpoint again and rewriting it$/,
    );
    expect(lines[5]).toBe('4 files: 2 ok, 2 damaged — not valid');
    const json = await runCommand(validate, ['validate', damaged, '--json']);
    expect(json.exitCode).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({
      dir: damaged,
      kind: 'training',
      valid: false,
      files: [
        { file: 'run.json', state: 'ok' },
        { file: 'checkpoint.gnck', state: 'damaged', problem: `${join(damaged, 'checkpoint.gnck')}: file: truncated: 10 bytes is too short for a checkpoint` },
        { file: 'history.json', state: 'ok' },
        { file: 'result.json', state: 'damaged', resume: 'testing the last checkpoint again and rewriting it' },
      ],
    });
  });

  it('a reproduction is told by its reproduce.json', async () => {
    const reproduction = mkdtempSync(join(dir, 'reproduce-'));
    writeFileSync(join(reproduction, 'reproduce.json'), '{}');
    const { stdout, exitCode } = await runCommand(validate, ['validate', reproduction]);
    expect(exitCode).toBe(1);
    expect(stdout.split('\n').slice(0, 2)).toEqual([
      `${reproduction}: reproduction, resumed by the same groupnas reproduce command with --out ${reproduction}`,
      '  damaged  reproduce.json: format: expected "groupnas.reproduce", found undefined — resume: refuses with this error',
    ]);
  });

  it('a directory that is no run, and --set with a directory: a clear error', async () => {
    const empty = mkdtempSync(join(dir, 'empty-'));
    await expect(runCommand(validate, ['validate', empty])).rejects.toThrow(UsageError);
    await expect(runCommand(validate, ['validate', empty])).rejects.toThrow(`${empty}: not a run directory`);
    await expect(runCommand(validate, ['validate', run, '--set', 'search.epochs=1'])).rejects.toThrow(/--set: .* a run directory is checked as it is/);
  });
});
