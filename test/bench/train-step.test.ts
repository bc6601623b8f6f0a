import { describe, expect, it } from 'vitest';
import { formatStepProfiles, formatTrainStep, trainStepRatios, type ModelTrainStepResult, type TrainStepBenchResult } from '../../src/bench/train-step.js';
import { describeMachine } from '../../src/util/machine.js';

const model: Omit<ModelTrainStepResult, 'ratios'> = {
  model: 'groupnet-k5',
  // round 2 ran in a slow spell on both sides: its ratio is like the others'
  native: [
    { threads: 1, imagesPerSec: 40, rounds: [40, 20, 44] },
    { threads: 2, imagesPerSec: 60, rounds: [60, 30, 66] },
  ],
  torch: [
    { threads: 1, imagesPerSec: 32, rounds: [32, 16, 40] },
    { threads: 2, imagesPerSec: 50, rounds: [50, 25, 60] },
  ],
  wasmImagesPerSec: 8,
  peakRssMb: { native: 1900, wasm: 2100 },
};

describe('bench train-step', () => {
  it('ratios are medians of per-round ratios (interleaved rounds), the wasm ones of the medians', () => {
    const r = trainStepRatios(model);
    expect(r.nativeVsTorch1).toBeCloseTo(1.25, 12); // rounds 1.25, 1.25, 1.1
    expect(r.nativeVsTorch2).toBeCloseTo(1.2, 12); // rounds 1.2, 1.2, 1.1
    expect(r.nativeTwoThreadsVsOne).toBeCloseTo(1.5, 12);
    expect(r.nativeVsWasm).toBe(5);
    expect(r.wasmVsTorch1).toBe(0.25);
    expect(r.wasmVsCpu).toBeUndefined();
  });

  it('prints one row a model with its rates and ratios', () => {
    const result: TrainStepBenchResult = {
      batch: 64,
      cpuBatch: 8,
      machine: describeMachine(),
      torchVersion: '1.13',
      models: [{ ...model, ratios: trainStepRatios(model) }],
    };
    const row = formatTrainStep(result)
      .split('\n')
      .find((l) => l.startsWith('groupnet-k5'));
    expect(row?.split(/\s+/).filter((w) => w !== '|')).toEqual([
      'groupnet-k5',
      '40.0',
      '60.0',
      '8.0',
      '32.0',
      '50.0',
      '1.25×',
      '1.20×',
      '1.50×',
      '5.0×',
      '1900,',
      '2100',
    ]);
  });
});

describe('bench train-step --profile', () => {
  it('prints a kernel per line with each thread count’s time and the gain from threads', () => {
    const profiles = [
      {
        threads: 1,
        stepMs: 1000,
        kernels: [
          { kernel: 'SignConv', ms: 600, calls: 60, share: 0.6 },
          { kernel: 'Relu', ms: 10, calls: 13, share: 0.01 },
        ],
      },
      { threads: 2, stepMs: 700, kernels: [{ kernel: 'SignConv', ms: 300, calls: 60, share: 300 / 700 }] },
    ];
    const lines = formatStepProfiles('groupnet-k5', profiles);
    expect(lines[0]).toBe('profile of one native step, groupnet-k5: 1000 ms at 1t, 700 ms at 2t');
    expect(lines[2]!.trim().split(/\s+/)).toEqual(['SignConv', '600.0', '60', '60.0%', '300.0', '60', '42.9%', '2.00×']);
    // a kernel the second profile did not run: dashes and no ratio
    expect(lines[3]!.trim().split(/\s+/)).toEqual(['Relu', '10.0', '13', '1.0%', '-', '-', '-']);
  });
});
