// What a supernet ranking (`groupnas bench supernet-ranking --json` / ranking.json) gets right and wrong:
// τ and ρ over all its architectures and over those of runs/ only (one seed's trainings), and Kendall τ of
// each architecture's mean bases per group and mean activation bits against its supernet and its
// stand-alone accuracy (does the supernet reward what training rewards?).
//   node scripts/rank-subsets.mjs ranking.json
import { readFileSync } from 'node:fs';
import { kendallTau, spearmanRho } from '../dist/bench/rank-correlation.js';

const file = process.argv[2];
if (file === undefined) throw new Error('usage: node scripts/rank-subsets.mjs ranking.json');
const ranking = JSON.parse(readFileSync(file, 'utf8'));
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
