// What a supernet ranking (`groupnas bench supernet-ranking --json` / ranking.json) gets right and wrong:
// τ and ρ over all its architectures and over those of runs/ only (one seed's trainings), and Kendall τ of
// each architecture's mean bases per group and mean activation bits against its supernet and its
// stand-alone accuracy (does the supernet reward what training rewards?). With --stand-alone-from, the
// stand-alone accuracies come from another ranking of the same architectures (a supernet-only run,
// `--no-stand-alone`, of another supernet of the same config and seed samples the same ones).
//   node scripts/rank-subsets.mjs ranking.json [--stand-alone-from other/ranking.json]
import { readFileSync } from 'node:fs';
import { kendallTau, spearmanRho } from '../dist/bench/rank-correlation.js';

const [file, flag, otherFile] = process.argv.slice(2);
if (file === undefined || (flag !== undefined && (flag !== '--stand-alone-from' || otherFile === undefined)))
  throw new Error('usage: node scripts/rank-subsets.mjs ranking.json [--stand-alone-from other/ranking.json]');
const ranking = JSON.parse(readFileSync(file, 'utf8'));
if (otherFile !== undefined) {
  const other = JSON.parse(readFileSync(otherFile, 'utf8'));
  const key = (a) => `${a.name} ${a.bases.join(',')} ${a.bits.join(',')}`;
  const accuracy = new Map(other.archs.map((a) => [key(a), a.standAloneAccuracy]));
  for (const a of ranking.archs) {
    if (!accuracy.has(key(a))) throw new Error(`${otherFile}: has no ${key(a)} (of ${file})`);
    a.standAloneAccuracy = accuracy.get(key(a));
  }
}
const archs = ranking.archs.filter((a) => a.standAloneAccuracy !== undefined);
const supernet = (xs) => xs.map((a) => a.supernetAccuracy);
const standAlone = (xs) => xs.map((a) => a.standAloneAccuracy);
const mean = (v) => v.reduce((s, x) => s + x, 0) / v.length;

for (const [label, xs] of [
  ['all', archs],
  ['runs/ only', archs.filter((a) => a.name.startsWith('runs/'))],
]) {
  if (xs.length < 2) continue;
  console.log(
    `${label.padEnd(12)} n ${xs.length}  τ ${kendallTau(supernet(xs), standAlone(xs)).toFixed(3)}  ρ ${spearmanRho(supernet(xs), standAlone(xs)).toFixed(3)}`,
  );
}
for (const [label, of] of [
  ['mean bases per group', (a) => mean(a.bases)],
  ['mean activation bits', (a) => mean(a.bits)],
]) {
  const x = archs.map(of);
  console.log(
    `${label}: τ with the supernet's accuracy ${kendallTau(x, supernet(archs)).toFixed(3)}, with stand-alone ${kendallTau(x, standAlone(archs)).toFixed(3)}`,
  );
}
const range = (v) => `${(Math.min(...v) * 100).toFixed(2)}–${(Math.max(...v) * 100).toFixed(2)}%`;
console.log(`accuracy ranges: supernet ${range(supernet(archs))}, stand-alone ${range(standAlone(archs))}`);
