// The evaluate-pool report: the per-phase columns that tell where the two-worker time goes.
import { describe, expect, it } from 'vitest';
import { formatEvaluatePoolReport, type EvaluatePoolBenchResult, type PoolTiming } from '../../src/bench/evaluate-pool.js';
import { describeMachine } from '../../src/util/machine.js';

function timing(workers: number, seconds: number, trainSeconds: number, cpuSeconds: number): PoolTiming {
  return { workers, warmUpSeconds: 1.25, seconds, poolSeconds: seconds - 0.5, latencySeconds: 0.5, trainSeconds, cpuSeconds, otherCores: 0.05 };
}

function result(one: PoolTiming, two: PoolTiming): EvaluatePoolBenchResult {
  return {
    config: 'configs/tiny.json',
    candidates: ['a', 'b', 'c', 'd'],
    training: {
      data: 'embedded',
      epochs: 1,
      batchSize: 64,
      limit: 256,
      testLimit: 128,
      optimizer: 'adam',
      learningRate: 1e-3,
      schedule: 'cosine',
      weightDecay: 0,
      labelSmoothing: 0,
      augment: false,
      seed: 1,
      checkpointEverySteps: 25,
    },
    one,
    two,
    ratio: two.seconds / one.seconds,
    poolRatio: two.poolSeconds / one.poolSeconds,
    loadAverage: { before: 0.1, after: 0.2 },
    machine: describeMachine(),
  };
}

describe('formatEvaluatePoolReport', () => {
  it('prints each phase per worker count and how much longer a candidate trains beside another', () => {
    const text = formatEvaluatePoolReport(result(timing(1, 8, 6, 9.2), timing(2, 5, 7.5, 9.5)));
    const [, warm, header, oneRow, twoRow, summary] = text.split('\n');
    expect(warm).toMatch(/warmed up before its timer/);
    expect(header).toMatch(/total\s+pool\s+latency\s+Σ training\s+cores used\s+others' cores\s+warm-up \(untimed\)/);
    expect(oneRow!.match(/\d+(\.\d+)?/g)).toEqual(['1', '8.00', '7.50', '0.50', '6.00', '1.15', '0.05', '1.25']);
    expect(twoRow!.match(/\d+(\.\d+)?/g)).toEqual(['2', '5.00', '4.50', '0.50', '7.50', '1.90', '0.05', '1.25']);
    expect(summary).toContain('0.63× total');
    expect(summary).toContain('trained 1.25× as long beside another');
  });
});
