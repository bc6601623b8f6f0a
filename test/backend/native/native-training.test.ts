// The native kernels' thread count can change while they are in use (a search lowers it while a worker
// trains beside it); nonsense counts are refused, and without the kernels nothing changes.
import { afterAll, describe, expect, it } from 'vitest';
import { activeNativeTraining, closeNativeTraining, openNativeTraining, setNativeTrainingThreads } from '../../../src/backend/native/native-training.js';
import { nativeTrainingUnavailable } from './native-status.js';

const reason = nativeTrainingUnavailable();

describe('setNativeTrainingThreads', () => {
  afterAll(() => {
    if (reason === undefined) openNativeTraining(1);
  });

  it.skipIf(reason !== undefined)('changes the threads of the active kernels and returns the count before', () => {
    openNativeTraining(2);
    expect(setNativeTrainingThreads(1)).toBe(2);
    expect(activeNativeTraining()?.threads).toBe(1);
    expect(setNativeTrainingThreads(3)).toBe(1);
    expect(activeNativeTraining()?.threads).toBe(3);
  });

  it('refuses counts that are not 1..the maximum, naming what it expected', () => {
    for (const bad of [0, 1.5, -1, 10_000]) expect(() => setNativeTrainingThreads(bad)).toThrow(/native training threads: expected an integer 1\.\./);
  });

  it.skipIf(reason !== undefined)('does nothing without active native kernels', () => {
    closeNativeTraining();
    expect(setNativeTrainingThreads(2)).toBeUndefined();
    expect(activeNativeTraining()).toBeUndefined();
  });
});
