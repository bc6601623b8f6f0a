#!/usr/bin/env node
// The supplement's §S3 comparison on a segmentation set, small scale: every row trained with
// `groupnas train --task segmentation` at one budget and several seeds (sequentially, each run
// resumable: rerun the same command after a kill), exported to .gnb, run by the packed engine
// (`groupnas infer`: mIoU on the test images and latency at batch 1, all rows timed side by side
// in this one invocation), costed by `summarize` (BOPs, float MACs), then printed as a Markdown
// table with the supplement's orderings marked as holding or not.
//
//   node scripts/segmentation-comparison.mjs --data DIR --out DIR [--seeds 1,2] [--epochs 3]
//        [--limit 1000] [--test-limit 400] [--width-mult 0.5] [--rows a,b] [--train-only]
//        [--kernels native] [--seconds 1] [--collect-only] [--tabulate]
//
// Runs land in OUT/<row>-s<seed>/; the table also goes to OUT/comparison.json. --train-only stops
// after the training; --collect-only tabulates the finished runs without training any; --tabulate
// prints the table of the last OUT/comparison.json again, measuring nothing.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'bin', 'groupnas.js');
const { summarize } = await import(join(root, 'dist', 'index.js'));

/** The rows: [name, what it is, its train options]. K = 5 bases, and K = 5 float branches for multi-dilation. */
const ROWS = [
  ['fp-32s-d1-1', 'FP, FCN-32s, dilations (1,1)', '--preset fp --fcn 32s --dilations 1,1'],
  ['fp-32s-d2-4', 'FP, FCN-32s, dilations (2,4)', '--preset fp --fcn 32s --dilations 2,4'],
  ['fp-32s-d4-8', 'FP, FCN-32s, dilations (4,8)', '--preset fp --fcn 32s --dilations 4,8'],
  ['fpmulti-32s-d4-8', 'FP multi-dilation (5 float branches at 1,2,4,8,16), FCN-32s', '--preset fp --fcn 32s --dilations 4,8 --bpac 1,2,4,8,16'],
  ['fp-16s-d4-8', 'FP, FCN-16s, dilations (4,8)', '--preset fp --fcn 16s --dilations 4,8'],
  ['gn5-32s-d4-8', 'Group-Net K=5, FCN-32s, dilations (4,8)', '--preset groupnet-k5 --fcn 32s --dilations 4,8'],
  ['gn5bpac-32s-d4-8', 'Group-Net K=5 + BPAC (rates 1,2,4,8,16), FCN-32s', '--preset groupnet-k5 --fcn 32s --dilations 4,8 --bpac 1,2,4,8,16'],
];

/** The supplement's claims: `better` ≥ `worse` in mIoU (a chain when `better` is a list, best first). */
const ORDERINGS = [
  { claim: 'FP: dilations (4,8) ≥ (2,4) ≥ (1,1) (Figure S2: (4,8) best)', chain: ['fp-32s-d4-8', 'fp-32s-d2-4', 'fp-32s-d1-1'] },
  { claim: 'FP multi-dilation ≥ FP (Table S3)', chain: ['fpmulti-32s-d4-8', 'fp-32s-d4-8'], flopsRatio: true },
  { claim: 'Group-Net + BPAC ≥ Group-Net (Table S3, paper §4.4)', chain: ['gn5bpac-32s-d4-8', 'gn5-32s-d4-8'] },
  { claim: 'FCN-16s ≥ FCN-32s (FP, (4,8); Table S3)', chain: ['fp-16s-d4-8', 'fp-32s-d4-8'] },
];

const { values: args } = parseArgs({
  options: {
    data: { type: 'string' },
    out: { type: 'string' },
    seeds: { type: 'string', default: '1,2' },
    epochs: { type: 'string', default: '3' },
    limit: { type: 'string', default: '1000' },
    'test-limit': { type: 'string', default: '400' },
    'width-mult': { type: 'string', default: '0.5' },
    rows: { type: 'string' },
    kernels: { type: 'string', default: 'auto' },
    seconds: { type: 'string', default: '1' },
    'train-only': { type: 'boolean', default: false },
    'collect-only': { type: 'boolean', default: false },
    tabulate: { type: 'boolean', default: false },
  },
});
if (args.data === undefined || args.out === undefined) {
  console.error('usage: node scripts/segmentation-comparison.mjs --data DIR --out DIR [--seeds 1,2] [--epochs 3] [--limit 1000] [--test-limit 400] ...');
  process.exit(2);
}
const seeds = args.seeds.split(',').map(Number);
const rows = args.rows === undefined ? ROWS : ROWS.filter(([name]) => args.rows.split(',').includes(name));

const groupnas = (argv, json = true) => {
  const out = execFileSync(process.execPath, [cli, ...argv, ...(json ? ['--json'] : [])], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  return json ? JSON.parse(out) : out;
};
const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));

