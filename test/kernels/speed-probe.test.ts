// The speed probe's contract: a reading per kind of work, and timings the host changed speed during taken again.
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../src/kernels/engines.js';
import type { LatencyEntry } from '../../src/kernels/latency-entry.js';
import { createSpeedProbe, PROBE_KINDS, probeKindOf, STEADY_TOLERANCE, timeBetweenProbes, type SpeedProbe } from '../../src/kernels/speed-probe.js';

/** A probe that reads `readings` in turn, whatever the kind. */
const scripted = (readings: number[]): { probe: SpeedProbe; calls: () => number } => {
  let call = 0;
  return { probe: () => readings[call++]!, calls: () => call };
};

describe('timeBetweenProbes', () => {
  it('keeps a timing the probe read the same speed around, with the mean of the two readings', () => {
    const { probe, calls } = scripted([1, 1.02]);
    let measured = 0;
    const t = timeBetweenProbes(probe, ['binaryConv'], () => ++measured);
    expect(measured).toBe(1);
    expect(calls()).toBe(2);
    expect(t.value).toBe(1);
    expect(t.speed).toEqual({ binaryConv: 1.01 });
    expect(t.drift).toBeCloseTo(0.02, 12);
  });

  it('times again when the host changed speed during a timing, and keeps the steady one', () => {
    const { probe } = scripted([1, 1.6, 1.6, 1.6]);
    let measured = 0;
    const t = timeBetweenProbes(probe, ['binaryConv'], () => ++measured);
    expect(measured).toBe(2);
    expect(t.value).toBe(2);
    expect(t.speed).toEqual({ binaryConv: 1.6 });
  });

  it('gives up after three timings on a host that keeps changing, keeping the steadiest; any kind moving counts', () => {
    // Two kinds, read before and after: the second kind moves 50%, 20%, 30% while the first stays.
    const { probe } = scripted([1, 1, 1, 1.5, 1, 1, 1, 1.2, 1, 1, 1, 1.3]);
    let measured = 0;
    const t = timeBetweenProbes(probe, ['binaryConv', 'elementwise'], () => ++measured);
    expect(measured).toBe(3);
    expect(t.value).toBe(2);
    expect(t.drift).toBeCloseTo(0.2, 12);
    expect(t.drift).toBeGreaterThan(STEADY_TOLERANCE);
    expect(t.speed).toEqual({ binaryConv: 1, elementwise: 1.1 });
  });
});

describe('createSpeedProbe', () => {
  it('reads every kind of work on an engine, and each entry is probed by its own kind', () => {
    const probe = createSpeedProbe(createEngine('js'));
    for (const kind of PROBE_KINDS) expect(probe(kind)).toBeGreaterThan(0);
    const conv = (bits: 1 | 2 | 4 | 32): LatencyEntry => ({ h: 4, w: 4, inChannels: 8, outChannels: 8, kernel: 3, stride: 1, dilation: 1, bits, bases: 1 });
    expect([conv(1), conv(2), conv(4), conv(32)].map(probeKindOf)).toEqual(['binaryConv', 'bitPlaneConv', 'bitPlaneConv', 'floatConv']);
    expect(probeKindOf({ op: 'avgPool', h: 4, w: 4, c: 8, window: 2, stride: 2 })).toBe('elementwise');
  });
});
