import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/backend/select.js';
import { loadTeacher } from '../../src/train/run-model.js';
import { teacherTrainingOptions } from '../../src/train/teacher-run.js';
import { loadConfig } from '../../src/space/config-file.js';
import { buildPreset } from '../../src/space/presets.js';
import { trainArch } from '../../src/train/training-run.js';
import { UsageError } from '../../src/util/errors.js';
import { PACKAGE_ROOT } from '../../src/util/version.js';

beforeAll(async () => {
  await selectBackend('wasm');
});

describe('teacher', () => {
  it('training options come from the config (final-training section, data limits, seed)', () => {
    const config = loadConfig(join(PACKAGE_ROOT, 'configs', 'tiny.json'));
    const o = teacherTrainingOptions(config);
    expect(o).toMatchObject({ data: 'embedded', epochs: config.teacher.epochs, limit: 256, testLimit: 128, seed: config.seed, optimizer: 'adam' });
  });

  it('a teacher whose classes or input do not match the search backbone is refused by name', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'gn-teacher-')), 'teacher');
    const fp = buildPreset('fp', { widthMultiplier: 0.125 });
    trainArch(fp, { ...teacherTrainingOptions(loadConfig(join(PACKAGE_ROOT, 'configs', 'tiny.json'))), limit: 64, testLimit: 32 }, dir);
    const student = buildPreset('groupnet-k3', { widthMultiplier: 0.25 });
    loadTeacher(dir, student).dispose();
    expect(() => loadTeacher(dir, { ...student, head: { classes: 7 } })).toThrow(UsageError);
    expect(() => loadTeacher(dir, { ...student, input: { height: 32, width: 32, channels: 3 } })).toThrow(/input/);
  });
});
