/**
 * Progress of long work, decoupled from how it is shown: the library reports,
 * the CLI draws a bar on stderr (src/cli/progress-bar.ts), tests and `--json` stay silent.
 */
export interface ProgressTask {
  /** `done` units of `total` finished; `fields` are short labelled values shown beside the bar (loss, acc, …). */
  update(done: number, fields?: Record<string, string | number>): void;
  stop(): void;
}

export interface ProgressReporter {
  start(label: string, total: number): ProgressTask;
}

const silentTask: ProgressTask = { update() {}, stop() {} };

/** Reports nothing. The default wherever a reporter is optional. */
export const silentProgress: ProgressReporter = { start: () => silentTask };
