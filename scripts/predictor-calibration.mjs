// Would one calibration factor fix the latency table's bias? For each `bench latency-predictor --json`
// file: the share of models within ±10% as measured, and after scaling every prediction by the median
// measured/predicted ratio of the first N models (what timing N whole models beside the table would
// give), counted over the other models only.
//   node scripts/predictor-calibration.mjs [--first N] FILE.json …
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

const args = process.argv.slice(2);
const firstAt = args.indexOf('--first');
const first = firstAt >= 0 ? Number(args.splice(firstAt, 2)[1]) : 5;
if (args.length === 0) throw new Error('usage: node scripts/predictor-calibration.mjs [--first N] FILE.json …');
const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];
const shareWithin = (errors, bound) => errors.filter((e) => Math.abs(e) <= bound).length / errors.length;

for (const file of args) {
  for (const engine of JSON.parse(readFileSync(file, 'utf8')).engines) {
    const archs = engine.archs;
    const errors = archs.map((a) => (a.predictedMs - a.medianMs) / a.medianMs);
    const factor = median(archs.slice(0, first).map((a) => a.medianMs / a.predictedMs));
    const calibrated = archs.slice(first).map((a) => (a.predictedMs * factor - a.medianMs) / a.medianMs);
    const meanError = errors.reduce((s, e) => s + e, 0) / errors.length;
    console.log(
      `${basename(file)} ${engine.engine}: within ±10% ${(100 * shareWithin(errors, 0.1)).toFixed(0)}% (mean error ${(100 * meanError).toFixed(1)}%); ` +
        `× ${factor.toFixed(3)} from the first ${first}: ${(100 * shareWithin(calibrated, 0.1)).toFixed(0)}% of the other ${calibrated.length}`,
    );
  }
}
