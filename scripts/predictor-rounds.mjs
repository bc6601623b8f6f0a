// How many timing rounds does the latency predictor's check need? For each `bench latency-predictor --json`
// file: the share of models within ±10% when only the first 1, 3 or all rounds of the same run are kept
// (each model's measured and predicted medians over those rounds), so the rounds compare on one host spell;
// and, over all rounds, the shares within ±10% and ±5% when each round's prediction is compared with that
// round's measurement (the median of the per-round ratios: how the bench scores a model since it pairs them).
//   node scripts/predictor-rounds.mjs FILE.json …
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

const files = process.argv.slice(2);
if (files.length === 0) throw new Error('usage: node scripts/predictor-rounds.mjs FILE.json …');
const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];

for (const file of files) {
  for (const engine of JSON.parse(readFileSync(file, 'utf8')).engines) {
    const rounds = engine.archs[0].measuredMs.length;
    const within10 = (n) =>
      engine.archs.filter((a) => Math.abs(median(a.roundPredictedMs.slice(0, n)) / median(a.measuredMs.slice(0, n)) - 1) <= 0.1).length / engine.archs.length;
    const counts = [...new Set([1, 3, rounds])].filter((n) => n <= rounds);
    const paired = engine.archs.map((a) => median(a.measuredMs.map((ms, r) => a.roundPredictedMs[r] / ms)) - 1);
    const share = (bound) => (100 * paired.filter((error) => Math.abs(error) <= bound).length) / paired.length;
    console.log(
      `${basename(file)} ${engine.engine}: within ±10% with ${counts.map((n) => `${n} round(s) ${(100 * within10(n)).toFixed(0)}%`).join(', ')}; ` +
        `paired round by round: within ±10% ${share(0.1).toFixed(0)}%, ±5% ${share(0.05).toFixed(0)}%`,
    );
  }
}
