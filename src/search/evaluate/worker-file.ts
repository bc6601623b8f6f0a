import { builtWorkerFile } from '../../util/worker-file.js';

/** The evaluation pool's worker entry: the built dist/search/evaluate/evaluate-worker.js (util/worker-file.ts says why built). */
export function evaluationWorkerFile(): string {
  return builtWorkerFile('search/evaluate/evaluate-worker.js', 'the evaluation worker');
}
