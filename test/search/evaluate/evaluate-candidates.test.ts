import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { isBackendInstalled, selectBackend } from '../../../src/backend/select.js';
import { EvaluationInterrupted, evaluateCandidates, type EvaluateCandidatesOptions } from '../../../src/search/evaluate/evaluate-candidates.js';
import { trainCandidate, type TrainedCandidate } from '../../../src/search/evaluate/candidate-task.js';
import { EVALUATION_FILE, type CandidateRecord, type EvaluationRecord } from '../../../src/search/evaluate/evaluation-file.js';
import { startEvaluationPool } from '../../../src/search/evaluate/evaluation-pool.js';
import { PLAIN_TAPE_BUDGET_BYTES, setTapeBudget, SHARED_TAPE_BUDGET_BYTES } from '../../../src/nn/gradient-checkpoint.js';
import { buildPreset } from '../../../src/space/presets.js';
import type { TrainingOptions } from '../../../src/train/training-options.js';
import { loadRunModel } from '../../../src/train/run-model.js';
import type { ProgressReporter } from '../../../src/util/progress.js';
import { ensureBuilt } from '../../helpers/ensure-built.js';
import { tinyTraining } from '../../helpers/tiny-training.js';

// Tiny on purpose: 128 images, 4 steps, width 0.125 — each task takes about a second.
const training: TrainingOptions = tinyTraining({ limit: 128, seed: 5, checkpointEverySteps: 1 });
const archs = ['groupnet-k1', 'groupnet-k3', 'fp', 'gbd-v1-k5'].map((p) => buildPreset(p, { widthMultiplier: 0.125 }));
const fastLatency = { timing: { warmUpSeconds: 0.01, seconds: 0.05, minRepeats: 3 } };
const tmp = () => mkdtempSync(join(tmpdir(), 'gn-eval-'));

/**
 * Each architecture trained in this (the main) thread with the same options and a worker's tape budget, by
 * name: what every worker result must equal. The budget decides whether blocks are checkpointed, which
 * changes gradients in their last bits (gbd-v1-k5's tape passes a worker's budget on the wasm kernels).
 */
const reference = new Map<string, { result: TrainedCandidate; runDir: string }>();

beforeAll(async () => {
  ensureBuilt(); // the pool's workers run dist/ (see worker-file.ts)
  await selectBackend('wasm');
  const root = tmp();
  setTapeBudget(SHARED_TAPE_BUDGET_BYTES);
  try {
    archs.forEach((arch, index) => {
      const runDir = join(root, String(index));
      reference.set(arch.name!, { result: trainCandidate({ index, arch, training, runDir }), runDir });
    });
  } finally {
    setTapeBudget(PLAIN_TAPE_BUDGET_BYTES);
  }
});

function weights(runDir: string): Record<string, number[]> {
  const { model } = loadRunModel(runDir);
  const out = Object.fromEntries(Object.entries(model.stateDict()).map(([n, t]) => [n, Array.from(t.dataSync())]));
  model.dispose();
  return out;
}

/** A worker's result equals the main thread's: same accuracy, loss curve, costs and trained weights. */
function expectSameAsMainThread(dir: string, c: CandidateRecord): void {
  const ref = reference.get(c.arch.name!)!;
  expect(c.status).toBe('done');
  const r = c.result!;
  expect(r.testAccuracy).toBe(ref.result.testAccuracy);
  expect(r.testLoss).toBe(ref.result.testLoss);
  expect(r.testImages).toBe(64);
  const curve = (h: typeof r.history) => h.map(({ seconds: _, ...rest }) => rest);
  expect(curve(r.history)).toEqual(curve(ref.result.history));
  expect(r.costs).toEqual(ref.result.costs);
  expect(weights(join(dir, r.runDir))).toEqual(weights(ref.runDir));
  expect(existsSync(join(dir, r.modelFile))).toBe(true);
}

function tempFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.tmp'));
}

const onDisk = (dir: string) => JSON.parse(readFileSync(join(dir, EVALUATION_FILE), 'utf8')) as EvaluationRecord;

