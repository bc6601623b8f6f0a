import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Dataset } from '../../src/data/index.js';
import { buildPreset } from '../../src/space/index.js';
import {
  checkRunDataset,
  readRunHistory,
  readRunRecord,
  readRunResult,
  runState,
  trainingSeconds,
  writeRunRecord,
  type RunRecord,
} from '../../src/train/run-directory.js';
import { DEFAULT_TRAINING, type TrainingOptions } from '../../src/train/training-options.js';
import { FileFormatError } from '../../src/util/errors.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'gn-run-dir-'));

describe('training run directory', () => {
  const epoch = { epoch: 1, trainLoss: 2, testAccuracy: 0.4, testLoss: 1.9, learningRate: 1e-3, seconds: 3 };
  const result = { testAccuracy: 0.5, testLoss: 1, testImages: 10, epochs: [epoch, { ...epoch, epoch: 2 }] };
  const options: TrainingOptions = { ...DEFAULT_TRAINING, epochs: 2 };
  const record = (): RunRecord => ({
    format: 'groupnas.run',
    version: 1,
    kind: 'train',
    toolVersion: '0.1.0',
    createdAt: new Date(0).toISOString(),
    arch: buildPreset('groupnet-k1'),
    options,
    dataset: { name: 'embedded', checksum: 'a'.repeat(64), train: 10, test: 10 },
    stages: [{ stage: 1, weights: 'binary', firstEpoch: 0, epochs: 2 }],
  });

  it('says whether a directory holds no run, a started run or a finished one', () => {
    const dir = tmp();
    expect(runState(dir)).toBe('absent');
    expect(() => readRunRecord(dir)).toThrow(/not a groupnas run directory \(no run\.json\)/);
    writeRunRecord(dir, record());
    expect(runState(dir)).toBe('started');
    expect(readRunResult(dir)).toBeUndefined();
    writeFileSync(join(dir, 'result.json'), JSON.stringify(result));
    expect(runState(dir)).toBe('finished');
    expect(trainingSeconds(readRunResult(dir)!.epochs)).toBe(6);
  });

  it('run.json is checked against its schema: a missing section or a wrong type is refused naming the field, never a stack trace', () => {
    const dir = tmp();
    writeRunRecord(dir, record());
    expect(readRunRecord(dir).options).toEqual(options);
    const stored = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
    writeFileSync(join(dir, 'run.json'), JSON.stringify({ ...stored, options: undefined }));
    expect(() => readRunRecord(dir)).toThrow(FileFormatError);
    expect(() => readRunRecord(dir)).toThrow(/run\.json: options: required field is missing/);
    writeFileSync(join(dir, 'run.json'), JSON.stringify({ ...stored, options: { ...stored.options, epochs: 'x' } }));
    expect(() => readRunRecord(dir)).toThrow(/run\.json: options\.epochs: expected integer, got "x"/);
    writeFileSync(join(dir, 'run.json'), JSON.stringify({ ...stored, arch: { ...stored.arch, bases: 'five' } }));
    expect(() => readRunRecord(dir)).toThrow(/run\.json: arch\.bases/);
    writeFileSync(join(dir, 'run.json'), JSON.stringify(stored).slice(0, 100));
    expect(() => readRunRecord(dir)).toThrow(/run\.json: is not valid JSON/);
  });

  it("run.json keeps the teacher's path relative to the run directory: a copied run reads its own teacher", () => {
    const root = tmp();
    const dir = join(root, 'search', 'evaluation', 'candidates', '0');
    mkdirSync(dir, { recursive: true });
    const teacher = join(root, 'search', 'teacher');
    const distilled = { ...options, distillation: { teacher, kd: 1, at: 0, temperature: 4, labelWeight: 1 } };
    writeRunRecord(dir, { ...record(), options: distilled });
    expect(JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')).options.distillation.teacher).toBe(join('..', '..', '..', 'teacher'));
    expect(readRunRecord(dir).options).toEqual(distilled);
    const copy = join(tmp(), 'copy');
    cpSync(join(root, 'search'), copy, { recursive: true });
    expect(readRunRecord(join(copy, 'evaluation', 'candidates', '0')).options.distillation!.teacher).toBe(join(copy, 'teacher'));
  });

  it('reads result.json with errors naming the file and field', () => {
    const dir = tmp();
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'result.json'), JSON.stringify({ ...result, testAccuracy: 'high' }));
    expect(() => readRunResult(dir)).toThrow(/result\.json: testAccuracy: expected number, got "high"/);
    writeFileSync(join(dir, 'result.json'), JSON.stringify({ ...result, testAccuracy: 7 }));
    expect(() => readRunResult(dir)).toThrow(/result\.json: testAccuracy: expected a number <= 1/);
    writeFileSync(join(dir, 'result.json'), JSON.stringify({ ...result, epochs: undefined }));
    expect(() => readRunResult(dir)).toThrow(/result\.json: epochs: required field is missing/);
    writeFileSync(join(dir, 'result.json'), '{');
    expect(() => readRunResult(dir)).toThrow(/result\.json: is not valid JSON/);
  });

  it('reads history.json as a run trains, with errors naming the file and epoch', () => {
    const dir = tmp();
    expect(readRunHistory(dir)).toEqual([]);
    writeFileSync(join(dir, 'history.json'), JSON.stringify([epoch]));
    expect(readRunHistory(dir)).toEqual([epoch]);
    writeFileSync(join(dir, 'history.json'), JSON.stringify([epoch, { ...epoch, testAccuracy: '40%' }]));
    expect(() => readRunHistory(dir)).toThrow(/history\.json: \[1\]\.testAccuracy: expected number, got "40%"/);
    writeFileSync(join(dir, 'history.json'), '{"epoch": 1}');
    expect(() => readRunHistory(dir)).toThrow(/history\.json: \(root\): expected array/);
  });

  it('refuses a data set other than the one the run was trained on', () => {
    const record = { dataset: { name: 'fashion-mnist', checksum: 'a'.repeat(64), train: 1, test: 1 }, options: { data: 'embedded' } } as RunRecord;
    expect(() => checkRunDataset('run', record, { checksum: 'a'.repeat(64) } as Dataset)).not.toThrow();
    expect(() => checkRunDataset('run', record, { checksum: 'b'.repeat(64) } as Dataset)).toThrow(
      /run\.json: dataset\.checksum: the run was trained on fashion-mnist \(aaaaaaaaaaaa…\) but the data it names \(embedded\) now holds bbbbbbbbbbbb…/,
    );
  });
});
