// Latency of packed models timed together as a search's evaluation times its candidates and presets
// (measureLatencies: interleaved rounds, batch 1, CPU clock, at least 50 repeats, native engine by
// default), so that models of different runs compare under the same load.
//   node scripts/time-models.mjs NAME=model.gnb NAME=model.gnb … [--engine native|wasm|js] > latency.json
import { selectBackend } from '../dist/backend/select.js';
import { measureLatencies } from '../dist/search/evaluate/measure-latency.js';

const args = process.argv.slice(2);
const engineAt = args.indexOf('--engine');
const engine = engineAt >= 0 ? args.splice(engineAt, 2)[1] : 'native';
const models = args.map((arg) => {
  const at = arg.indexOf('=');
  if (at <= 0) throw new Error(`time-models: expected NAME=FILE.gnb, got "${arg}"`);
  return { name: arg.slice(0, at), file: arg.slice(at + 1) };
});
if (models.length === 0) throw new Error('usage: node scripts/time-models.mjs NAME=model.gnb … [--engine native|wasm|js]');
await selectBackend('cpu');
const measured = measureLatencies(
  models.map((m) => m.file),
  { engine, timing: { minRepeats: 50, clock: 'cpu' } },
);
console.log(
  JSON.stringify(
    models.map((m, i) => ({ ...m, ...measured[i] })),
    null,
    1,
  ),
);
