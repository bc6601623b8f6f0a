import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  EVALUATION_FORMAT,
  readEvaluation,
  readEvaluationToResume,
  writeEvaluation,
  type CandidateRecord,
  type EvaluationRecord,
} from '../../../src/search/evaluate/evaluation-file.js';
import { buildPreset } from '../../../src/space/index.js';
import { DEFAULT_TRAINING } from '../../../src/train/training-options.js';
import { FileFormatError } from '../../../src/util/errors.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'gn-evaluation-file-'));

const done = (index: number): CandidateRecord => ({
  index,
  arch: buildPreset('groupnet-k1'),
  status: 'done',
  failures: [],
  result: {
    testAccuracy: 0.2,
    testLoss: 2.1,
    testImages: 64,
    history: [{ epoch: 1, trainLoss: 2.3, testAccuracy: 0.2, testLoss: 2.1, learningRate: 1e-3, seconds: 3 }],
    costs: { params: 10, binaryParams: 8, floatParams: 2, memoryBytes: 9, binaryMacs: 100, bops: 100, floatMacs: 5 },
    runDir: `candidates/${index}`,
    modelFile: `candidates/${index}/model.gnb`,
    modelBytes: 99,
    trainSeconds: 3,
  },
  latency: { engine: 'wasm', batch: 1, medianMs: 0.5, repeats: 40, minMs: 0.49, maxMs: 0.52, spread: 0.06, rounds: 5 },
});

function written(dir: string): { file: string; record: EvaluationRecord } {
  const file = join(dir, 'evaluation', 'evaluation.json');
  const teacher = join(dir, 'teacher');
  const record: EvaluationRecord = {
    format: EVALUATION_FORMAT,
    version: 1,
    training: { ...DEFAULT_TRAINING, epochs: 1, distillation: { teacher, kd: 1, at: 0, temperature: 4, labelWeight: 1 } },
    candidates: [done(0), done(1)],
  };
  writeEvaluation(file, record);
  return { file, record };
}

function damage(file: string, change: (doc: { candidates: Record<string, unknown>[] } & Record<string, unknown>) => void): void {
  const doc = JSON.parse(readFileSync(file, 'utf8'));
  change(doc);
  writeFileSync(file, JSON.stringify(doc));
}

describe('evaluation.json', () => {
  it('is stored with the teacher relative to the evaluation directory and read back whole', () => {
    const { file, record } = written(tmp());
    expect(JSON.parse(readFileSync(file, 'utf8')).training.distillation.teacher).toBe(join('..', 'teacher'));
    expect(readEvaluation(file)).toEqual(record);
    expect(readEvaluationToResume(file)).toEqual({ record, damage: { candidates: new Map() } });
  });

  it.each([
    ['result {}', (c: Record<string, unknown>) => (c.result = {}), /candidates\[1\]\.result\.testAccuracy: required field is missing/],
    [
      'testAccuracy "high"',
      (c: Record<string, unknown>) => ((c.result as Record<string, unknown>).testAccuracy = 'high'),
      /testAccuracy: expected number, got "high"/,
    ],
    ['done without a result', (c: Record<string, unknown>) => delete c.result, /candidates\[1\]: required field is missing|result/],
    ['a wrong index', (c: Record<string, unknown>) => (c.index = 0), /candidates\[1\]\.index: expected 1, found 0/],
  ])('a damaged candidate entry (%s): the strict reader refuses it, the resume reader leaves that candidate out and says why', (_, change, why) => {
    const { file, record } = written(tmp());
    damage(file, (doc) => change(doc.candidates[1]!));
    expect(() => readEvaluation(file)).toThrow(FileFormatError);
    const { record: kept, damage: found } = readEvaluationToResume(file);
    expect(kept!.candidates[0]).toEqual(record.candidates[0]);
    expect(kept!.candidates[1]).toBeUndefined();
    expect(found.file).toBeUndefined();
    expect(found.candidates.get(1)).toMatch(why);
  });

  it.each([
    ['truncated', (file: string) => writeFileSync(file, readFileSync(file, 'utf8').slice(0, 80)), /is not valid JSON/],
    ['{}', (file: string) => writeFileSync(file, '{}'), /format: required field is missing/],
    ['training of the wrong type', (file: string) => damage(file, (doc) => (doc.training = 5)), /training: expected object/],
  ])('a file damaged as a whole (%s) is set aside for the resume, saying why', (_, spoil, why) => {
    const { file } = written(tmp());
    spoil(file);
    expect(() => readEvaluation(file)).toThrow(FileFormatError);
    const { record, damage: found } = readEvaluationToResume(file);
    expect(record).toBeUndefined();
    expect(found.file).toMatch(why);
  });
});

describe('evaluation.json of another groupnas version', () => {
  it('is refused, not set aside: it is no damage, and must not be overwritten', () => {
    const { file } = written(tmp());
    damage(file, (doc) => (doc.version = 9));
    expect(() => readEvaluationToResume(file)).toThrow(/evaluation\.json: version: expected 1, found 9/);
  });
});
