// How many timing rounds does the latency predictor's check need? For each `bench latency-predictor --json`
// file: the share of models within ±10% when only the first 1, 3 or all rounds of the same run are kept
// (each model's measured and predicted medians over those rounds), so the rounds compare on one host spell.
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
    console.log(`${basename(file)} ${engine.engine}: within ±10% with ${counts.map((n) => `${n} round(s) ${(100 * within10(n)).toFixed(0)}%`).join(', ')}`);
  }
}
