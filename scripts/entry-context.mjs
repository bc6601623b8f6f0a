// Do the latency table's entries run as fast inside a model as alone? Per model, in interleaved rounds
// (the median of each kept): the whole packed model; its entries each timed alone, in a loop, summed (how
// the table times them); and the same entries' work run one after another in the model's order, timed as
// one (each piece finding the caches as the pieces before it left them, but on inputs of its own, not the
// output of the piece before, as in the model).
//   node scripts/entry-context.mjs [--engine native|wasm] [--every K] [--rounds R] [--config NAME]
// Models: every K-th of the 100 architectures `bench latency-predictor` samples (seed 1); CPU clock.
import { selectBackend } from '../dist/backend/select.js';
import { createEngine, latencyEntriesOf, measurePackedLatency, timeMedian } from '../dist/kernels/index.js';
import { entryWorkload } from '../dist/kernels/latency-workload.js';
import { loadConfig } from '../dist/space/config-file.js';
import { spaceFromConfig } from '../dist/space/config-space.js';
import { sampleDistinctArchs } from '../dist/space/index.js';
import { untrainedPackedModel } from '../dist/train/index.js';
import { median } from '../dist/util/median-time.js';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(name);
  return at >= 0 ? args.splice(at, 2)[1] : fallback;
};
const engineName = option('--engine', 'native');
const every = Number(option('--every', 9));
const rounds = Number(option('--rounds', 5));
const configName = option('--config', 'default');
if (args.length > 0 || !Number.isInteger(every) || every < 1 || !Number.isInteger(rounds) || rounds < 1)
  throw new Error('usage: node scripts/entry-context.mjs [--engine native|wasm] [--every K] [--rounds R] [--config NAME]');

await selectBackend('wasm');
const engine = createEngine(engineName);
const archs = sampleDistinctArchs(spaceFromConfig(loadConfig(configName)), 100, 1).filter((_, i) => i % every === 0);
const timing = { clock: 'cpu', seconds: 0.2, warmUpSeconds: 0.05 };
const geomean = (values) => Math.exp(values.reduce((sum, v) => sum + Math.log(v), 0) / values.length);
const rows = [];
console.log(`${engine.name}: ${archs.length} models, ${rounds} interleaved rounds`);
console.log(`${'arch'.padEnd(44)} ${'whole ms'.padStart(8)} ${'alone/whole'.padStart(11)} ${'in order/whole'.padStart(14)} ${'entries'.padStart(7)}`);
for (const arch of archs) {
  const model = untrainedPackedModel(arch, engine);
  const works = latencyEntriesOf(arch).map((e) => entryWorkload(e, engine));
  const whole = [];
  const alone = [];
  const inOrder = [];
  for (let r = 0; r < rounds; r++) {
    whole.push(measurePackedLatency(model, 1, timing).medianSeconds);
    alone.push(works.reduce((sum, work) => sum + timeMedian(work, { ...timing, seconds: 0.04 }).medianSeconds, 0));
    inOrder.push(timeMedian(() => works.forEach((work) => work()), timing).medianSeconds);
  }
  const row = { whole: median(whole), alone: median(alone) / median(whole), inOrder: median(inOrder) / median(whole) };
  rows.push(row);
  console.log(
    `${arch.name.padEnd(44)} ${(row.whole * 1e3).toFixed(3).padStart(8)} ${row.alone.toFixed(3).padStart(11)} ${row.inOrder.toFixed(3).padStart(14)} ${String(works.length).padStart(7)}`,
  );
}
console.log(`geometric mean: alone/whole ${geomean(rows.map((r) => r.alone)).toFixed(3)}, in order/whole ${geomean(rows.map((r) => r.inOrder)).toFixed(3)}`);
