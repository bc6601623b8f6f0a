/** `results.md`: a reproduction's table beside the supplement's ImageNet numbers, and the orderings' verdicts. */
import type { OrderingVerdict } from './orderings.js';
import type { PresetResult, ReproductionResults } from './results.js';

const pct = (v: number) => v.toFixed(2);

function accuracyCells(r: PresetResult): [string, string] {
  if (!r.accuracy) return ['not trained yet', '–'];
  const a = r.accuracy;
  return [a.count > 1 ? `${pct(a.mean)}% ± ${pct(a.std)}` : `${pct(a.mean)}%`, a.count > 1 ? `${pct(a.min)}–${pct(a.max)}` : '–'];
}

function seedsCell(r: PresetResult, asked: number): string {
  const done = r.runs.map((run) => run.seed).join(', ');
  return r.runs.length === asked ? done : `${r.runs.length} of ${asked}${done ? ` (${done})` : ''}`;
}

const VERDICT_MARK: Record<OrderingVerdict['status'], string> = { holds: '✓ holds', 'does not hold': '✗ does not hold', incomplete: '… incomplete' };

/** A row's short budget: epochs × training images (the full budget is in the line above the table). */
function budgetCell(res: ReproductionResults): string {
  const t = res.budget.training;
  return `${t.epochs} ep × ${t.limit ?? res.dataset.train} img`;
}

export function resultsMarkdown(res: ReproductionResults): string {
  const lines = [
    `# groupnas reproduce ${res.table}: ${res.title}`,
    '',
    `Test accuracy on ${res.dataset.name} (${res.dataset.checksum.slice(0, 12)}…), mean ± sample std over seeds; the supplement's numbers are ImageNet ` +
      `top-1 (ResNet-18) and are shown for the trend only.`,
    '',
    `Budget: ${res.budgetText}.`,
    '',
    '| preset | test accuracy | min–max | seeds | budget | supplement top-1 | supplement row |',
    '|---|---|---|---|---|---|---|',
    ...res.rows.map((r) => {
      const [acc, range] = accuracyCells(r);
      const row = `${r.supplement.cite}${r.note ? `; ${r.note}` : ''}`;
      return `| ${r.preset} | ${acc} | ${range} | ${seedsCell(r, res.seeds.length)} | ${budgetCell(res)} | ${r.supplement.top1.toFixed(1)}% | ${row} |`;
    }),
    '',
    '| ordering | supplement | here | verdict |',
    '|---|---|---|---|',
    ...res.orderings.map((o) => `| ${o.claim} | ${o.source} | ${o.detail} | ${VERDICT_MARK[o.status]} |`),
    '',
  ];
  if (!res.complete) lines.push(`Incomplete: rerun the same command to train the missing rows (finished rows are kept, a partial row resumes).`, '');
  return lines.join('\n');
}
