// Packed-engine latency (batch 1, as a search's evaluation times its candidates) of an arch.json next
// to a preset on the same backbone width, measured alternately in one process (rounds swap which goes
// first) so that other processes' load falls on both: wall time (median and least disturbed round) and
// CPU time per image, which a busy machine does not inflate. Latency does not depend on weight values: both
// are packed from freshly initialised models. Writes OUT_DIR/latency-vs-<preset>.json.
//
//   node scripts/latency-vs-preset.mjs ARCH_JSON [PRESET=groupnet-k5] [WIDTH_MULT=0.5] [ROUNDS=15] [OUT_DIR=.]
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildModel,
  buildPreset,
  createEngine,
  describeArch,
  exportPackedModel,
  loadArch,
  loadPackedModel,
  measureModelLatency,
  packedExportState,
  selectBackend,
} from '../dist/index.js';

const [archFile, preset = 'groupnet-k5', widthMultiplier = '0.5', roundsArg = '15', out = '.'] = process.argv.slice(2);
if (!archFile) {
  console.error('usage: node scripts/latency-vs-preset.mjs ARCH_JSON [PRESET] [WIDTH_MULT] [ROUNDS] [OUT_DIR]');
  process.exit(2);
}
const rounds = Number(roundsArg);
await selectBackend('wasm');
const archs = { searched: loadArch(archFile), [preset]: buildPreset(preset, { widthMultiplier: Number(widthMultiplier) }) };
const scratch = mkdtempSync(join(tmpdir(), 'latency-vs-preset-'));
const files = {};
for (const [name, arch] of Object.entries(archs)) {
  const model = buildModel(arch, { seed: 1 });
  files[name] = join(scratch, `${name}.gnb`);
  exportPackedModel(files[name], arch, packedExportState(model));
  model.dispose();
  console.log(`${name}: ${describeArch(arch)}`);
}
const engine = createEngine('auto');
/** CPU milliseconds per `predict` of one image (process.cpuUsage over 50 calls): what the model costs, however busy the machine. */
function cpuMsPerImage(file) {
  const model = loadPackedModel(file, engine);
  const { height, width, channels } = model.arch.input;
  const image = Float32Array.from({ length: height * width * channels }, (_, i) => (i % 7) / 7);
  for (let i = 0; i < 5; i++) model.predict(image, 1);
  const start = process.cpuUsage();
  for (let i = 0; i < 50; i++) model.predict(image, 1);
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000 / 50;
}
const ms = Object.fromEntries(Object.keys(archs).map((name) => [name, []]));
const cpu = Object.fromEntries(Object.keys(archs).map((name) => [name, []]));
for (let r = 0; r < rounds; r++) {
  const order = r % 2 === 0 ? Object.keys(archs) : Object.keys(archs).reverse();
  for (const name of order) {
    ms[name].push(measureModelLatency(files[name], { timing: { minRepeats: 20 } }, engine).medianMs);
    cpu[name].push(cpuMsPerImage(files[name]));
  }
}
rmSync(scratch, { recursive: true, force: true });
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const result = {
  arch: archFile,
  preset,
  widthMultiplier: Number(widthMultiplier),
  engine: engine.name,
  rounds,
  medianMs: Object.fromEntries(Object.entries(ms).map(([name, values]) => [name, median(values)])),
  // The least disturbed round: what the model costs when nothing else competes for the core.
  minMs: Object.fromEntries(Object.entries(ms).map(([name, values]) => [name, Math.min(...values)])),
  cpuMs: Object.fromEntries(Object.entries(cpu).map(([name, values]) => [name, median(values)])),
  perRoundMs: ms,
  perRoundCpuMs: cpu,
};
result.ratio = result.medianMs.searched / result.medianMs[preset];
const line = (what, values) =>
  `${what}: searched ${values.searched.toFixed(2)} ms, ${preset} ${values[preset].toFixed(2)} ms, ratio ${(values.searched / values[preset]).toFixed(3)}`;
console.log(`packed latency at batch 1 on ${engine.name} over ${rounds} rounds`);
console.log(line('median', result.medianMs));
console.log(line('min', result.minMs));
console.log(line('CPU time, median', result.cpuMs));
mkdirSync(out, { recursive: true });
writeFileSync(join(out, `latency-vs-${preset}.json`), JSON.stringify(result, null, 2) + '\n');
