// A supernet search step (weight step + α step, first order, as `groupnas bench supernet-step` times
// it) of the default config under two builds of groupnas, side by side in one process on one wasm
// backend: rounds alternate which build goes first, and each step is timed in CPU time
// (process.cpuUsage) as well as wall time, so other processes' load does not decide the ratio.
//
//   node scripts/supernet-step-ab.mjs BEFORE_ROOT AFTER_ROOT [ROUNDS=2] [STEPS=2] [BATCH=64]
//
// BEFORE_ROOT / AFTER_ROOT: package roots with a built dist/ (e.g. `git archive main | tar -x` + build)
// sharing one node_modules (symlink it), so that both run on the same tfjs engine.
import { resolve } from 'node:path';

const [beforeRoot, afterRoot, ...rest] = process.argv.slice(2);
if (!beforeRoot || !afterRoot) {
  console.error('usage: node scripts/supernet-step-ab.mjs BEFORE_ROOT AFTER_ROOT [ROUNDS] [STEPS] [BATCH]');
  process.exit(2);
}
const [rounds = 2, steps = 2, batch = 64] = rest.map(Number);
const builds = {};
for (const [name, root] of [
  ['before', beforeRoot],
  ['after', afterRoot],
]) {
  const dist = resolve(root, 'dist');
  builds[name] = {
    space: await import(`${dist}/space/index.js`),
    search: await import(`${dist}/search/index.js`),
    random: await import(`${dist}/util/random.js`),
    tf: await import(`${dist}/util/tfjs.js`),
  };
}
const tf = builds.before.tf;
if (tf.engine() !== builds.after.tf.engine()) throw new Error('the two builds load different tfjs engines: give them one node_modules');
const { selectBackend } = await import(`${resolve(beforeRoot, 'dist')}/backend/select.js`);
await selectBackend('wasm');

/** Median CPU and wall milliseconds of `fn` over `steps` calls after one warm-up call. */
function time(fn) {
  fn();
  const cpu = [];
  const wall = [];
  for (let s = 0; s < steps; s++) {
    const c = process.cpuUsage();
    const w = performance.now();
    fn();
    wall.push(performance.now() - w);
    const d = process.cpuUsage(c);
    cpu.push((d.user + d.system) / 1000);
  }
  return { cpu: median(cpu), wall: median(wall) };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function searchStep(name) {
  const { space: sp, search: se, random } = builds[name];
  const space = sp.spaceFromConfig(sp.loadConfig(sp.DEFAULT_CONFIG_FILE, []));
  const rng = random.createRng(0);
  const { height, width, channels } = space.template.input;
  const x = tf.tensor4d(
    Float32Array.from({ length: batch * height * width * channels }, () => rng() * 2 - 1),
    [batch, height, width, channels],
  );
  const y = tf.tensor1d(
    Int32Array.from({ length: batch }, () => random.randomInt(rng, space.template.head.classes)),
    'int32',
  );
  const layout = se.supernetLayout(space);
  const supernet = new se.Supernet(layout, { seed: 0 });
  const alpha = new se.ArchitectureWeights(space);
  const bilevel = new se.BilevelTrainer(
    supernet,
    alpha,
    se.bopsCostModel(layout),
    { kind: 'none', target: 1, scale: 1, exponent: 0, weight: 0 },
    {
      weightOptimizer: { type: 'adam', lr: 1e-3, momentum: 0.9, weightDecay: 5e-4 },
      weightSchedule: { kind: 'constant' },
      archOptimizer: { lr: 3e-4, beta1: 0.5, beta2: 0.999, weightDecay: 1e-3 },
      order: 'first',
    },
  );
  try {
    return { weight: time(() => bilevel.weightStep(x, y)), arch: time(() => bilevel.architectureStep({ x, y }, { x, y })) };
  } finally {
    bilevel.dispose();
    alpha.dispose();
    supernet.dispose();
    tf.dispose([x, y]);
  }
}

const results = { before: [], after: [] };
for (let r = 0; r < rounds; r++) {
  for (const name of r % 2 === 0 ? ['before', 'after'] : ['after', 'before']) {
    const t = searchStep(name);
    results[name].push(t);
    console.log(
      `round ${r} ${name.padEnd(6)} weight step ${t.weight.cpu.toFixed(0)} ms CPU (${t.weight.wall.toFixed(0)} wall), α step ${t.arch.cpu.toFixed(0)} ms CPU (${t.arch.wall.toFixed(0)} wall)`,
    );
  }
}
for (const step of ['weight', 'arch']) {
  for (const clock of ['cpu', 'wall']) {
    const b = median(results.before.map((t) => t[step][clock]));
    const a = median(results.after.map((t) => t[step][clock]));
    console.log(
      `${step === 'weight' ? 'weight step' : 'α step     '} ${clock.padEnd(4)}: before ${b.toFixed(0)} ms, after ${a.toFixed(0)} ms, after/before ${(a / b).toFixed(3)}`,
    );
  }
}
