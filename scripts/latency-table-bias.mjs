// Where the latency table's bias on whole models comes from, timed at one moment per model: the whole
// packed model (between speed-probe readings, as `bench latency-predictor` times it), the table read at
// the speed probed around it (the bench's prediction), and the model's entries timed afresh right after
// it and summed (each between readings of its kind's probe, as the table times them). Then:
//   table@probe / whole  <  fresh / whole   the table's entries ran faster, in probe units, than they run now
//   fresh / whole  <  1                     the model does work its entries leave out (or runs it slower)
// and each probe kind's median reading beside the entries and beside the models (equal when the probe
// reads the host alike in both places) against the table's own.
//   node scripts/latency-table-bias.mjs [--engine native|wasm] [--every K] [--config NAME]
// The table is read from the search's per-machine cache (GROUPNAS_CACHE_DIR to choose another); models are
// every K-th of the 100 architectures `bench latency-predictor` samples (seed 1).
import { selectBackend } from '../dist/backend/select.js';
import {
  createEngine,
  createSpeedProbe,
  latencyEntriesOf,
  latencyKey,
  measureLatencyTable,
  predictArchLatency,
  probeKindOf,
  PROBE_KINDS,
  tableAtSpeed,
  timeBetweenProbes,
  measurePackedLatency,
} from '../dist/kernels/index.js';
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
const every = Number(option('--every', 7));
const configName = option('--config', 'default');
if (args.length > 0 || !Number.isInteger(every) || every < 1)
  throw new Error('usage: node scripts/latency-table-bias.mjs [--engine native|wasm] [--every K] [--config NAME]');

await selectBackend('wasm');
const engine = createEngine(engineName);
const archs = sampleDistinctArchs(spaceFromConfig(loadConfig(configName)), 100, 1).filter((_, i) => i % every === 0);
const table = measureLatencyTable(archs.flatMap(latencyEntriesOf), engine, process.env.GROUPNAS_CACHE_DIR ? { cacheDir: process.env.GROUPNAS_CACHE_DIR } : {});
const probe = createSpeedProbe(engine, 'cpu');
const clock = 'cpu';
const geomean = (values) => Math.exp(values.reduce((sum, v) => sum + Math.log(v), 0) / values.length);
const beside = { entries: {}, models: {} };
const rows = [];
console.log(`${engine.name}: ${archs.length} models; table of ${table.measurements.size} entries (${table.timedNow} timed now)`);
console.log(`${'arch'.padEnd(44)} ${'whole ms'.padStart(8)} ${'table@probe/whole'.padStart(17)} ${'fresh/whole'.padStart(11)}`);
for (const arch of archs) {
  const model = untrainedPackedModel(arch, engine);
  const { value: whole, speed } = timeBetweenProbes(
    probe,
    PROBE_KINDS,
    () => measurePackedLatency(model, 1, { clock, seconds: 0.2, warmUpSeconds: 0.05 }).medianSeconds,
  );
  for (const kind of PROBE_KINDS) (beside.models[kind] ??= []).push(speed[kind]);
  const predicted = predictArchLatency(tableAtSpeed(table, speed), arch);
  // its entries timed now, one round, as the table times them (each between readings of its kind's probe)
  const now = measureLatencyTable(latencyEntriesOf(arch), engine, { cacheDir: null, rounds: 1, probe });
  for (const m of now.measurements.values()) (beside.entries[probeKindOf(m.entry)] ??= []).push(m.probeSeconds);
  const fresh = latencyEntriesOf(arch).reduce((sum, e) => sum + now.measurements.get(latencyKey(e)).seconds, 0);
  rows.push({ table: predicted / whole, fresh: fresh / whole });
  console.log(
    `${arch.name.padEnd(44)} ${(whole * 1e3).toFixed(3).padStart(8)} ${(predicted / whole).toFixed(3).padStart(17)} ${(fresh / whole).toFixed(3).padStart(11)}`,
  );
}
console.log(`geometric mean: table@probe/whole ${geomean(rows.map((r) => r.table)).toFixed(3)}, fresh/whole ${geomean(rows.map((r) => r.fresh)).toFixed(3)}`);
for (const kind of PROBE_KINDS) {
  const us = (seconds) => (seconds === undefined ? '-' : (seconds * 1e6).toFixed(2));
  console.log(
    `${kind.padEnd(13)} probe µs: the table's ${us(table.probeSeconds[kind])}, now beside entries ${us(beside.entries[kind] && median(beside.entries[kind]))}, beside models ${us(median(beside.models[kind]))}`,
  );
}
