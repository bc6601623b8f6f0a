/**
 * An evaluation job as it travels through Redis: what the search's host sends (one candidate's
 * arch.json, its training options, the data set's checksum, the teacher's fingerprint) and what a
 * worker hands back (the candidate's metrics and its run's files, the packed model among them).
 *
 * A job is data, never code: a worker checks every payload against JSON Schemas before it acts —
 * its size first, then its shape, then the architecture with arch.json's own rules — and fails a
 * bad one with the reason, never with a crash. The search's host checks results the same way: a
 * worker is another program on another host.
 */
import { Ajv, type ErrorObject } from 'ajv';
import { taskArchProblems, type TrainedCandidate } from '../search/evaluate/index.js';
import { TRAINING_OPTIONS_SCHEMA, type TrainingOptions } from '../train/training-options.js';
import type { Arch } from '../search/evaluate/index.js';

export const JOB_FORMAT = 'groupnas.evaluation-job';
export const JOB_VERSION = 1;
export const RESULT_FORMAT = 'groupnas.evaluation-result';

/** A job's JSON past this is refused: an architecture and its options are a few KiB. */
export const MAX_JOB_BYTES = 256 * 1024;
/** A result past this is refused: the run's files are the model and its checkpoint (MiBs for ImageNet-sized nets). */
export const MAX_RESULT_BYTES = 256 * 1024 * 1024;

/** The teacher's training run, stored once in Redis beside the queue (teacher-transfer.ts). */
export interface TeacherReference {
  /** sha256 of the teacher's files (teacher-transfer.ts `teacherDigest`): its key and its check. */
  sha256: string;
  bytes: number;
}

export interface EvaluationJob {
  format: typeof JOB_FORMAT;
  version: typeof JOB_VERSION;
  /** The groupnas version of the search's host: a worker of another version refuses the job. */
  groupnas: string;
  /** The candidate's place in its evaluation, and which attempt this is. */
  index: number;
  attempt: number;
  arch: Arch;
  /** Its training options as the search's host has them (the teacher's path is the search host's). */
  training: TrainingOptions;
  /** The data set `training.data` names on the search's host: a worker trains only on the same bytes. */
  dataset: { name: string; checksum: string };
  teacher?: TeacherReference;
  /** The candidate's run directory on the search's host: the packed model names it as its source. */
  runDir: string;
  /** The attempt fails as a timeout once it has trained this long on a worker. */
  timeoutMs?: number;
}

/** What a worker returns: the metrics, and the run's files (base64) to lay out on the search's host. */
export interface EvaluationJobResult {
  format: typeof RESULT_FORMAT;
  version: typeof JOB_VERSION;
  trained: Omit<TrainedCandidate, 'modelFile'>;
  /** File name in the run directory → its bytes, base64. */
  files: Record<string, string>;
  /** The worker that trained it (`host/pid`), for the log. */
  worker: string;
}

const finite = { type: 'number' } as const;
const count = { type: 'integer', minimum: 0 } as const;
const name = { type: 'string', minLength: 1, maxLength: 4096 } as const;
const sha256 = { type: 'string', pattern: '^[0-9a-f]{64}$' } as const;
const base64 = { type: 'string', pattern: '^[A-Za-z0-9+/]*={0,2}$' } as const;

const shared = TRAINING_OPTIONS_SCHEMA.properties;

/**
 * A job's training options: the run files' schema (TRAINING_OPTIONS_SCHEMA), closed to other fields and
 * bounded where a job from the network could ask a worker for absurd work.
 */
const trainingSchema = {
  ...TRAINING_OPTIONS_SCHEMA,
  additionalProperties: false,
  properties: {
    ...shared,
    data: name,
    epochs: { ...shared.epochs, maximum: 10000 },
    batchSize: { ...shared.batchSize, maximum: 65536 },
    learningRate: { ...shared.learningRate, maximum: 10 },
    weightDecay: { ...shared.weightDecay, maximum: 1 },
    seed: { ...shared.seed, minimum: 0, maximum: 4294967295 },
    realWeightEpochs: { type: 'integer', minimum: 0, maximum: 10000 },
    distillation: {
      ...shared.distillation,
      additionalProperties: false,
      properties: {
        teacher: name,
        kd: { ...shared.distillation.properties.kd, maximum: 1000 },
        at: { ...shared.distillation.properties.at, maximum: 1000 },
        temperature: { ...shared.distillation.properties.temperature, maximum: 1000 },
        labelWeight: { ...shared.distillation.properties.labelWeight, maximum: 1000 },
      },
    },
  } satisfies Record<keyof Required<TrainingOptions>, object>,
} as const;

const jobSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['format', 'version', 'groupnas', 'index', 'attempt', 'arch', 'training', 'dataset', 'runDir'],
  properties: {
    format: { const: JOB_FORMAT },
    version: { const: JOB_VERSION },
    groupnas: { type: 'string', minLength: 1, maxLength: 64 },
    index: { type: 'integer', minimum: 0, maximum: 1_000_000 },
    attempt: { type: 'integer', minimum: 1, maximum: 1000 },
    // checked by arch.json's own schema and rules after this one
    arch: { type: 'object' },
    training: trainingSchema,
    dataset: { type: 'object', additionalProperties: false, required: ['name', 'checksum'], properties: { name, checksum: sha256 } },
    teacher: { type: 'object', additionalProperties: false, required: ['sha256', 'bytes'], properties: { sha256, bytes: count } },
    runDir: name,
    timeoutMs: { type: 'integer', minimum: 1 },
  },
} as const;

const epochSchema = {
  type: 'object',
  required: ['epoch', 'trainLoss', 'testAccuracy', 'testLoss', 'learningRate', 'seconds'],
  properties: { epoch: count, trainLoss: finite, testAccuracy: finite, testLoss: finite, learningRate: finite, seconds: finite },
} as const;

const resultSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['format', 'version', 'trained', 'files', 'worker'],
  properties: {
    format: { const: RESULT_FORMAT },
    version: { const: JOB_VERSION },
    worker: { type: 'string', maxLength: 512 },
    trained: {
      type: 'object',
      additionalProperties: false,
      required: ['index', 'testAccuracy', 'testLoss', 'testImages', 'history', 'costs', 'modelBytes', 'resumed', 'trainSeconds'],
      properties: {
        index: count,
        testAccuracy: { type: 'number', minimum: 0, maximum: 1 },
        testLoss: finite,
        testImages: count,
        history: { type: 'array', items: epochSchema },
        costs: {
          type: 'object',
          additionalProperties: false,
          required: ['params', 'binaryParams', 'floatParams', 'memoryBytes', 'binaryMacs', 'bops', 'floatMacs'],
          properties: { params: count, binaryParams: count, floatParams: count, memoryBytes: count, binaryMacs: count, bops: count, floatMacs: count },
        },
        modelBytes: count,
        resumed: { type: 'boolean' },
        trainSeconds: { type: 'number', minimum: 0 },
      },
    },
    files: {
      type: 'object',
      // plain file names only: the search's host writes them into the candidate's run directory
      propertyNames: { pattern: '^[a-z][a-z0-9.-]{0,63}$' },
      properties: { 'model.gnb': base64 },
      additionalProperties: base64,
      required: ['model.gnb'],
    },
  },
} as const;

const ajv = new Ajv({ allErrors: false, strict: true, allowUnionTypes: true });
const validateJobShape = ajv.compile(jobSchema);
const validateResultShape = ajv.compile(resultSchema);

function describe(errors: readonly ErrorObject[] | null | undefined): string {
  const e = errors?.[0];
  if (e === undefined) return 'invalid';
  const at = e.instancePath === '' ? '(root)' : e.instancePath.slice(1).replaceAll('/', '.');
  const detail = e.keyword === 'additionalProperties' ? `unknown field ${JSON.stringify(e.params.additionalProperty)}` : (e.message ?? 'invalid');
  return `${at}: ${detail}`;
}

/** Size of a value as JSON, in bytes (what Redis holds for it). */
export function jsonBytes(value: unknown): number {
  try {
    return Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

/** A payload a worker refuses, with why. */
export class InvalidJob extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidJob';
  }
}

/** `data` as an EvaluationJob, or InvalidJob saying which field is wrong and how. */
export function checkJob(data: unknown): EvaluationJob {
  const bytes = jsonBytes(data);
  if (bytes > MAX_JOB_BYTES) throw new InvalidJob(`the job's payload is ${bytes} bytes; an evaluation job is at most ${MAX_JOB_BYTES}`);
  if (!validateJobShape(data)) throw new InvalidJob(`the job's payload: ${describe(validateJobShape.errors)}`);
  const job = data as unknown as EvaluationJob;
  // distillation needs its teacher's files, and only then are they sent
  if ((job.training.distillation === undefined) !== (job.teacher === undefined)) {
    throw new InvalidJob(
      `the job's payload: teacher: ${job.teacher === undefined ? 'missing for training.distillation' : 'given without training.distillation'}`,
    );
  }
  const problems = taskArchProblems(job.arch);
  if (problems.length > 0) throw new InvalidJob(`the job's payload: arch.${problems[0]}`);
  return job;
}

/** `value` as an EvaluationJobResult, or InvalidJob naming the field. */
export function checkJobResult(value: unknown): EvaluationJobResult {
  const bytes = jsonBytes(value);
  if (bytes > MAX_RESULT_BYTES) throw new InvalidJob(`the worker's result is ${bytes} bytes; at most ${MAX_RESULT_BYTES} are taken`);
  if (!validateResultShape(value)) throw new InvalidJob(`the worker's result: ${describe(validateResultShape.errors)}`);
  return value as unknown as EvaluationJobResult;
}
