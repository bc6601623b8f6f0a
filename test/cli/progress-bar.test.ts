import { describe, expect, it } from 'vitest';
import { progressBars } from '../../src/cli/progress-bar.js';

/** A stderr stand-in that is not a terminal: the reporter writes one line per task. */
function pipeStream() {
  const lines: string[] = [];
  const stream = { isTTY: false, write: (text: string) => lines.push(text) } as unknown as NodeJS.WriteStream;
  return { stream, lines };
}

describe('progressBars without a terminal', () => {
  it('prints one "done" line with the last fields when a task reaches its total', () => {
    const { stream, lines } = pipeStream();
    const task = progressBars(stream).start('train', 4);
    for (let done = 1; done <= 4; done++) task.update(done, { loss: 0.5, epoch: '1/1' });
    task.stop();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^train: done in \d+\.\ds {2}loss 0\.5000 {2}epoch 1\/1\n$/);
  });

  it('says where a task stopped when it is stopped short of its total', () => {
    const { stream, lines } = pipeStream();
    const task = progressBars(stream).start('epoch 3/40', 157);
    task.update(25, { loss: 1.25 });
    task.update(50);
    task.stop();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^epoch 3\/40: stopped at 50\/157 after \d+\.\ds {2}loss 1\.250\n$/);
  });
});
