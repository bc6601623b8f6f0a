#!/usr/bin/env node
// Whose CPU a native training step takes (Linux): blocks of steps of one network (batch 64, SGD) at
// one kernel thread, and per step the wall time, the main thread's CPU and the CPU of the process's
// other threads — at one kernel thread those are V8's own (its optimizing compiler, its concurrent
// garbage collector), which at two kernel threads must share the two cores with the kernels.
//   node scripts/step-thread-cpu.mjs [model = groupnet-k5 | fp] [blocks = 5] [steps a block = 10]
import { readFileSync, readdirSync } from 'node:fs';
import { selectBackend } from '../dist/backend/index.js';
import { createBenchTraining } from '../dist/bench/time-train-step.js';
import { buildPreset } from '../dist/space/presets.js';

const [model = 'groupnet-k5', blocks = '5', perBlock = '10'] = process.argv.slice(2);

await selectBackend('wasm', { kernels: 'native', threads: 1 });
const { trainer, x, y } = createBenchTraining(buildPreset(model), 64);

/** CPU milliseconds of the main thread and of all others, from /proc (clock ticks of 10 ms). */
function threadCpu() {
  const main = String(process.pid);
  let own = 0;
  let others = 0;
  for (const task of readdirSync('/proc/self/task')) {
    const stat = readFileSync(`/proc/self/task/${task}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ms = (Number(fields[11]) + Number(fields[12])) * 10;
    if (task === main) own += ms;
    else others += ms;
  }
  return { own, others };
}

for (let b = 0; b < Number(blocks); b++) {
  const before = threadCpu();
  const start = performance.now();
  for (let i = 0; i < Number(perBlock); i++) trainer.step(x, y);
  const wall = (performance.now() - start) / Number(perBlock);
  const after = threadCpu();
  const per = (key) => ((after[key] - before[key]) / Number(perBlock)).toFixed(0);
  const first = b * Number(perBlock);
  console.log(
    `${model} steps ${first}–${first + Number(perBlock) - 1}: wall ${wall.toFixed(0)} ms a step; CPU main thread ${per('own')} ms, other threads ${per('others')} ms`,
  );
}
