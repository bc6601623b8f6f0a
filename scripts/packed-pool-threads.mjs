// Whole Group-Net R (K=5) at batch 64 through PackedModelPool of one and two threads, 9 alternating
// 0.5-s rounds: images/s of each and the median of the per-round ratios (what `bench native` reports),
// from the built package in DIR (default: this checkout), so that two builds can be compared process
// by process, alternating:
//   node scripts/packed-pool-threads.mjs [DIR]
// An earlier build: git worktree add DIR REV && (cd DIR && npm ci), or a copy of its dist/ beside
// symlinks to this checkout's other top-level entries.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const dir = resolve(process.argv[2] ?? new URL('..', import.meta.url).pathname);
const load = (file) => import(pathToFileURL(`${dir}/dist/${file}`).href);
const { buildPreset } = await load('space/presets.js');
const { exportUntrainedModel } = await load('train/export-packed.js');
const { PackedModelPool } = await load('kernels/packed-model-pool.js');
const { selectBackend } = await load('backend/select.js');

const rounds = 9;
const batch = 64;
await selectBackend('cpu');
const file = `/tmp/packed-pool-threads-${process.pid}.gnb`;
exportUntrainedModel(buildPreset('groupnet-k5', { widthMultiplier: 1 }), file);
const pools = [await PackedModelPool.open(file, { threads: 1, engine: 'native' }), await PackedModelPool.open(file, { threads: 2, engine: 'native' })];
const rates = [[], []];
for (let r = 0; r < rounds; r++) {
  const timing = { seconds: 0.5, warmUpSeconds: r === 0 ? 0.3 : 0.05 };
  for (const [k, pool] of pools.entries()) rates[k].push((await pool.measure(batch, timing)).imagesPerSecond);
}
await Promise.all(pools.map((p) => p.close()));
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const show = (values) => values.map((v) => v.toFixed(0)).join(' ');
const ratio = median(rates[1].map((two, r) => two / rates[0][r]));
console.log(
  `${dir}: 1t median ${median(rates[0]).toFixed(0)} (${show(rates[0])}); 2t median ${median(rates[1]).toFixed(0)} (${show(rates[1])}); 2t/1t median of rounds ${ratio.toFixed(3)}`,
);
