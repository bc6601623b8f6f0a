// Would one calibration factor fix the latency table's bias? For each `bench latency-predictor --json`
// file: the share of models within ±10% as measured, and after scaling every prediction by the median
// measured/predicted ratio of the first N models (what timing N whole models beside the table would
// give), counted over the other models only. With --draws D: the N models are D seeded random subsets
// instead, and the share's median, 10th percentile and minimum over them are printed. A file whose
// predictions carry a calibration factor (`calibration.factor`) is read without it.
//   node scripts/predictor-calibration.mjs [--first N] [--draws D] FILE.json …
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { createRng } from '../dist/util/random.js';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(name);
  return at >= 0 ? Number(args.splice(at, 2)[1]) : fallback;
};
const first = option('--first', 5);
const draws = option('--draws', 0);
if (args.length === 0) throw new Error('usage: node scripts/predictor-calibration.mjs [--first N] [--draws D] FILE.json …');
const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];
const shareWithin = (errors, bound) => errors.filter((e) => Math.abs(e) <= bound).length / errors.length;
const pct = (v) => `${(100 * v).toFixed(0)}%`;

/** Share within ±10% of the models outside `chosen` once scaled by the median ratio of those in it. */
function calibratedShare(ratios, chosen) {
  const factor = median(chosen.map((i) => ratios[i]));
  const inside = new Set(chosen);
  const rest = ratios.filter((_, i) => !inside.has(i));
  return {
    factor,
    share: shareWithin(
      rest.map((r) => factor / r - 1),
      0.1,
    ),
    count: rest.length,
  };
}

for (const file of args) {
  for (const engine of JSON.parse(readFileSync(file, 'utf8')).engines) {
    const scale = engine.calibration?.factor ?? 1;
    const ratios = engine.archs.map((a) => a.medianMs / (a.predictedMs / scale));
    const errors = ratios.map((r) => 1 / r - 1);
    const meanError = errors.reduce((s, e) => s + e, 0) / errors.length;
    const head = `${basename(file)} ${engine.engine}: within ±10% ${pct(shareWithin(errors, 0.1))} (mean error ${(100 * meanError).toFixed(1)}%)`;
    if (draws === 0) {
      const { factor, share, count } = calibratedShare(ratios, [...Array(first).keys()]);
      console.log(`${head}; × ${factor.toFixed(3)} from the first ${first}: ${pct(share)} of the other ${count}`);
      continue;
    }
    const random = createRng(1);
    const shares = Array.from({ length: draws }, () => {
      const order = ratios.map((_, i) => [random(), i]).sort((a, b) => a[0] - b[0]);
      return calibratedShare(
        ratios,
        order.slice(0, first).map(([, i]) => i),
      ).share;
    }).sort((a, b) => a - b);
    console.log(
      `${head}; a factor from ${first} random models of the run, ${draws} draws: ` +
        `median ${pct(shares[draws >> 1])}, 10th percentile ${pct(shares[Math.floor(draws / 10)])}, minimum ${pct(shares[0])} of the others`,
    );
  }
}