// 1. Train what is missing, row after row (a run with a checkpoint resumes).
for (const [name, , options] of args['collect-only'] || args.tabulate ? [] : rows) {
  for (const seed of seeds) {
    const dir = join(args.out, `${name}-s${seed}`);
    if (existsSync(join(dir, 'result.json'))) continue;
    console.error(`segmentation-comparison: training ${name} seed ${seed}`);
    if (existsSync(join(dir, 'checkpoint.gnck'))) groupnas(['train', '--resume', dir, '--kernels', args.kernels]);
    else
      groupnas([
        'train',
        '--task',
        'segmentation',
        '--data',
        args.data,
        '--width-mult',
        args['width-mult'],
        '--epochs',
        args.epochs,
        '--limit',
        args.limit,
        '--test-limit',
        args['test-limit'],
        '--kernels',
        args.kernels,
        '--seed',
        String(seed),
        '--out',
        dir,
        ...options.split(' '),
      ]);
  }
}
if (args['train-only']) process.exit(0);

// 2. Per run: the packed engine's mIoU and latency; per row: costs of its architecture.
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs) => (xs.length < 2 ? 0 : Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1)));
const comparisonFile = join(args.out, 'comparison.json');
const table = args.tabulate ? readJson(comparisonFile).table : [];
for (const [name, label] of args.tabulate ? [] : rows) {
  const runs = [];
  let arch;
  for (const seed of seeds) {
    const dir = join(args.out, `${name}-s${seed}`);
    if (!existsSync(join(dir, 'result.json'))) continue;
    const model = join(dir, 'model.gnb');
    if (!existsSync(model)) groupnas(['export', '--run', dir, '--out', model]);
    const result = readJson(join(dir, 'result.json'));
    const infer = groupnas(['infer', '--model', model, '--data', args.data, '--limit', String(result.testImages), '--seconds', args.seconds]);
    runs.push({
      seed,
      miou: result.testMiou,
      pixelAccuracy: result.testAccuracy,
      packedMiou: infer.segmentation.miou,
      latencyMs: infer.latency.find((l) => l.batch === 1).medianSeconds * 1000,
      engine: infer.engine,
    });
    arch = readJson(join(dir, 'run.json')).arch;
  }
  if (runs.length === 0) continue;
  const totals = summarize(arch).totals;
  const mious = runs.map((r) => r.miou);
  table.push({
    name,
    label,
    runs,
    miou: mean(mious),
    miouSd: sd(mious),
    bops: totals.bops,
    floatMacs: totals.floatMacs,
  });
}
if (!args.tabulate) writeFileSync(comparisonFile, `${JSON.stringify({ seeds, table }, null, 2)}\n`);

// 3. The Markdown: the table, then each ordering with its verdict.
const pct = (x) => (100 * x).toFixed(1);
const count = (x) => (x >= 1e9 ? `${(x / 1e9).toFixed(2)}G` : x >= 1e6 ? `${(x / 1e6).toFixed(1)}M` : x >= 1e3 ? `${(x / 1e3).toFixed(1)}k` : String(x));
const lines = [
  '| row | mIoU % (mean ± sd) | per seed | packed-engine mIoU % | pixel acc. % | BOPs | float MACs | latency ms (batch 1, per seed) |',
  '|---|---|---|---|---|---|---|---|',
  ...table.map(
    (r) =>
      `| ${r.label} | ${pct(r.miou)} ± ${pct(r.miouSd)} | ${r.runs.map((x) => pct(x.miou)).join(', ')} | ${r.runs.map((x) => pct(x.packedMiou)).join(', ')} | ` +
      `${pct(mean(r.runs.map((x) => x.pixelAccuracy)))} | ${count(r.bops)} | ${count(r.floatMacs)} | ${r.runs.map((x) => x.latencyMs.toPrecision(3)).join(', ')} |`,
  ),
  '',
];
const byName = new Map(table.map((r) => [r.name, r]));
for (const o of ORDERINGS) {
  const chain = o.chain.map((n) => byName.get(n));
  if (chain.some((r) => r === undefined)) {
    lines.push(`- ${o.claim}: not measured`);
    continue;
  }
  const holds = chain.every((r, i) => i === 0 || chain[i - 1].miou >= r.miou);
  const gaps = chain.slice(1).map((r, i) => {
    const gap = chain[i].miou - r.miou;
    const noise = Math.hypot(chain[i].miouSd, r.miouSd);
    return `${gap >= 0 ? '+' : '−'}${pct(Math.abs(gap))} pt${Math.abs(gap) < noise ? ' (within the seeds’ spread)' : ''}`;
  });
  const cost = o.flopsRatio ? `; float MACs ×${(chain[0].floatMacs / chain[1].floatMacs).toFixed(2)}` : '';
  lines.push(`- ${o.claim}: **${holds ? 'holds' : 'does not hold'}** (${chain.map((r) => pct(r.miou)).join(' vs ')}; gaps ${gaps.join(', ')}${cost})`);
}
console.log(lines.join('\n'));
