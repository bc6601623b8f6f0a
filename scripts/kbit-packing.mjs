// What the native k-bit packing buys: the packing alone (JavaScript packBitPlanes vs the native
// engine's) at a few layer sizes, then whole packed models sampled from a config's space on the
// native engine with its packing swapped for the JavaScript one, interleaved in one process
// (CPU clock, median of 3 rounds per model), and the presets groupnet-k5, -k5-a2 and -k5-a4 at R/2.
//   node scripts/kbit-packing.mjs [--archs 12] [--config default]
import { buildPreset, loadConfig, sampleDistinctArchs, spaceFromConfig, untrainedPackedModel } from '../dist/index.js';
import { selectBackend } from '../dist/backend/select.js';
import { NativeEngine } from '../dist/kernels/native-engine.js';
import { measurePackedLatency } from '../dist/kernels/packed-inference.js';
import { packBitPlanes } from '../dist/kernels/packing.js';
import { timeMedian } from '../dist/kernels/timing.js';

const flag = (name, fallback) => {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : fallback;
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const native = new NativeEngine();
const timing = { warmUpSeconds: 0.05, seconds: 0.2, minRepeats: 5, clock: 'cpu' };

for (const [h, c, bits] of [
  [28, 16, 4],
  [28, 16, 2],
  [14, 32, 2],
  [7, 64, 4],
]) {
  const shape = { n: 1, h, w: h, c };
  const x = Float32Array.from({ length: h * h * c }, (_, i) => Math.sin(i) * 1.5 + 0.5);
  const js = timeMedian(() => packBitPlanes(x, shape, bits, 2), timing).medianSeconds * 1e6;
  const nat = timeMedian(() => native.packBitPlanes(x, shape, bits, 2), timing).medianSeconds * 1e6;
  console.log(`packing ${h}x${h}x${c} ${bits}-bit: JavaScript ${js.toFixed(1)} µs, native ${nat.toFixed(1)} µs (${(js / nat).toFixed(1)}×)`);
}

await selectBackend('wasm'); // the models' weights come from nn's builder
const jsPacking = new NativeEngine();
jsPacking.packBitPlanes = (x, shape, bits, beta) => packBitPlanes(x, shape, bits, beta);
const archs = sampleDistinctArchs(spaceFromConfig(loadConfig(flag('config', 'default'))), Number(flag('archs', '12')), 1);
const presets = ['groupnet-k5', 'groupnet-k5-a2', 'groupnet-k5-a4'].map((name) => ({ ...buildPreset(name, { widthMult: 0.5 }), name }));
const timeBoth = (arch) => {
  const withNative = untrainedPackedModel(arch, native);
  const withJs = untrainedPackedModel(arch, jsPacking);
  const rounds = [0, 1, 2].map(() => [measurePackedLatency(withNative, 1, timing).medianSeconds, measurePackedLatency(withJs, 1, timing).medianSeconds]);
  const ratio = median(rounds.map(([n, j]) => j / n));
  console.log(`${arch.name}: ${(median(rounds.map(([n]) => n)) * 1e3).toFixed(3)} ms native packing, ${ratio.toFixed(2)}× faster than JavaScript packing`);
  return ratio;
};
const ratios = archs.map(timeBoth);
presets.forEach(timeBoth);
const sorted = [...ratios].sort((a, b) => a - b);
console.log(
  `whole models: native packing ${median(ratios).toFixed(2)}× faster at the median (${sorted[0].toFixed(2)}–${sorted.at(-1).toFixed(2)}×) over ${ratios.length} architectures`,
);
