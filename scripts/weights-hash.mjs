#!/usr/bin/env node
// The bits a build trains to: three SGD steps of one network (batch 16, fixed data and seed) from the
// built package in DIR, then a SHA-256 of every weight and buffer, so that two builds, thread counts or
// kernel sets can be compared for bit-identical training.
//   node scripts/weights-hash.mjs [DIR] [model = fp] [threads = 2] [kernels = native | wasm]
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [dirArg, model = 'fp', threads = '2', kernels = 'native'] = process.argv.slice(2);
const dir = resolve(dirArg ?? new URL('..', import.meta.url).pathname);
const load = (file) => import(pathToFileURL(join(dir, 'dist', file)).href);
const tf = await load('util/tfjs.js');
const { selectBackend } = await load('backend/index.js');
const { buildModel, createTrainer } = await load('nn/index.js');
const { buildPreset } = await load('space/presets.js');

await selectBackend('wasm', { kernels, threads: Number(threads) });
const arch = buildPreset(model);
const { height, width, channels } = arch.input;
const batch = 16;
const x = tf.tensor4d(
  Float32Array.from({ length: batch * height * width * channels }, (_, i) => Math.sin(i * 0.37)),
  [batch, height, width, channels],
);
const y = tf.tensor1d(
  Int32Array.from({ length: batch }, (_, i) => i % arch.head.classes),
  'int32',
);
const net = buildModel(arch, { seed: 0 });
const trainer = createTrainer(net, { optimizer: 'sgd-nesterov', learningRate: 0.05, weightDecay: 1e-4 });
for (let i = 0; i < 3; i++) trainer.step(x, y);
const hash = createHash('sha256');
const state = net.stateDict();
for (const name of Object.keys(state).sort()) {
  hash.update(name);
  hash.update(Buffer.from(state[name].dataSync().buffer));
}
console.log(`${model} ${kernels} ${threads} thread(s), ${Object.keys(state).length} tensors: ${hash.digest('hex').slice(0, 16)}`);
