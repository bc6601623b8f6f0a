import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import validate from '../../src/cli/commands/validate.js';
import { buildPreset } from '../../src/space/index.js';
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
