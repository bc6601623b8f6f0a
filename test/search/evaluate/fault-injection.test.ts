import { describe, expect, it } from 'vitest';
import { attemptTimeoutMs, type InjectedFault } from '../../../src/search/evaluate/fault-injection.js';

describe('attemptTimeoutMs', () => {
  const hang: InjectedFault = { kind: 'hang', attempts: 1, afterUpdates: 3, taskTimeoutMs: 3000 };

  it("uses a fault's own timeout only on the attempts the fault hits", () => {
    expect(attemptTimeoutMs(600_000, hang, 1)).toBe(3000);
    expect(attemptTimeoutMs(600_000, hang, 2)).toBe(600_000);
    expect(attemptTimeoutMs(undefined, hang, 2)).toBeUndefined();
  });

  it("keeps the pool's timeout for faults without one and for healthy tasks", () => {
    expect(attemptTimeoutMs(600_000, { kind: 'throw', attempts: 2, afterUpdates: 1 }, 1)).toBe(600_000);
    expect(attemptTimeoutMs(600_000, undefined, 1)).toBe(600_000);
    expect(attemptTimeoutMs(undefined, undefined, 1)).toBeUndefined();
  });
});
