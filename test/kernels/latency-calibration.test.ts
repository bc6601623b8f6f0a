import { describe, expect, it } from 'vitest';
import { latencyEntriesOf, predictArchLatency } from '../../src/kernels/arch-latency.js';
import { calibrateLatencyTable } from '../../src/kernels/latency-calibration.js';
import { latencyKey, lookupLatency, tableAtSpeed, type LatencyEntry, type LatencyTable } from '../../src/kernels/latency-table.js';
import type { PackedModel } from '../../src/kernels/packed-model.js';
import { PROBE_KINDS, type SpeedProbe } from '../../src/kernels/speed-probe.js';
import type { Arch } from '../../src/space/arch.js';
import { buildPreset } from '../../src/space/presets.js';
import { UsageError } from '../../src/util/errors.js';
import { describeMachine } from '../../src/util/machine.js';

const archs: Arch[] = [buildPreset('groupnet-k1', { widthMultiplier: 0.5 }), buildPreset('groupnet-k3', { widthMultiplier: 0.5 })];
/** Each entry one probe unit at a probe of 1 ms: a model's prediction is its entry count in ms. */
const table: LatencyTable = {
  fingerprint: 'x',
  engine: 'native',
  machine: describeMachine(),
  measurements: new Map(
    archs
      .flatMap(latencyEntriesOf)
      .map((e: LatencyEntry) => [latencyKey(e), { entry: e, seconds: 0.001, repeats: 1, load: 0, probeSeconds: 0.001, perProbe: 1 }]),
  ),
  probeSeconds: Object.fromEntries(PROBE_KINDS.map((kind) => [kind, 0.001])),
};
/** Calibration models: only their arch is read when their timing is given. */
const models = archs.map((arch) => ({ arch }) as PackedModel);
const steady: SpeedProbe = () => 0.001;

describe('calibrateLatencyTable', () => {
  it("scales the table by the geometric mean of the models' measured ÷ predicted", () => {
    const ratio = new Map([
      [archs[0]!, 1.1],
      [archs[1]!, 1.21],
    ]);
    const { table: calibrated, calibration } = calibrateLatencyTable(table, models, steady, {
      rounds: 1,
      timeModel: (m) => ratio.get(m.arch)! * predictArchLatency(table, m.arch),
    });
    expect(calibration.factor).toBeCloseTo(Math.sqrt(1.1 * 1.21), 12);
    expect(calibration.models.map((m) => m.ratio)).toEqual([expect.closeTo(1.1, 12), expect.closeTo(1.21, 12)]);
    const entry = latencyEntriesOf(archs[0]!)[0]!;
    expect(lookupLatency(calibrated, entry)).toBeCloseTo(0.001 * calibration.factor, 15);
    expect(predictArchLatency(calibrated, archs[1]!)).toBeCloseTo(calibration.factor * predictArchLatency(table, archs[1]!), 12);
    // Read at another speed, the factor stays.
    expect(tableAtSpeed(calibrated, { binaryConv: 0.002 }).modelFactor).toBe(calibration.factor);
  });

  it('measures the same factor on a table calibrated before (it does not compound)', () => {
    const timeModel = (m: PackedModel) => 1.05 * predictArchLatency(table, m.arch);
    const once = calibrateLatencyTable(table, models, steady, { rounds: 1, timeModel });
    const twice = calibrateLatencyTable(once.table, models, steady, { rounds: 1, timeModel });
    expect(twice.calibration.factor).toBeCloseTo(1.05, 12);
  });

  it("cancels the host's speed: a model timed in a spell twice as slow is predicted at the probe read beside it", () => {
    // timeBetweenProbes reads the 4 kinds before and after a model: the second model's 8 readings find the slow spell.
    let readings = 0;
    const probe: SpeedProbe = () => (++readings > 2 * PROBE_KINDS.length ? 0.002 : 0.001);
    const { calibration } = calibrateLatencyTable(table, models, probe, {
      rounds: 1,
      timeModel: (m) => (m === models[1] ? 2 : 1) * 1.05 * predictArchLatency(table, m.arch),
    });
    expect(calibration.models.map((m) => m.ratio)).toEqual([expect.closeTo(1.05, 12), expect.closeTo(1.05, 12)]);
  });

  it("keeps each model's median over the rounds", () => {
    const perRound = [1.0, 1.5, 1.1];
    let call = 0;
    const { calibration } = calibrateLatencyTable(table, [models[0]!], steady, {
      rounds: 3,
      timeModel: (m) => perRound[call++]! * predictArchLatency(table, m.arch),
    });
    expect(calibration.factor).toBeCloseTo(1.1, 12);
  });

  it('refuses no models and a bad round count', () => {
    expect(() => calibrateLatencyTable(table, [], steady)).toThrow(UsageError);
    expect(() => calibrateLatencyTable(table, models, steady, { rounds: 0 })).toThrow(/rounds must be an integer/);
  });
});
