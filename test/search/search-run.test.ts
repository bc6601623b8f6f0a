import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '../helpers/tfjs.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/backend/select.js';
import { bopsCostModel } from '../../src/search/cost-model.js';
import type { SearchLog } from '../../src/search/search-directory.js';
import { costModelPricedNow, resumeSearch, runSearch } from '../../src/search/search-run.js';
import type { ProgressReporter } from '../../src/util/progress.js';
import { loadArch } from '../../src/space/arch-file.js';
import { archProblems } from '../../src/space/arch-validation.js';
import { loadConfig } from '../../src/space/config-file.js';
import { buildPreset } from '../../src/space/presets.js';
import { summarize } from '../../src/space/summary.js';
import { PACKAGE_ROOT } from '../../src/util/version.js';
import { UsageError } from '../../src/util/errors.js';
import { teacherArch } from '../../src/distill/index.js';
import { trainArch } from '../../src/train/training-run.js';
import { tinyTraining } from '../helpers/tiny-training.js';

beforeAll(async () => {
  await selectBackend('wasm');
});

const tmp = () => mkdtempSync(join(tmpdir(), 'gn-search-'));
/** configs/tiny.json, smaller still: 128 images, batches of 32, 3 epochs (1 warm-up). */
const config = (extra: string[] = []) =>
  loadConfig(join(PACKAGE_ROOT, 'configs', 'tiny.json'), [
    'data.trainLimit=128',
    'search.batchSize=32',
    'search.epochs=3',
    'search.warmupEpochs=1',
    'search.archOptimizer.lr=0.01',
    'teacher.mode=none',
    ...extra,
  ]);
const options = { costModel: (layout: Parameters<typeof bopsCostModel>[0]) => bopsCostModel(layout) };
const read = (dir: string, file: string) => readFileSync(join(dir, file), 'utf8');

describe('search run directory', () => {
  let uninterrupted: string;

  it('writes arch.json, candidates.json, search.json and alpha.svg; every candidate is a valid arch', async () => {
    uninterrupted = tmp();
    const before = tf.memory().numTensors;
    const r = await runSearch(config(), { ...options, out: uninterrupted });
    expect(tf.memory().numTensors).toBe(before);
    expect(r.finished).toBe(true);
    for (const f of ['config.json', 'checkpoint.gnck', 'search.json', 'alpha.svg', 'candidates.json', 'arch.json'])
      expect(existsSync(join(uninterrupted, f)), f).toBe(true);
    const arch = loadArch(join(uninterrupted, 'arch.json'));
    expect(arch.provenance.source).toBe('search:tiny');
    const candidates = JSON.parse(read(uninterrupted, 'candidates.json')) as { candidates: { arch: unknown; derivation: string }[] };
    expect(candidates.candidates.length).toBe(2);
    for (const c of candidates.candidates) expect(archProblems(c.arch)).toEqual([]);
    const log = JSON.parse(read(uninterrupted, 'search.json')) as SearchLog;
    expect(log.epochs.map((e) => e.warmup)).toEqual([true, false, false]);
    // α is frozen during warm-up and moves afterwards.
    expect(log.epochs[0]!.alpha.flat().every((a) => a === 0)).toBe(true);
    expect(log.epochs[2]!.alpha.flat().some((a) => a !== 0)).toBe(true);
    const svg = read(uninterrupted, 'alpha.svg');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<polyline/g)!.length).toBe(log.variables.reduce((n, v) => n + v.choices.length, 0));
  });

  it('same seed → byte-identical arch.json and α', async () => {
    const again = tmp();
    await runSearch(config(), { ...options, out: again });
    expect(read(again, 'arch.json')).toBe(read(uninterrupted, 'arch.json'));
    expect(read(again, 'candidates.json')).toBe(read(uninterrupted, 'candidates.json'));
    const alphas = (dir: string) => (JSON.parse(read(dir, 'search.json')) as SearchLog).epochs.map((e) => e.alpha);
    expect(alphas(again)).toEqual(alphas(uninterrupted));
  });

  it('a run killed after an epoch and resumed ends with the α of the uninterrupted run', async () => {
    const dir = tmp();
    const partial = await runSearch(config(), { ...options, out: dir, stopAfterEpochs: 2 });
    expect(partial.finished).toBe(false);
    expect(existsSync(join(dir, 'arch.json'))).toBe(false);
    await expect(runSearch(config(), { ...options, out: dir })).rejects.toThrow(UsageError);
    const resumed = await resumeSearch(dir, options);
    expect(resumed.finished).toBe(true);
    const last = (d: string) => (JSON.parse(read(d, 'search.json')) as SearchLog).epochs.at(-1)!.alpha;
    expect(last(dir)).toEqual(last(uninterrupted));
    expect(read(dir, 'arch.json')).toBe(read(uninterrupted, 'arch.json'));

    // Resumed once more, the finished supernet's bar starts full: nothing "stopped at 0".
    const searchBar: number[] = [];
    const recording: ProgressReporter = {
      start: (label, total) => ({ update: (done) => void (label === 'search' && searchBar.push(total - done)), stop: () => {} }),
    };
    await resumeSearch(dir, { ...options, progress: recording });
    expect(searchBar).toEqual([0]);
  });
});

