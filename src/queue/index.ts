/**
 * Candidate evaluation beyond one machine (DESIGN §9): BullMQ over Redis. A search sends its
 * candidates as jobs (queue-evaluation.ts, a runner of the search's evaluation contract), and
 * `groupnas worker` processes on any host take them (queue-worker.ts) and train them with the same
 * worker code as the local pool. Jobs are data, checked by schema (evaluation-job.ts).
 */
export { startQueueEvaluation, QueueEvaluation, QUEUE_JOBS_IN_FLIGHT, type QueueEvaluationOptions, type QueueTraffic } from './queue-evaluation.js';
export { startQueueWorker, QueueWorker, type QueueWorkerOptions, type QueueWorkerStats } from './queue-worker.js';
export {
  checkJob,
  checkJobResult,
  InvalidJob,
  jsonBytes,
  JOB_FORMAT,
  JOB_VERSION,
  MAX_JOB_BYTES,
  MAX_RESULT_BYTES,
  type EvaluationJob,
  type EvaluationJobResult,
  type TeacherReference,
} from './evaluation-job.js';
export { parseRedisUrl, describeRedis, type RedisAddress } from './redis-url.js';
export { checkRedisReachable } from './redis-connection.js';
export { runQueueId, runQueueName, QUEUE_FILE, RUNS_KEY } from './run-queues.js';
export { startLocalRedis, redisServerInstalled, type LocalRedis } from './local-redis.js';
