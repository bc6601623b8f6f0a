// CPU seconds of one training step (batch 64, Adam) of R/2 presets on the wasm backend with the
// training kernels `auto` picks (native where the addon runs, one thread), counted by
// process.cpuUsage so that other processes sharing the cores do not inflate it: the rates that
// README's per-phase cost of configs/real-budget.json is computed from.
//   node scripts/train-step-cpu.mjs [fp,groupnet-k1,groupnet-k3,groupnet-k5] [auto|native|wasm] > rates.json
import * as tf from '../dist/util/tfjs.js';
import { selectBackend } from '../dist/backend/select.js';
import { buildModel } from '../dist/nn/group-net.js';
import { createTrainer } from '../dist/nn/trainer.js';
import { buildPreset } from '../dist/space/presets.js';

const backend = await selectBackend('wasm', { threads: 1, kernels: process.argv[3] ?? 'auto' });
const batch = 64;
const x = tf.randomUniform([batch, 28, 28, 1], -1, 1);
const y = tf.tensor1d(
  Int32Array.from({ length: batch }, (_, i) => i % 10),
  'int32',
);
const models = {};
for (const preset of (process.argv[2] ?? 'fp,groupnet-k1,groupnet-k3,groupnet-k5').split(',')) {
  const model = buildModel(buildPreset(preset, { widthMultiplier: 0.5 }), { seed: 0 });
  const trainer = createTrainer(model, { optimizer: 'adam', learningRate: 0.001, weightDecay: 1e-4 });
  trainer.step(x, y); // warm-up
  const cpu = [];
  for (let i = 0; i < 3; i++) {
    const start = process.cpuUsage();
    trainer.step(x, y);
    const used = process.cpuUsage(start);
    cpu.push((used.user + used.system) / 1e6);
  }
  const median = cpu.sort((a, b) => a - b)[1];
  models[preset] = { cpuSecondsPerStep: median, cpuImagesPerSecond: batch / median };
  process.stderr.write(`${preset}: ${(batch / median).toFixed(1)} images per CPU second\n`);
  trainer.dispose();
  model.dispose();
}
console.log(JSON.stringify({ backend: backend.name, training: backend.training, batch, models }, null, 2));