describe('a search started with a teacher from elsewhere', () => {
  it('resumed without --teacher, distils from that teacher again instead of training one of its own', async () => {
    const distilled = loadConfig(join(PACKAGE_ROOT, 'configs', 'tiny.json'), ['data.trainLimit=128', 'search.batchSize=32', 'search.epochs=2']);
    const teacherDir = join(tmp(), 'teacher');
    trainArch(teacherArch(distilled), tinyTraining(), teacherDir);
    const dir = tmp();
    const partial = await runSearch(distilled, { ...options, out: dir, teacherDir, stopAfterEpochs: 1 });
    expect(partial.finished).toBe(false);
    const starts: { dir: string; teacher?: string }[] = [];
    const resumed = await resumeSearch(dir, { ...options, onSupernetStart: (run) => starts.push(run) });
    expect(resumed.finished).toBe(true);
    expect(starts).toEqual([{ dir, teacher: teacherDir }]);
    expect(existsSync(join(dir, 'teacher'))).toBe(false);
  });
});

describe('entropy-based early stop', () => {
  it('stops after the first α epoch whose mean entropy falls below search.entropyStop, and still derives', async () => {
    const dir = tmp();
    // Entropy starts at exactly 1 (uniform α) and any α step lowers it: a threshold of 1 stops at the first α epoch.
    const r = await runSearch(config(['search.entropyStop=1']), { ...options, out: dir });
    expect(r.log.stoppedEarly?.epoch).toBe(2);
    expect(r.log.epochs).toHaveLength(2);
    expect(r.log.epochs[1]!.entropy).toBeLessThan(1);
    expect(existsSync(join(dir, 'arch.json'))).toBe(true);
  });
});

describe('search.archEvery', () => {
  it('takes one α step per N weight steps, and α still moves', async () => {
    // tiny.json's train split at 128 images, half of them held out for α: 64 / 32 = 2 weight steps per epoch.
    const logOf = async (extra: string[]) => (await runSearch(config(extra), { ...options, out: tmp() })).log;
    const [log1, log2] = [await logOf([]), await logOf(['search.archEvery=2'])];
    const [every1, every2] = [log1, log2].map((log) => log.epochs.map((e) => e.archSteps ?? 0));
    expect(
      log2.epochs
        .at(-1)!
        .alpha.flat()
        .some((a) => a !== 0),
    ).toBe(true);
    expect(log2.epochs.at(-1)!.alpha).not.toEqual(log1.epochs.at(-1)!.alpha);
    expect(every1[0]).toBe(0);
    expect(every2[0]).toBe(0);
    for (let e = 1; e < every1.length; e++) expect(every2[e]).toBe(Math.ceil(every1[e]! / 2));
    expect(every1[1]).toBeGreaterThanOrEqual(2);
  });
});

/**
 * configs/tiny.json with its absolute BOPs target replaced by half the template's BOPs, written to a
 * file; the K = 3 template is outside tiny's bases {1, 2} unless `withK3`.
 */
function relativeTinyConfigFile(withK3: boolean): string {
  const tiny = JSON.parse(read(join(PACKAGE_ROOT, 'configs'), 'tiny.json')) as {
    cost: Record<string, unknown>;
    space: { decisions: { type: string; choices: unknown[] }[] };
  };
  delete tiny.cost['target'];
  tiny.cost['relativeTarget'] = 0.5;
  if (withK3) tiny.space.decisions.find((d) => d.type === 'bases')!.choices = [1, 2, 3];
  const file = join(tmp(), 'relative.json');
  writeFileSync(file, JSON.stringify(tiny));
  return file;
}

