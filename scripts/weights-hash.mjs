#!/usr/bin/env node
// The bits a build trains to: three SGD steps of one network (batch 16, the step benchmarks' data) from the
// built package in DIR, then a SHA-256 of every weight and buffer, so that two builds, thread counts or
// kernel sets can be compared for bit-identical training.
//   node scripts/weights-hash.mjs [DIR] [model = fp] [threads = 2] [kernels = native | wasm]
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [dirArg, model = 'fp', threads = '2', kernels = 'native'] = process.argv.slice(2);
const dir = resolve(dirArg ?? new URL('..', import.meta.url).pathname);
const load = (file) => import(pathToFileURL(join(dir, 'dist', file)).href);
const { selectBackend } = await load('backend/index.js');
const { createBenchTraining } = await load('bench/time-train-step.js');
const { buildPreset } = await load('space/presets.js');

await selectBackend('wasm', { kernels, threads: Number(threads) });
const { model: net, trainer, x, y } = createBenchTraining(buildPreset(model), 16);
for (let i = 0; i < 3; i++) trainer.step(x, y);
const hash = createHash('sha256');
const state = net.stateDict();
for (const name of Object.keys(state).sort()) {
  hash.update(name);
  hash.update(Buffer.from(state[name].dataSync().buffer));
}
console.log(`${model} ${kernels} ${threads} thread(s), ${Object.keys(state).length} tensors: ${hash.digest('hex').slice(0, 16)}`);
