/**
 * `groupnas validate RUN_DIR`: every file of a run directory read by the reader a resumed run
 * reads it with, and what `--resume` would do with each file that is not sound — without running
 * anything. The kind of directory is told by its files:
 *
 *   search run      config.json (search-directory.ts); its teacher/ and every evaluation/ and
 *                   presets/ candidate's training run are checked with it
 *   training run    run.json (train/run-directory.ts): as `groupnas train --resume` resumes it,
 *                   or, inside a search, as the search resumes its teacher/ or candidates/<i>/
 *
 * (A reproduction's directory: reproduce/validate-reproduce-directory.ts.)
 *
 * The verdicts come from the run directories' own readers, and the resume's decisions from where
 * the resume takes them: search.json from readSearchLogToResume (search-directory.ts),
 * evaluation.json from readEvaluationToResume (evaluate/evaluation-file.ts), which candidates a
 * resume evaluates again from the same record. A resume re-trains a candidate whose run holds a
 * damaged file (evaluate/candidate-task.ts) and refuses a damaged config.json or teacher.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { readGnb } from '../kernels/gnb-format.js';
import { loadArch } from '../space/arch-file.js';
import type { SearchConfig } from '../space/config.js';
import { ValidationError } from '../space/schema-validation.js';
import { readCheckpointFile } from '../train/checkpoint.js';
import { runFile } from '../train/run-directory.js';
import { TRAIN_RESUME, validateTrainingRun, type ResumeAction } from '../train/validate-training-run.js';
import { GroupnasError, UsageError } from '../util/errors.js';
import { checkFile, readerRefusal, runDirectoryReport, type FileCheck, type RunDirectoryReport, type RunKind } from '../util/file-check.js';
import { candidateAgain, EVALUATION_FILE, EVERY_CANDIDATE_AGAIN, MODEL_FILE, readEvaluationToResume } from './evaluate/evaluation-file.js';
import {
  candidatesProblems,
  readCandidatesFile,
  readSearchConfig,
  readSearchLog,
  readSearchLogToResume,
  SEARCH_FILES,
  searchFile,
  searchLogBehind,
  SUPERNET_TRAINED_AGAIN,
  type SearchLog,
} from './search-directory.js';

/** A search's teacher: the students of the supernet and of every candidate distil from it. */
const TEACHER_RESUME: ResumeAction = (file) => {
  if (file === 'record' || file === 'checkpoint') return 'refuses with this error: the search loads its teacher from here';
  if (file === 'history') return 'not read';
  return `not needed: report.md shows the teacher's training time as unknown`;
};

/**
 * A candidate's (or preset's) run inside an evaluation directory: a candidate done in
 * evaluation.json is not read again; any other is evaluated again, and a damaged file in its run
 * makes trainCandidate train it again from scratch.
 */
function candidateResume(label: string, index: number, done: boolean): ResumeAction {
  return (file) => {
    if (done) return `not read (${label} ${index} is done in ${EVALUATION_FILE})`;
    return file === 'record' || file === 'checkpoint' ? `training ${label} ${index} again from scratch` : `rewritten when ${label} ${index}'s training ends`;
  };
}

const ok = (file: string): FileCheck => ({ file, state: 'ok' });

/** Validate the run directory `dir` (see the file comment); not a run directory is a UsageError. */
export function validateRunDirectory(dir: string): RunDirectoryReport {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`${dir}: not a directory`);
  const report = (kind: RunKind, files: FileCheck[], searchDir?: string): RunDirectoryReport =>
    runDirectoryReport(dir, kind, searchDir !== undefined ? `groupnas search --resume ${searchDir}` : `groupnas train --resume ${dir}`, files);
  if (existsSync(searchFile(dir, 'config'))) return report('search', validateSearchRun(dir), dir);
  if (!existsSync(runFile(dir, 'record'))) {
    throw new UsageError(`${dir}: not a run directory (no ${SEARCH_FILES.config} of a search run, no ${basename(runFile(dir, 'record'))} of a training run)`);
  }
  const parent = dirname(dir);
  if (basename(dir) === SEARCH_FILES.teacher && existsSync(searchFile(parent, 'config')))
    return report('teacher', validateTrainingRun(dir, TEACHER_RESUME), parent);
  const evaluationDir = dirname(parent);
  if (/^\d+$/.test(basename(dir)) && basename(parent) === 'candidates' && existsSync(join(evaluationDir, EVALUATION_FILE))) {
    const index = Number(basename(dir));
    const label = basename(evaluationDir) === SEARCH_FILES.presets ? 'preset' : 'candidate';
    const files = validateCandidateRun(evaluationDir, index, label, doneCandidates(join(evaluationDir, EVALUATION_FILE)), '.');
    return report('candidate', files, dirname(evaluationDir));
  }
  return report('training', validateTrainingRun(dir, TRAIN_RESUME));
}

