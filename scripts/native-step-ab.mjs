#!/usr/bin/env node
// One network's whole native training step (batch 64, SGD) at one and two threads, `rounds` rounds
// alternating the two: images/s of each round and the median of the per-round ratios, from the built
// package in DIR (default: this checkout), so that two builds can be compared process by process.
//   node scripts/native-step-ab.mjs [DIR] [model = groupnet-k5 | fp] [rounds = 3]
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const [dirArg, model = 'groupnet-k5', rounds = '3'] = process.argv.slice(2);
const dir = resolve(dirArg ?? join(dirname(fileURLToPath(import.meta.url)), '..'));
const { selectBackend } = await import(join(dir, 'dist/backend/index.js'));
const { buildPreset } = await import(join(dir, 'dist/space/presets.js'));
const { timeTrainStep } = await import(join(dir, 'dist/bench/time-train-step.js'));

const rates = { 1: [], 2: [] };
for (let i = 0; i < Number(rounds); i++) {
  for (const threads of [1, 2]) {
    await selectBackend('wasm', { kernels: 'native', threads });
    rates[threads].push(timeTrainStep(buildPreset(model), { batch: 64, steps: 5, warmup: 2 }).imagesPerSec);
  }
}
const ratios = rates[1].map((one, i) => rates[2][i] / one).sort((a, b) => a - b);
const list = (xs) => xs.map((x) => x.toFixed(1)).join(' ');
console.log(`${model} ${dir}: 1t ${list(rates[1])} | 2t ${list(rates[2])} | 2t/1t median ${ratios[ratios.length >> 1].toFixed(3)}`);
