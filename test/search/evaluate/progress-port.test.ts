// A worker's progress replayed on the main thread: messages still queued when the relay stops (the
// worker's final update and stop, racing its result on another channel) are replayed, not lost.
import { MessageChannel } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { portProgress, relayProgress } from '../../../src/search/evaluate/progress-port.js';
import type { ProgressReporter } from '../../../src/util/progress.js';

function recording(events: string[]): ProgressReporter {
  return {
    start(label, total) {
      events.push(`start ${label} ${total}`);
      return {
        update: (done, fields) => void events.push(`update ${done} ${JSON.stringify(fields ?? {})}`),
        stop: () => void events.push('stop'),
      };
    },
  };
}

describe('relayProgress', () => {
  it('replays what is still queued when it stops, so the task ends on the worker’s last fields', () => {
    const { port1, port2 } = new MessageChannel();
    const events: string[] = [];
    const stop = relayProgress(port2, recording(events), 'candidate 1');
    const task = portProgress(port1).start('train', 4);
    task.update(4, { 'test acc': '89.87%' });
    task.update(4, { 'test acc': '91.11%' });
    task.stop();
    // stopped in the same turn: nothing has been delivered by the event loop yet
    stop();
    expect(events).toEqual(['start candidate 1 train 4', 'update 4 {"test acc":"89.87%"}', 'update 4 {"test acc":"91.11%"}', 'stop']);
    port1.close();
  });

  it('replays messages as they arrive while it listens', async () => {
    const { port1, port2 } = new MessageChannel();
    const events: string[] = [];
    const stop = relayProgress(port2, recording(events), 'preset 2');
    portProgress(port1).start('train', 2).update(1);
    // Delivered by the event loop, whenever it turns (a sleep of fixed length could end first on a busy machine).
    for (const end = Date.now() + 10_000; events.length < 2 && Date.now() < end;) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(events).toEqual(['start preset 2 train 2', 'update 1 {}']);
    stop();
    expect(events.at(-1)).toBe('stop');
    port1.close();
  });
});