describe('evaluateCandidates', () => {
  it('two workers give exactly the main thread results, then latency is measured per packed model', async () => {
    const dir = tmp();
    const out = await evaluateCandidates(archs.slice(0, 2), { dir, training, workers: 2, latency: fastLatency });
    expect(out.workers).toBe(2);
    expect(out.evaluated.sort()).toEqual([0, 1]);
    for (const c of out.record.candidates) {
      expectSameAsMainThread(dir, c);
      expect(c.latency!.medianMs).toBeGreaterThan(0);
      expect(c.latency!.batch).toBe(1);
    }
    // more bases cost more binary work, and the measured latency says so too
    expect(out.record.candidates[1]!.result!.costs.bops).toBeGreaterThan(out.record.candidates[0]!.result!.costs.bops);
    expect(onDisk(dir)).toEqual(out.record);
  });

  it('a pool started and warmed up beforehand reports ready before any task, then serves two evaluations with the main thread results', async () => {
    // Warmed up on another architecture and other options than the tasks': nothing of it may leak into their results.
    const pool = startEvaluationPool({
      workers: 2,
      warmUp: { archs: [archs[3]!], training: { ...training, seed: 9, distillation: { teacher: tmp(), kd: 1, at: 0, temperature: 4, labelWeight: 1 } } },
    });
    try {
      // The workers prepare while this thread is blocked (as during the synchronous supernet phase), and it can tell.
      const sleep = new Int32Array(new SharedArrayBuffer(4));
      for (const until = Date.now() + 120_000; pool.preparedWorkers < 2 && Date.now() < until;) Atomics.wait(sleep, 0, 0, 20);
      expect(pool.preparedWorkers).toBe(2);
      const reports = await pool.whenReady();
      expect(reports).toHaveLength(2);
      expect(new Set(reports.map((r) => r.threadId)).size).toBe(2);
      for (const r of reports) {
        expect(r.backendError).toBeUndefined();
        expect(r.warmUpError).toBeUndefined();
        expect(r.seconds).toBeGreaterThan(0);
      }
      // One rehearsal at a time: the second starts after the first ends.
      const [a, b] = reports.map((r) => r.rehearsal!).sort((x, y) => x.startedAt - y.startedAt);
      expect(b!.startedAt).toBeGreaterThanOrEqual(a!.endedAt);
      const first = tmp();
      const lines: string[] = [];
      const one = await evaluateCandidates(archs.slice(0, 2), { dir: first, training, pool, latency: false, log: (l) => lines.push(l) });
      expect(lines).toContain('evaluation: 2 of 2 workers warmed up before the first candidate');
      expect(one.workers).toBe(2);
      one.record.candidates.forEach((c) => expectSameAsMainThread(first, c));
      const second = tmp();
      const two = await evaluateCandidates(archs.slice(2, 3), { dir: second, training, pool, latency: false });
      expect(two.workers).toBe(1); // no more lanes than candidates
      expectSameAsMainThread(second, two.record.candidates[0]!);
      await expect(evaluateCandidates(archs.slice(0, 1), { dir: tmp(), training, pool, workers: 2 })).rejects.toThrow(/workers: set by the pool given/);
    } finally {
      await pool.destroy();
    }
  });

  it.skipIf(isBackendInstalled('tensorflow-gpu'))(
    'a worker whose backend cannot be set up says so when ready, and its tasks fail with the reason',
    async () => {
      const pool = startEvaluationPool({ workers: 1, backend: 'tensorflow-gpu' });
      try {
        const [report] = await pool.whenReady();
        expect(report!.backendError).toMatch(/tensorflow-gpu/);
        const out = await evaluateCandidates(archs.slice(0, 1), { dir: tmp(), training, pool, retries: 0, latency: false });
        expect(out.failed).toEqual([0]);
        expect(out.record.candidates[0]!.reason).toMatch(/^evaluation worker: backend tensorflow-gpu: /);
      } finally {
        await pool.destroy();
      }
    },
  );

  it('distils from a teacher run inside the worker exactly as in the main thread', async () => {
    const teacher = reference.get(archs[2]!.name!)!.runDir; // the trained full-precision twin
    const distilled: TrainingOptions = { ...training, distillation: { teacher, kd: 1, at: 0.5, temperature: 4, labelWeight: 1 } };
    const main = trainCandidate({ index: 0, arch: archs[0]!, training: distilled, runDir: join(tmp(), '0') });
    const dir = tmp();
    const out = await evaluateCandidates(archs.slice(0, 1), { dir, training: distilled, workers: 1, latency: false });
    const r = out.record.candidates[0]!.result!;
    expect(r.testAccuracy).toBe(main.testAccuracy);
    expect(r.history.map((e) => e.trainLoss)).toEqual(main.history.map((e) => e.trainLoss));
    // the KD loss differs from the plain run's
    expect(r.history[0]!.trainLoss).not.toBe(reference.get(archs[0]!.name!)!.result.history[0]!.trainLoss);
    // a rerun naming the same teacher by a relative path resumes the finished evaluation
    const relativeTeacher: TrainingOptions = { ...distilled, distillation: { ...distilled.distillation!, teacher: relative(process.cwd(), teacher) } };
    const again = await evaluateCandidates(archs.slice(0, 1), { dir, training: relativeTeacher, workers: 1, latency: false });
    expect(again.record.candidates[0]!.result!.trainSeconds).toBe(r.trainSeconds);
  });

  it('a worker that dies, runs out of memory, a task that throws and one that hangs past the timeout: retried once, then failed; the rest go on', async () => {
    const dir = tmp();
    const lines: string[] = [];
    const out = await evaluateCandidates([...archs, archs[0]!], {
      dir,
      training,
      workers: 2,
      // Generous for healthy tasks (a loaded machine must not time them out); the hanging one has its own.
      taskTimeoutMs: 10 * 60_000,
      workerHeapMb: 384,
      latency: false,
      log: (l) => lines.push(l),
      injectFaults: {
        1: { kind: 'exit', attempts: 1, afterUpdates: 3 },
        2: { kind: 'throw', attempts: 2, afterUpdates: 2 },
        3: { kind: 'hang', attempts: 1, afterUpdates: 3, taskTimeoutMs: 3000 },
        4: { kind: 'oom', attempts: 1, afterUpdates: 2 },
      },
    });
    const [ok, died, threw, hung, hoarded] = out.record.candidates as [CandidateRecord, CandidateRecord, CandidateRecord, CandidateRecord, CandidateRecord];
    expect(out.failed).toEqual([2]);
    expect(ok.failures).toEqual([]);
    expectSameAsMainThread(dir, ok);
    // the retries continued the killed runs from their checkpoints and ended exactly where an uninterrupted run does
    expect(died.failures).toEqual([{ attempt: 1, kind: 'worker-exit', message: 'its worker thread died (worker exited with code: 70)' }]);
    expectSameAsMainThread(dir, died);
    expect(hung.failures.map((f) => f.kind)).toEqual(['timeout']);
    expect(hung.failures[0]!.message).toMatch(/task timeout of 3000 ms/);
    expectSameAsMainThread(dir, hung);
    expect(hoarded.failures.map((f) => f.kind)).toEqual(['worker-exit']);
    expect(hoarded.failures[0]!.message).toMatch(/its worker ran out of memory/);
    expectSameAsMainThread(dir, hoarded);
    expect(threw.status).toBe('failed');
    expect(threw.failures.map((f) => f.kind)).toEqual(['error', 'error']);
    expect(threw.reason).toMatch(/injected fault: the task threw/);
    expect(threw.result).toBeUndefined();
    expect(lines.some((l) => /candidate 2: attempt 1 failed: .* — retrying/.test(l))).toBe(true);
    expect(lines).toContain('candidate 1: continued its run from the last checkpoint');
    expect(onDisk(dir)).toEqual(out.record);
    expect(tempFiles(dir)).toEqual([]);
  });

  it('an abort stops the pool mid-task; a rerun skips finished candidates and continues the interrupted run', async () => {
    const dir = tmp();
    // The pool starts the most multiply-accumulates first: here in list order (k1 and fp tie, and ties keep the order).
    const candidates = [archs[1]!, archs[0]!, archs[2]!];
    const controller = new AbortController();
    let updates = 0;
    // Ctrl-C while candidate 1 is in its third training step.
    const progress: ProgressReporter = {
      start: (label) => ({
        update() {
          if (label === 'candidate 1 train' && ++updates === 3) controller.abort();
        },
        stop() {},
      }),
    };
    const options: EvaluateCandidatesOptions = { dir, training, workers: 1, latency: fastLatency, progress, signal: controller.signal };
    const error = await evaluateCandidates(candidates, options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EvaluationInterrupted);
    expect((error as Error).message).toMatch(/1 of 3 candidates finished; rerun with the same directory/);
    const stopped = onDisk(dir);
    expect(stopped.candidates.map((c) => c.status)).toEqual(['done', 'pending', 'pending']);
    expect(existsSync(join(dir, 'candidates', '1', 'checkpoint.gnck'))).toBe(true);
    expect(existsSync(join(dir, 'candidates', '2'))).toBe(false);
    expect(tempFiles(dir)).toEqual([]);

    const lines: string[] = [];
    const out = await evaluateCandidates(candidates, { dir, training, workers: 1, latency: fastLatency, log: (l) => lines.push(l) });
    expect(out.skipped).toEqual([0]);
    expect(out.evaluated).toEqual([1, 2]);
    expect(lines).toContain('candidate 1: continued its run from the last checkpoint');
    out.record.candidates.forEach((c) => expectSameAsMainThread(dir, c));
    // the first run was interrupted before its latency phase; the rerun timed every candidate
    expect(out.record.candidates.every((c) => c.latency !== undefined)).toBe(true);
  });

  it('refuses to resume a directory evaluated with other options or other candidates, naming the field', async () => {
    const dir = tmp();
    const record: EvaluationRecord = {
      format: 'groupnas.evaluation',
      version: 1,
      training,
      candidates: [{ index: 0, arch: archs[0]!, status: 'pending', failures: [] }],
    };
    writeFileSync(join(dir, EVALUATION_FILE), JSON.stringify(record));
    await expect(evaluateCandidates(archs.slice(0, 1), { dir, training: { ...training, epochs: 2 } })).rejects.toThrow(/evaluation\.json: training: differs/);
    await expect(evaluateCandidates(archs.slice(1, 2), { dir, training })).rejects.toThrow(/evaluation\.json: candidates\[0\]\.arch: differs/);
    await expect(evaluateCandidates(archs.slice(0, 2), { dir, training })).rejects.toThrow(/holds 1 candidates, but 2 were given/);
    writeFileSync(join(dir, EVALUATION_FILE), JSON.stringify({ ...record, version: 9 }));
    await expect(evaluateCandidates(archs.slice(0, 1), { dir, training })).rejects.toThrow(/evaluation\.json: version: expected 1, found 9/);
    await expect(evaluateCandidates(archs.slice(0, 1), { dir: tmp(), training, workers: 0 })).rejects.toThrow(/workers: expected an integer ≥ 1, got 0/);
  });
});
