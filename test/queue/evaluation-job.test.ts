import { describe, expect, it } from 'vitest';
import { checkJob, checkJobResult, InvalidJob, JOB_FORMAT, JOB_VERSION, type EvaluationJob } from '../../src/queue/evaluation-job.js';
import { buildPreset } from '../../src/space/presets.js';
import { VERSION } from '../../src/util/version.js';
import { tinyTraining } from '../helpers/tiny-training.js';
import { malformedJobs } from './malformed-jobs.js';

const valid: EvaluationJob = {
  format: JOB_FORMAT,
  version: JOB_VERSION,
  groupnas: VERSION,
  index: 0,
  attempt: 1,
  arch: buildPreset('groupnet-k1', { widthMultiplier: 0.125 }),
  training: tinyTraining(),
  dataset: { name: 'fashion-mnist-embedded', checksum: 'a'.repeat(64) },
  runDir: '/runs/x/evaluation/candidates/0',
};

describe('checkJob', () => {
  it('takes a well-formed job as it is', () => {
    expect(checkJob(JSON.parse(JSON.stringify(valid)))).toEqual(valid);
  });

  const cases = malformedJobs(valid);
  it('has fifty malformed payloads to refuse', () => expect(cases).toHaveLength(50));

  it.each(cases)('refuses a payload with $what, saying where', ({ payload }) => {
    let error: unknown;
    try {
      checkJob(payload);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(InvalidJob);
    expect((error as Error).message).toMatch(/^the job's payload(: [^\n]+| is \d+ bytes; an evaluation job is at most \d+)$/);
  });
});

describe('checkJobResult', () => {
  const result = {
    format: 'groupnas.evaluation-result',
    version: 1,
    worker: 'host/1',
    trained: {
      index: 0,
      testAccuracy: 0.5,
      testLoss: 1,
      testImages: 64,
      history: [{ epoch: 1, trainLoss: 2, testAccuracy: 0.5, testLoss: 1, learningRate: 0.001, seconds: 1 }],
      costs: { params: 1, binaryParams: 1, floatParams: 0, memoryBytes: 1, binaryMacs: 1, bops: 1, floatMacs: 0 },
      modelBytes: 3,
      resumed: false,
      trainSeconds: 1,
    },
    files: { 'model.gnb': 'AAEC', 'run.json': 'e30=' },
  };

  it('takes a well-formed result', () => expect(checkJobResult(result)).toEqual(result));

  it.each([
    ['a file name with a path', { ...result, files: { ...result.files, '../../etc/passwd': 'AA==' } }],
    ['no model', { ...result, files: { 'run.json': 'e30=' } }],
    ['bytes that are not base64', { ...result, files: { 'model.gnb': 'not base64!' } }],
    ['an accuracy above 1', { ...result, trained: { ...result.trained, testAccuracy: 3 } }],
  ])('refuses a result with %s', (_what, value) => {
    expect(() => checkJobResult(value)).toThrow(/^the worker's result: /);
  });
});
