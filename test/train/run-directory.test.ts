import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Dataset } from '../../src/data/index.js';
import { checkRunDataset, readRunHistory, readRunRecord, readRunResult, runState, trainingSeconds, type RunRecord } from '../../src/train/run-directory.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'gn-run-dir-'));

describe('training run directory', () => {
  it('says whether a directory holds no run, a started run or a finished one', () => {
    const dir = tmp();
    expect(runState(dir)).toBe('absent');
    expect(() => readRunRecord(dir)).toThrow(/not a groupnas run directory \(no run\.json\)/);
    writeFileSync(join(dir, 'run.json'), JSON.stringify({ format: 'groupnas.run', version: 1 }));
    expect(runState(dir)).toBe('started');
    expect(readRunResult(dir)).toBeUndefined();
    writeFileSync(join(dir, 'result.json'), JSON.stringify({ testAccuracy: 0.5, testLoss: 1, testImages: 10, epochs: [{ seconds: 2 }, { seconds: 3 }] }));
    expect(runState(dir)).toBe('finished');
    expect(trainingSeconds(readRunResult(dir)!)).toBe(5);
  });

  it('reads result.json with errors naming the file and field', () => {
    const dir = tmp();
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'result.json'), JSON.stringify({ testAccuracy: '0.5', testLoss: 1, testImages: 10, epochs: [] }));
    expect(() => readRunResult(dir)).toThrow(/result\.json: testAccuracy: expected a number/);
    writeFileSync(join(dir, 'result.json'), JSON.stringify({ testAccuracy: 0.5, testLoss: 1, testImages: 10 }));
    expect(() => readRunResult(dir)).toThrow(/result\.json: epochs: expected the per-epoch history/);
    writeFileSync(join(dir, 'result.json'), '{');
    expect(() => readRunResult(dir)).toThrow(/result\.json: is not valid JSON/);
  });

  it('reads history.json as a run trains, with errors naming the file and epoch', () => {
    const dir = tmp();
    expect(readRunHistory(dir)).toEqual([]);
    const epoch = { epoch: 1, trainLoss: 2, testAccuracy: 0.4, testLoss: 1.9, learningRate: 1e-3, seconds: 3 };
    writeFileSync(join(dir, 'history.json'), JSON.stringify([epoch]));
    expect(readRunHistory(dir)).toEqual([epoch]);
    writeFileSync(join(dir, 'history.json'), JSON.stringify([epoch, { ...epoch, testAccuracy: '40%' }]));
    expect(() => readRunHistory(dir)).toThrow(/history\.json: \[1\]\.testAccuracy: expected a number/);
    writeFileSync(join(dir, 'history.json'), '{"epoch": 1}');
    expect(() => readRunHistory(dir)).toThrow(/history\.json: expected the per-epoch history/);
  });

  it('refuses a data set other than the one the run was trained on', () => {
    const record = { dataset: { name: 'fashion-mnist', checksum: 'a'.repeat(64), train: 1, test: 1 }, options: { data: 'embedded' } } as RunRecord;
    expect(() => checkRunDataset('run', record, { checksum: 'a'.repeat(64) } as Dataset)).not.toThrow();
    expect(() => checkRunDataset('run', record, { checksum: 'b'.repeat(64) } as Dataset)).toThrow(
      /run\.json: dataset\.checksum: the run was trained on fashion-mnist \(aaaaaaaaaaaa…\) but the data it names \(embedded\) now holds bbbbbbbbbbbb…/,
    );
  });
});