describe('cost.relativeTarget', () => {
  it('aims at a fraction of the template’s cost and records both in search.json; an absolute target wins', async () => {
    // The K = 3 template first refused, then priced once K = 3 is a choice.
    await expect(runSearch(loadConfig(relativeTinyConfigFile(false), ['teacher.mode=none']), { ...options, out: tmp() })).rejects.toThrow(
      /cost\.relativeTarget: the template is not an architecture of search space tiny .*give cost\.target instead/,
    );
    const file = relativeTinyConfigFile(true);
    const sets = ['data.trainLimit=128', 'search.batchSize=32', 'search.epochs=2', 'teacher.mode=none'];
    const relative = (await runSearch(loadConfig(file, sets), { ...options, out: tmp() })).log.cost;
    const templateBops = summarize(buildPreset('groupnet-k3', { widthMultiplier: 0.25 })).totals.bops;
    expect(relative.templateCost).toBe(templateBops);
    expect(relative.relativeTarget).toBe(0.5);
    expect(relative.target).toBeCloseTo(0.5 * templateBops, 6);
    const absolute = (await runSearch(loadConfig(file, [...sets, 'cost.target=4000000']), { ...options, out: tmp() })).log.cost;
    expect(absolute.target).toBe(4_000_000);
  });

  it('a resumed run prices its relative target on the cost model it resumes with, and search.json and candidates.json agree', async () => {
    const dir = tmp();
    const first = await runSearch(
      loadConfig(relativeTinyConfigFile(true), ['data.trainLimit=128', 'search.batchSize=32', 'search.epochs=2', 'teacher.mode=none']),
      {
        ...options,
        out: dir,
        stopAfterEpochs: 1,
      },
    );
    // The machine's prices doubled between the sessions (its latency table timed again, say).
    const dearer = (layout: Parameters<typeof bopsCostModel>[0]) => {
      const model = bopsCostModel(layout);
      return { ...model, constant: 2 * model.constant, perBlock: model.perBlock.map((k) => k.map((b) => b.map((j) => j.map((v) => 2 * v)))) };
    };
    const lines: string[] = [];
    await resumeSearch(dir, { costModel: dearer, log: (line) => lines.push(line) });
    const log = JSON.parse(read(dir, 'search.json')) as SearchLog;
    expect(log.cost.target).toBeCloseTo(2 * first.log.cost.target!, 6);
    expect((JSON.parse(read(dir, 'candidates.json')) as { target: number }).target).toBe(log.cost.target);
    expect(lines.some((line) => /cost target priced again on this machine's bops table: .* → .* BOPs/.test(line))).toBe(true);
  });

  it('prices the config’s cost model once, up front, and hands the same model to the search', async () => {
    const asked: string[] = [];
    const factory = costModelPricedNow(config(), (layout, metric) => {
      asked.push(metric);
      return bopsCostModel(layout);
    });
    expect(asked).toEqual(['bops']);
    const first = await runSearch(config(['search.epochs=1', 'search.warmupEpochs=0']), { ...options, costModel: factory, out: tmp() });
    expect(first.finished).toBe(true);
    expect(asked).toEqual(['bops']);
  });
});

describe('search run beside other work', () => {
  it('tells its caller when the supernet is about to start, and lets the event loop turn between steps', async () => {
    // Workers' results and progress reach this thread only when its event loop turns (the presets train beside the supernet).
    let turns = 0;
    let counting = true;
    const tick = () => {
      if (!counting) return;
      turns++;
      setImmediate(tick);
    };
    setImmediate(tick);
    const starts: { dir: string; teacher?: string }[] = [];
    const dir = tmp();
    const r = await runSearch(config(), { ...options, out: dir, onSupernetStart: (run) => starts.push(run) });
    counting = false;
    expect(starts).toEqual([{ dir }]);
    const steps = r.log.epochs.length * 2; // 64 training images (half of the 128 are held out for α), batches of 32
    expect(turns).toBeGreaterThanOrEqual(steps);
  });
});
