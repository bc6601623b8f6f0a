// The two CPU clocks side by side: a 1-bit conv on the native engine timed in chunks of 200 calls
// from the start of the process, on this process's CPU time (process.cpuUsage: every thread) and on
// this thread's (the addon's threadCpuSeconds, what kernels/timing.ts reads). Where they differ,
// V8's compiler and garbage-collector threads were running beside the timed loop.
//   node scripts/cpu-clocks.mjs [--chunks 12]
import { NativeEngine } from '../dist/kernels/native-engine.js';
import { entryWorkload } from '../dist/kernels/latency-workload.js';
import { loadNativeAddon } from '../dist/util/native-addon.js';

const at = process.argv.indexOf('--chunks');
const chunks = at >= 0 ? Number(process.argv[at + 1]) : 12;
const calls = 200;
const conv = entryWorkload({ h: 28, w: 28, inChannels: 16, outChannels: 16, kernel: 3, stride: 1, dilation: 1, bits: 1, bases: 1 }, new NativeEngine());
const addon = loadNativeAddon();
const processSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
console.log(`chunk  process µs/call  thread µs/call  process ÷ thread   (${calls} calls a chunk)`);
for (let i = 0; i < chunks; i++) {
  const p0 = processSeconds();
  const t0 = addon.threadCpuSeconds();
  for (let k = 0; k < calls; k++) conv();
  const p = ((processSeconds() - p0) / calls) * 1e6;
  const t = ((addon.threadCpuSeconds() - t0) / calls) * 1e6;
  console.log(`${String(i).padStart(5)}  ${p.toFixed(1).padStart(15)}  ${t.toFixed(1).padStart(14)}  ${(p / t).toFixed(2).padStart(16)}`);
}