/** The candidates a resumed evaluation skips as done (readEvaluationToResume's record; none when it refuses the file). */
function doneCandidates(file: string): Set<number> {
  try {
    const { record } = readEvaluationToResume(file);
    return new Set(record?.candidates.flatMap((c) => (c?.status === 'done' ? [c.index] : [])) ?? []);
  } catch (err) {
    if (err instanceof GroupnasError) return new Set();
    throw err;
  }
}

function validateSearchRun(dir: string): FileCheck[] {
  let config: SearchConfig | undefined;
  const files: FileCheck[] = [
    checkFile(
      dir,
      SEARCH_FILES.config,
      () => (config = readSearchConfig(dir)),
      true,
      `refuses with this error: ${SEARCH_FILES.config} is the run's source, never rebuilt`,
    ),
    checkFile(dir, SEARCH_FILES.configHash, () => {}, true, `continues without it: an edit of ${SEARCH_FILES.config} goes unnoticed`),
  ];
  if (existsSync(runFile(searchFile(dir, 'teacher'), 'record')))
    files.push(...validateTrainingRun(searchFile(dir, 'teacher'), TEACHER_RESUME, SEARCH_FILES.teacher));
  const derived = existsSync(searchFile(dir, 'candidates')) || existsSync(join(searchFile(dir, 'evaluation'), EVALUATION_FILE));
  if (config !== undefined && config.search.strategy !== 'supernet') files.push(...validateSamples(dir));
  else files.push(...validateSupernet(dir), checkCandidates(dir, derived, 'deriving the candidates again from the checkpoint’s α and rewriting it'));
  files.push(
    checkFile(dir, SEARCH_FILES.derivedArch, loadArch, derived, 'rewriting it with the candidates'),
    checkFile(dir, SEARCH_FILES.arch, loadArch, derived, 'rewriting it with the chosen candidate once the candidates are evaluated'),
    checkFile(dir, SEARCH_FILES.model, readGnb, false, "rewriting it with the chosen candidate's model once the candidates are evaluated"),
    ...validateEvaluation(searchFile(dir, 'evaluation'), SEARCH_FILES.evaluation, 'candidate'),
    ...validateEvaluation(searchFile(dir, 'presets'), SEARCH_FILES.presets, 'preset'),
  );
  return files;
}

/** candidates.json: each candidate's arch checked as an arch.json too (candidatesProblems). */
function checkCandidates(dir: string, expected: boolean, resume: string): FileCheck {
  const read = (path: string) => {
    const problems = candidatesProblems(readCandidatesFile(dir) as unknown as Record<string, unknown>);
    if (problems.length > 0) throw new ValidationError(path, problems);
  };
  return checkFile(dir, SEARCH_FILES.candidates, read, expected, resume);
}

/**
 * A random or evolution search's samples, as sampledSearch reads them back: it reads both search.json
 * and candidates.json (written last, once the samples are complete), refuses either when damaged, and
 * finds the samples again — the same, from the seed (and, for evolution, the trainings evaluation/
 * keeps) — when either is not there.
 */
function validateSamples(dir: string): FileCheck[] {
  const drawnAgain = 'finding the samples again (the same, from the seed and the trainings kept) and rewriting it';
  const refused = 'refuses with this error: the search continues from its samples';
  const resume = (other: 'log' | 'candidates') => (existsSync(searchFile(dir, other)) ? refused : drawnAgain);
  const log = checkFile(dir, SEARCH_FILES.log, () => readSearchLog(dir), existsSync(searchFile(dir, 'candidates')), resume('candidates'));
  return [log.state === 'missing' ? { ...log, resume: drawnAgain } : log, checkCandidates(dir, false, resume('log'))];
}

