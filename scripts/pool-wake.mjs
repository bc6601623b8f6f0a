// What waking the kernel pool's helper costs on this machine: one small two-thread native call (batch
// norm's backward, 7×7×64 at batch 64, ~35 µs) back to back, and after the calling thread spun or slept
// for a while (a helper spins ~1 ms after a call, then sleeps; waking a sleeping vCPU can be slow).
//   node scripts/pool-wake.mjs [ADDON.node]
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const addon = require(process.argv[2] ?? new URL('../native/build/Release/groupnas_native.node', import.meta.url).pathname);
const c = 64;
const size = 64 * 7 * 7 * c;
const dy = new Float32Array(size).fill(0.1),
  x = new Float32Array(size).fill(0.2),
  dx = new Float32Array(size);
const gamma = new Float32Array(c).fill(1),
  mean = new Float32Array(c),
  rstd = new Float32Array(c).fill(1),
  dgamma = new Float32Array(c),
  dbeta = new Float32Array(c);
const call = () => addon.batchNormBackward(dy, x, mean, c, gamma, rstd, dx, dgamma, dbeta, 2, null, null);
const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
const spin = (ms) => {
  const end = performance.now() + ms;
  while (performance.now() < end);
};
for (let i = 0; i < 50; i++) call();
const gaps = [
  ['back to back', () => {}],
  ['spin 3 ms', () => spin(3)],
  ['sleep 0.5 ms', () => sleep(0.5)],
  ['sleep 3 ms', () => sleep(3)],
  ['sleep 20 ms', () => sleep(20)],
];
for (const [label, gap] of gaps) {
  const times = [];
  for (let i = 0; i < 31; i++) {
    gap();
    const start = performance.now();
    call();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  console.log(`${label.padEnd(13)} median ${times[15].toFixed(3)} ms  p90 ${times[27].toFixed(3)}  max ${times[30].toFixed(3)}`);
}
