// Native training kernels of two addon builds side by side: the float convolution (forward, input and
// filter gradients), a binary unit's sign convolution (the same three) and batch norm (forward,
// backward) at network R/2's layer shapes, batch 64, at 1 and 2 threads, the builds interleaved round
// by round so that a slow spell of the host slows both.
//   node scripts/native-kernel-ab.mjs NAME=groupnas_native.node [NAME=groupnas_native.node] [--rounds N]
// An earlier build for comparison: git archive REV native | tar -x -C DIR, then in DIR/native:
//   node $(npm root -g)/npm/node_modules/node-gyp/bin/node-gyp.js rebuild --release
// The builds must take this checkout's argument lists (batch norm's backward takes x and its mean since f9b3755).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
const roundsAt = args.indexOf('--rounds');
const rounds = roundsAt >= 0 ? Number(args.splice(roundsAt, 2)[1]) : 15;
const builds = args.map((arg) => {
  const at = arg.indexOf('=');
  if (at <= 0) throw new Error(`native-kernel-ab: expected NAME=FILE.node, got "${arg}"`);
  return { name: arg.slice(0, at), addon: require(arg.slice(at + 1)) };
});
if (builds.length === 0) throw new Error('usage: node scripts/native-kernel-ab.mjs NAME=groupnas_native.node … [--rounds N]');

// [n, h, w, c, cout, stride]: R/2's three stages and its first strided conv
const SHAPES = [
  [64, 28, 28, 16, 16, 1],
  [64, 14, 14, 32, 32, 1],
  [64, 7, 7, 64, 64, 1],
  [64, 28, 28, 16, 32, 2],
];
const random = (length) => Float32Array.from({ length }, (_, i) => Math.sin(i * 12.9898) * 0.5);
// Each build has its own thread pool, whose helpers spin ~1 ms after a call and then sleep: before a
// build is timed, the other's helpers are let fall asleep (else they share the cores) and its own
// are woken by two untimed calls (waking a sleeping vCPU of this VM can take milliseconds).
const settle = () => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 3);
const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];

function operations(addon, [n, h, w, c, cout, stride]) {
  const oh = Math.ceil(h / stride),
    ow = Math.ceil(w / stride);
  const g = Int32Array.of(n, h, w, c, 3, 3, stride, stride, 1, 1, 1, 1, oh, ow, cout);
  const x = random(n * h * w * c),
    f = random(9 * c * cout),
    dy = random(n * oh * ow * cout);
  const y = new Float32Array(dy.length),
    dx = new Float32Array(x.length),
    df = new Float32Array(f.length);
  const gamma = new Float32Array(cout).fill(1),
    beta = new Float32Array(cout),
    stats = () => new Float32Array(cout);
  const [mean, variance, rstd, dgamma, dbeta] = [stats(), stats(), stats(), stats(), stats()];
  const dbn = new Float32Array(dy.length);
  // a binary unit's filter (±α per output channel) and the sign and STE bits its forward records
  const binary = f.map((v, i) => (v < 0 ? -1 : 1) * (0.5 + (i % cout) / cout));
  const bits = new Int32Array(2 * n * h * w * Math.ceil(c / 32));
  addon.signConv2d(0, 0, 0, g, x, binary, y, 1, bits, null);
  return {
    'conv forward': (t) => addon.conv2d(0, 0, g, x, f, y, t),
    'conv dx': (t) => addon.conv2d(1, 0, g, dy, f, dx, t),
    'conv dW': (t) => addon.conv2d(2, 0, g, x, dy, df, t),
    'sign forward': (t) => addon.signConv2d(0, 0, 0, g, x, binary, y, t, bits, null),
    'sign dx': (t) => addon.signConv2d(1, 0, 0, g, dy, binary, dx, t, bits, null),
    'sign dW': (t) => addon.signConv2d(2, 0, 0, g, dy, null, df, t, bits, null),
    'bn forward': (t) => addon.batchNormForward(dy, cout, gamma, beta, 1e-3, y, mean, variance, rstd, t, null, false),
    'bn backward': (t) => addon.batchNormBackward(dy, y, mean, cout, gamma, rstd, dbn, dgamma, dbeta, t, null, null),
  };
}

for (const shape of SHAPES) {
  const ops = builds.map((b) => operations(b.addon, shape));
  console.log(`${shape.slice(0, 4).join('×')} → ${shape[4]}, stride ${shape[5]} (ms, median of ${rounds} rounds of 5 calls)`);
  for (const op of Object.keys(ops[0])) {
    const times = builds.map(() => ({ 1: [], 2: [] }));
    for (let r = 0; r < rounds; r++) {
      for (const threads of [1, 2]) {
        builds.forEach((_, b) => {
          settle();
          ops[b][op](threads);
          ops[b][op](threads);
          const start = performance.now();
          for (let i = 0; i < 5; i++) ops[b][op](threads);
          times[b][threads].push((performance.now() - start) / 5);
        });
      }
    }
    const cells = builds.map((b, i) => {
      const one = median(times[i][1]),
        two = median(times[i][2]);
      return `${b.name} 1t ${one.toFixed(3)} 2t ${two.toFixed(3)} (2t/1t ${(one / two).toFixed(2)})`;
    });
    const versus =
      builds.length === 2
        ? `  | ${builds[1].name}/${builds[0].name} 1t ${(median(times[0][1]) / median(times[1][1])).toFixed(2)}×, 2t ${(median(times[0][2]) / median(times[1][2])).toFixed(2)}×`
        : '';
    console.log(`  ${op.padEnd(12)} ${cells.join('  ')}${versus}`);
  }
}