/** The supernet's checkpoint and search.json, as resumeSearch reads them: search.json only beside a checkpoint, the checkpoint only beside a usable search.json. */
function validateSupernet(dir: string): FileCheck[] {
  const checkpointFile = SEARCH_FILES.checkpoint;
  const logFile = SEARCH_FILES.log;
  if (!existsSync(searchFile(dir, 'checkpoint'))) {
    // No checkpoint: the supernet starts from its first epoch and search.json is written anew, whatever it holds.
    let epochs = 0;
    const log = checkFile(dir, logFile, () => (epochs = readSearchLog(dir)?.epochs.length ?? 0), false, 'rewritten from the first epoch on');
    return [epochs > 0 ? { file: checkpointFile, state: 'missing', resume: SUPERNET_TRAINED_AGAIN } : { file: checkpointFile, state: 'absent' }, log];
  }
  let epoch = 0;
  const checkpointProblem = readerRefusal(
    () => (epoch = readCheckpointFile<{ position: { epoch: number } }>(searchFile(dir, 'checkpoint')).meta.position.epoch),
  );
  let history: SearchLog | string;
  try {
    history = readSearchLogToResume(dir);
  } catch (err) {
    if (!(err instanceof GroupnasError)) throw err;
    // Another version's search.json: refused before the checkpoint is read.
    const refused = { file: logFile, state: 'damaged', problem: err.message.split('\n')[0]!, resume: 'refuses with this error' } as const;
    const checkpoint: FileCheck =
      checkpointProblem === undefined
        ? ok(checkpointFile)
        : { file: checkpointFile, state: 'damaged', problem: checkpointProblem, resume: `not read (${logFile} is refused first)` };
    return [checkpoint, refused];
  }
  if (typeof history === 'string') {
    // Not read when search.json cannot be continued from: the supernet is trained again anyway.
    const checkpoint: FileCheck =
      checkpointProblem === undefined
        ? ok(checkpointFile)
        : { file: checkpointFile, state: 'damaged', problem: checkpointProblem, resume: `not read (${logFile} ${history}); ${SUPERNET_TRAINED_AGAIN}` };
    const missing = history === 'is missing';
    return [
      checkpoint,
      { file: logFile, state: missing ? 'missing' : 'damaged', problem: `${searchFile(dir, 'log')} ${history}`, resume: SUPERNET_TRAINED_AGAIN },
    ];
  }
  if (checkpointProblem !== undefined) {
    return [
      {
        file: checkpointFile,
        state: 'damaged',
        problem: checkpointProblem,
        resume: `refuses with this error; delete the file to train the supernet again from its first epoch`,
      },
      ok(logFile),
    ];
  }
  const behind = searchLogBehind(history, epoch);
  return [
    ok(checkpointFile),
    behind === undefined ? ok(logFile) : { file: logFile, state: 'damaged', problem: `${searchFile(dir, 'log')} ${behind}`, resume: SUPERNET_TRAINED_AGAIN },
  ];
}

/** An evaluation directory (`evaluation/`, `presets/`): its evaluation.json as readEvaluationToResume reads it, then every candidate's run. */
function validateEvaluation(evaluationDir: string, prefix: string, label: string): FileCheck[] {
  if (!existsSync(evaluationDir)) return [];
  const file = join(prefix, EVALUATION_FILE);
  const path = join(evaluationDir, EVALUATION_FILE);
  let check: FileCheck = { file, state: 'absent' };
  if (existsSync(path)) {
    try {
      const { damage } = readEvaluationToResume(path);
      if (damage.file !== undefined) check = { file, state: 'damaged', problem: `${path}: ${damage.file}`, resume: EVERY_CANDIDATE_AGAIN };
      else if (damage.candidates.size > 0) {
        const damaged = [...damage.candidates.keys()];
        check = {
          file,
          state: 'damaged',
          problem: `${path}: ${damaged.map((i) => damage.candidates.get(i)).join('; ')}`,
          resume: damaged.map(candidateAgain).join('; '),
        };
      } else check = ok(file);
    } catch (err) {
      if (!(err instanceof GroupnasError)) throw err;
      check = { file, state: 'damaged', problem: err.message.split('\n')[0]!, resume: 'refuses with this error' };
    }
  }
  const done = doneCandidates(path);
  const runs = join(evaluationDir, 'candidates');
  const indices = existsSync(runs)
    ? readdirSync(runs)
        .filter((name) => /^\d+$/.test(name))
        .map(Number)
        .sort((a, b) => a - b)
    : [];
  return [check, ...indices.flatMap((i) => validateCandidateRun(evaluationDir, i, label, done, join(prefix, 'candidates', String(i))))];
}

/** Candidate `index`'s training run and its packed model (at `where` in the directory validated), as a resumed evaluation treats them. */
function validateCandidateRun(evaluationDir: string, index: number, label: string, done: Set<number>, where: string): FileCheck[] {
  const runDir = join(evaluationDir, 'candidates', String(index));
  const isDone = done.has(index);
  const model = checkFile(
    runDir,
    MODEL_FILE,
    readGnb,
    isDone,
    isDone
      ? `not checked (${label} ${index} is done in ${EVALUATION_FILE}): read to time it if untimed, copied to ${SEARCH_FILES.model} if chosen`
      : `rewritten when ${label} ${index}'s training ends`,
  );
  return [...validateTrainingRun(runDir, candidateResume(label, index, isDone), where), { ...model, file: join(where, model.file) }];
}
