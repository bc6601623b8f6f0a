import { describe, expect, it } from 'vitest';
import { WorkerSlots } from '../../../src/search/evaluate/worker-slots.js';

const settled = async <T>(p: Promise<T>) => {
  let state = 'pending';
  p.then(
    () => (state = 'resolved'),
    () => (state = 'rejected'),
  );
  await new Promise((r) => setImmediate(r));
  return state;
};

describe('WorkerSlots', () => {
  it('grants as many slots as workers, then first come, first served as they are released', async () => {
    const slots = new WorkerSlots(2);
    const a = await slots.acquire();
    const b = await slots.acquire();
    const c = slots.acquire();
    const d = slots.acquire();
    expect(await settled(c)).toBe('pending');
    a();
    a(); // a second release of the same slot frees nothing more
    expect(await settled(c)).toBe('resolved');
    expect(await settled(d)).toBe('pending');
    b();
    expect(await settled(d)).toBe('resolved');
  });

  it('a wait aborted by its signal rejects and gives its turn to the next', async () => {
    const slots = new WorkerSlots(1);
    const held = await slots.acquire();
    const abort = new AbortController();
    const aborted = slots.acquire(abort.signal);
    const next = slots.acquire();
    abort.abort(new Error('stop'));
    await expect(aborted).rejects.toThrow('stop');
    held();
    expect(await settled(next)).toBe('resolved');
    await expect(slots.acquire(abort.signal)).rejects.toThrow('stop');
  });
});
