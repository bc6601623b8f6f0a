/**
 * `groupnas validate` on a training run directory (run-directory.ts): every file read by the reader
 * a resumed run reads it with, and what the resume does with a file that is not sound.
 *
 *   run.json         readRunRecord        checkpoint.gnck  readCheckpointFile (checksum, every tensor)
 *   history.json     readRunHistory       result.json      readRunResult
 *
 * What a resume does depends on who resumes the run: `groupnas train --resume` (TRAIN_RESUME,
 * below), or a search for its teacher and its candidates (search/validate-run-directory.ts), which
 * pass their own ResumeAction.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readerRefusal, type FileCheck, type FileState } from '../util/file-check.js';
import { readCheckpointFile } from './checkpoint.js';
import { readRunHistory, readRunRecord, readRunResult, runFile, RUN_FILES } from './run-directory.js';

export type TrainingRunFile = keyof typeof RUN_FILES;

/** What resuming the run does with `file` in `state` (not ok, not absent); `finished`: result.json exists. */
export type ResumeAction = (file: TrainingRunFile, state: 'missing' | 'damaged', finished: boolean) => string;

/** `groupnas train --resume`: run.json and the checkpoint are what it continues from; the history and result it rewrites. */
export const TRAIN_RESUME: ResumeAction = (file, state, finished) => {
  switch (file) {
    case 'record':
      return `refuses: ${RUN_FILES.record} is the run's source (what is trained, how, on what); restore it, or train anew`;
    case 'checkpoint':
      return state === 'missing'
        ? 'training the run again from its first epoch'
        : 'refuses with this error; delete the file to train the run again from its first epoch';
    case 'history':
      return finished
        ? `not read (${RUN_FILES.result} and the checkpoint hold the epochs); left as it is`
        : 'not read (the checkpoint holds the epochs); rewritten at the next epoch end';
    case 'result':
      return 'testing the last checkpoint again and rewriting it';
  }
};

const READERS: Record<TrainingRunFile, (dir: string) => unknown> = {
  record: readRunRecord,
  checkpoint: (dir) => readCheckpointFile(runFile(dir, 'checkpoint')),
  history: readRunHistory,
  result: readRunResult,
};

/**
 * Every file of the training run in `dir`, in RUN_FILES' order, its path prefixed with `prefix`
 * (where the run lies inside the directory validated). A file not yet written is absent; the
 * checkpoint of a finished run and the history of a run with a checkpoint are missing when gone
 * (a checkpoint written within the first epoch comes before any history: absent then).
 */
export function validateTrainingRun(dir: string, resume: ResumeAction = TRAIN_RESUME, prefix = ''): FileCheck[] {
  const finished = existsSync(runFile(dir, 'result'));
  const expected: Record<TrainingRunFile, boolean> = { record: true, checkpoint: finished, history: finished, result: false };
  return (Object.keys(RUN_FILES) as TrainingRunFile[]).map((role) => {
    const file = join(prefix, RUN_FILES[role]);
    let state: FileState;
    let problem: string | undefined;
    if (!existsSync(runFile(dir, role))) state = expected[role] ? 'missing' : 'absent';
    else {
      problem = readerRefusal(() => READERS[role](dir));
      state = problem === undefined ? 'ok' : 'damaged';
    }
    if (state === 'ok' || state === 'absent') return { file, state };
    return { file, state, ...(problem !== undefined ? { problem } : {}), resume: resume(role, state, finished) };
  });
}
