/**
 * `alpha.svg`: one small panel per search variable, each choice's probability over the epochs
 * (hand-written SVG, no dependencies). How a user sees whether α settled, oscillated or collapsed.
 * Choices that overlap (two probabilities equal for a while) stay apart: each has its own colour,
 * dash pattern and marker, and earlier choices are drawn wider underneath later ones.
 * `alphaSeriesOf` shapes search.json for this figure and for `groupnas serve`'s live chart alike.
 */
import { escapeXml, niceAxis, tickLabel } from './plot-svg.js';
import type { SearchLog } from './search-directory.js';

export interface AlphaSeries {
  /** Variable id, e.g. `bases@2`. */
  id: string;
  choices: string[];
  /** `probabilities[epoch][choice]`. */
  probabilities: number[][];
}

/** One series per variable of a search.json: its choices' probabilities over the epochs logged so far. */
export function alphaSeriesOf(log: Pick<SearchLog, 'variables' | 'epochs'>): AlphaSeries[] {
  return log.variables.map((v, i) => ({ id: v.id, choices: v.choices.map(String), probabilities: log.epochs.map((e) => e.probabilities[i] ?? []) }));
}

const PANEL_W = 280;
const PANEL_H = 196;
const PAD = { left: 46, right: 12, top: 24, bottom: 64 };
const COLUMNS = 3;
export const CHOICE_COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];
export const CHOICE_DASHES = ['', '7 3', '2 2', '9 3 2 3', '4 4', '1 3'];
const MARKERS = ['circle', 'square', 'triangle', 'diamond'] as const;

/** How choice `c` of a variable is drawn, here and in the dashboard's α charts: earlier choices wider, so a later one on top leaves them visible. */
export function choiceStyle(c: number): { color: string; dash: string; width: number; marker: (typeof MARKERS)[number] } {
  return {
    color: CHOICE_COLORS[c % CHOICE_COLORS.length]!,
    dash: CHOICE_DASHES[c % CHOICE_DASHES.length]!,
    width: Math.max(1.2, 3.2 - 0.7 * c),
    marker: MARKERS[c % MARKERS.length]!,
  };
}
/** Markers on every epoch only while they stay apart. */
const MAX_MARKED_EPOCHS = 30;

function marker(kind: (typeof MARKERS)[number], x: number, y: number, color: string): string {
  const r = 2.6;
  const at = (dx: number, dy: number) => `${(x + dx).toFixed(1)},${(y + dy).toFixed(1)}`;
  if (kind === 'circle') return `<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="${r}" fill="${color}"/>`;
  if (kind === 'square') return `<rect x="${(x - r).toFixed(1)}" y="${(y - r).toFixed(1)}" width="${2 * r}" height="${2 * r}" fill="${color}"/>`;
  if (kind === 'triangle') return `<polygon points="${at(0, -r - 0.6)} ${at(r, r)} ${at(-r, r)}" fill="${color}"/>`;
  return `<polygon points="${at(0, -r - 0.4)} ${at(r + 0.4, 0)} ${at(0, r + 0.4)} ${at(-r - 0.4, 0)}" fill="${color}"/>`;
}

function panel(series: AlphaSeries, x0: number, y0: number): string {
  const w = PANEL_W - PAD.left - PAD.right;
  const h = PANEL_H - PAD.top - PAD.bottom;
  const left = x0 + PAD.left;
  const top = y0 + PAD.top;
  const epochs = series.probabilities.length;
  // Epochs are counted from 1, as search.json and the progress bars count them.
  const xAxis = epochs <= 1 ? { lo: 0.5, hi: 1.5, ticks: [1], step: 1 } : niceAxis(1, epochs, Math.min(5, epochs - 1));
  if (xAxis.step < 1) Object.assign(xAxis, { ticks: xAxis.ticks.filter(Number.isInteger), step: 1 });
  const px = (epoch: number) => left + ((epoch - xAxis.lo) / (xAxis.hi - xAxis.lo)) * w;
  const py = (p: number) => top + (1 - p) * h;
  const parts: string[] = [
    `<text x="${left}" y="${y0 + 15}" font-size="11" font-weight="bold">${escapeXml(series.id)}</text>`,
    `<rect x="${left}" y="${top}" width="${w}" height="${h}" fill="none" stroke="#999"/>`,
  ];
  for (const p of [0, 0.25, 0.5, 0.75, 1]) {
    const y = py(p).toFixed(1);
    if (p > 0 && p < 1) parts.push(`<line x1="${left}" y1="${y}" x2="${left + w}" y2="${y}" stroke="#e4e4e4"/>`);
    parts.push(`<text x="${left - 4}" y="${(py(p) + 3).toFixed(1)}" font-size="9" text-anchor="end">${p}</text>`);
  }
  for (const t of xAxis.ticks) {
    const x = px(t).toFixed(1);
    parts.push(`<line x1="${x}" y1="${top + h}" x2="${x}" y2="${top + h + 3}" stroke="#999"/>`);
    parts.push(`<text x="${x}" y="${top + h + 13}" font-size="9" text-anchor="middle">${tickLabel(t, xAxis.step)}</text>`);
  }
  parts.push(
    `<text x="${left + w / 2}" y="${top + h + 25}" font-size="10" text-anchor="middle">epoch</text>`,
    `<text x="${x0 + 11}" y="${top + h / 2}" font-size="10" text-anchor="middle" transform="rotate(-90 ${x0 + 11} ${top + h / 2})">probability</text>`,
  );
  const marked = epochs <= MAX_MARKED_EPOCHS;
  // Legend below the axis title: a line sample with its marker, laid out by the names' lengths (≈5.5 px per character).
  let legendX = left;
  let legendY = top + h + 40;
  series.choices.forEach((choice, c) => {
    const { color, dash, width, marker: shape } = choiceStyle(c);
    const dashAttr = dash ? ` stroke-dasharray="${dash}"` : '';
    const points = series.probabilities.map((p, e) => [px(e + 1), py(p[c] ?? 0)] as const);
    if (points.length > 1) {
      const d = points.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ');
      parts.push(`<polyline fill="none" stroke="${color}" stroke-width="${width}"${dashAttr} stroke-linejoin="round" points="${d}"/>`);
    }
    if (marked || points.length === 1) for (const [x, y] of points) parts.push(marker(shape, x, y, color));
    const entryWidth = 26 + String(choice).length * 5.5;
    if (legendX + entryWidth > x0 + PANEL_W && legendX > left) {
      legendX = left;
      legendY += 12;
    }
    parts.push(
      `<line x1="${legendX}" y1="${legendY - 3}" x2="${legendX + 16}" y2="${legendY - 3}" stroke="${color}" stroke-width="${Math.min(width, 2)}"${dashAttr}/>`,
      marker(shape, legendX + 8, legendY - 3, color),
      `<text x="${legendX + 19}" y="${legendY}" font-size="9" fill="${color}">${escapeXml(choice)}</text>`,
    );
    legendX += entryWidth;
  });
  return parts.join('\n');
}

/** The whole figure as an SVG document. */
export function alphaSvg(series: readonly AlphaSeries[], title: string): string {
  const rows = Math.max(1, Math.ceil(series.length / COLUMNS));
  const width = COLUMNS * PANEL_W;
  const height = rows * PANEL_H + 28;
  const panels = series.map((s, i) => panel(s, (i % COLUMNS) * PANEL_W, 28 + Math.floor(i / COLUMNS) * PANEL_H));
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="8" y="18" font-size="13">${escapeXml(title)}</text>`,
    ...panels,
    '</svg>',
    '',
  ].join('\n');
}
