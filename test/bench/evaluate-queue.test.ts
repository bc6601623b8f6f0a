// The evaluate-queue bench's figures and report, from given timings (the bench itself runs in `npm run bench`).
import { describe, expect, it } from 'vitest';
import { formatEvaluateQueueReport, queueBenchFigures, type EvaluateQueueBenchResult, type QueueTiming } from '../../src/bench/evaluate-queue.js';
import { describeMachine } from '../../src/util/machine.js';
import { tinyTraining } from '../helpers/tiny-training.js';

const timing = (what: string, seconds: number, trainSeconds: number, traffic?: QueueTiming['traffic']): QueueTiming => ({
  what,
  seconds,
  trainSeconds,
  busyCores: 1.5,
  ...(traffic ? { traffic } : {}),
});

describe('bench evaluate-queue', () => {
  const pool = timing('pool, 1 worker thread', 40, 36);
  const traffic = { jobs: 4, jobBytes: 4 * 3072, results: 4, resultBytes: 4 * 204_800, teacherBytes: 0 };
  const rounds = [
    { one: timing('queue, 1 worker process', 44, 37, traffic), two: timing('queue, 2 worker processes', 26, 40), ratio: 26 / 44 },
    { one: timing('queue, 1 worker process', 50, 45), two: timing('queue, 2 worker processes', 35, 50), ratio: 35 / 50 },
    { one: timing('queue, 1 worker process', 45, 38), two: timing('queue, 2 worker processes', 27, 41), ratio: 27 / 45 },
  ];

  it('takes the median ratio over rounds, and the queue overhead per job apart from training', () => {
    const f = queueBenchFigures(pool, rounds, 4);
    expect(f.ratio).toBeCloseTo(0.6, 12); // of 0.591, 0.7, 0.6
    // (40 − 36)/4 = 1 s besides training on the pool; (44 − 37)/4 = 1.75 s through the queue
    expect(f.otherPerJobSeconds).toEqual({ pool: 1, queue: 1.75 });
    expect(f.overheadPerJobSeconds).toBeCloseTo(0.75, 12);
  });

  it('reports every round, the median, the overhead and the payload sizes per job', () => {
    const r: EvaluateQueueBenchResult = {
      config: 'configs/default.json',
      candidates: 4,
      training: tinyTraining(),
      pool,
      rounds,
      ...queueBenchFigures(pool, rounds, 4),
      loadAverage: { before: 1, after: 2 },
      machine: describeMachine(),
    };
    const lines = formatEvaluateQueueReport(r).split('\n');
    expect(lines.filter((l) => /^queue, [12] worker/.test(l))).toHaveLength(6);
    expect(lines).toContain('  round 2: two worker processes / one 0.70×');
    expect(lines).toContain('two worker processes / one: 0.60× (median of 3 rounds) (accepted: < 0.65×)');
    expect(lines).toContain('per candidate, seconds besides training: pool 1.00 s, queue 1.75 s — the queue adds 0.75 s per job');
    expect(lines.at(-1)).toMatch(/^payload per job: 3\.0 KiB sent, 200\.0 KiB returned/);
  });
});
