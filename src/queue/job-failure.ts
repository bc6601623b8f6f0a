/**
 * How a job's failure travels: a worker fails a job with `<kind>: <message>` (the kinds of
 * evaluation.json's AttemptFailure), and the search's host reads the kind back, so a queue attempt
 * is recorded exactly as a pool attempt would be. BullMQ's own failure of a job whose workers kept
 * dying (its stalled-job limit) counts as a worker exit.
 */
import { AttemptFailed, type AttemptFailure } from '../search/evaluate/index.js';

const KINDS: readonly AttemptFailure['kind'][] = ['error', 'worker-exit', 'timeout'];

/** The failed reason a worker gives BullMQ. */
export function failureReason(kind: AttemptFailure['kind'], message: string): string {
  return `${kind}: ${message}`;
}

/** A failed job's reason as the attempt's failure. */
export function attemptFailureOf(reason: string | undefined): AttemptFailed {
  const text = (reason ?? '').split('\n')[0] || 'the job failed without a reason';
  if (/stalled more than allowable limit/i.test(text)) {
    return new AttemptFailed('worker-exit', `its workers stopped answering while holding it (${text})`);
  }
  const kind = KINDS.find((k) => text.startsWith(`${k}: `));
  return kind !== undefined ? new AttemptFailed(kind, text.slice(kind.length + 2)) : new AttemptFailed('error', text);
}
