/**
 * `pareto.svg`: accuracy vs measured latency and accuracy vs BOPs side by side (hand-written SVG,
 * no dependencies, like alpha.svg). Every point is labelled; points on a panel's Pareto front are
 * filled and joined by the front's staircase, dominated ones are hollow. Point kinds (search
 * candidates, hand-designed presets, the chosen architecture) get their own colours. Axes are in
 * rounded steps (plot-axis.ts). `paretoPanelPoints` is what a panel shows — the same for this
 * figure and `groupnas serve`'s interactive plot.
 */
import { escapeXml, niceAxis, tickLabel } from './plot-svg.js';
import { accuracyVersusCost, paretoFront } from './pareto.js';

export interface ParetoPoint {
  label: string;
  /** Test accuracy in [0, 1]. */
  accuracy: number;
  /** Measured latency; points without it are left out of the latency panel. */
  latencyMs?: number;
  bops?: number;
  /** Colour group, e.g. `candidate`, `preset`, `chosen` (default `candidate`). */
  kind?: string;
  /** Position in its evaluation (candidates or presets), for a viewer that looks the architecture up. */
  index?: number;
}

/** A panel's points: those with a finite accuracy and cost, and which of them are on the accuracy/cost front. */
export interface PanelPoints {
  shown: ParetoPoint[];
  /** Indices into `shown`, ordered by cost (cheapest first). */
  front: number[];
}

export function paretoPanelPoints(points: readonly ParetoPoint[], costName: string, cost: (p: ParetoPoint) => number | undefined): PanelPoints {
  const shown = points.filter((p) => {
    const c = cost(p);
    return c !== undefined && Number.isFinite(c) && Number.isFinite(p.accuracy);
  });
  return {
    shown,
    front: paretoFront(
      shown,
      accuracyVersusCost(
        (p: ParetoPoint) => p.accuracy,
        costName,
        (p) => cost(p)!,
      ),
    ),
  };
}

interface Panel {
  title: string;
  axis: string;
  cost: (p: ParetoPoint) => number | undefined;
  /** A tick or value label; `step` is the tick spacing (absent for a point's own value). */
  format: (v: number, step?: number) => string;
}

const PANEL_W = 420;
const PANEL_H = 320;
const PAD = { left: 52, right: 16, top: 30, bottom: 42 };
const HEADER = 30;
const LEGEND = 26;
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b'];

/** 1.23k, 4.5M, 6.7G: BOPs span many orders of magnitude. */
function formatCount(v: number): string {
  const units: [number, string][] = [
    [1e12, 'T'],
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  for (const [scale, unit] of units) if (Math.abs(v) >= scale) return `${Number((v / scale).toPrecision(3))}${unit}`;
  return `${Number(v.toPrecision(3))}`;
}

function formatMs(v: number, step?: number): string {
  return step !== undefined ? tickLabel(v, step) : `${Number(v.toPrecision(3))}`;
}

/** Rounded ticks over the values with a little margin, so no point sits on the frame. */
function axisOver(values: number[], floorAtZero: boolean) {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const margin = (hi - lo) * 0.06;
  return niceAxis(floorAtZero ? Math.max(0, lo - margin) : lo - margin, hi + margin, 5);
}

function panelSvg(panel: Panel, points: readonly ParetoPoint[], colorOf: (kind: string) => string, x0: number, y0: number, score: string): string {
  const w = PANEL_W - PAD.left - PAD.right;
  const h = PANEL_H - PAD.top - PAD.bottom;
  const left = x0 + PAD.left;
  const top = y0 + PAD.top;
  const parts: string[] = [
    `<text x="${left}" y="${y0 + 18}" font-size="12" font-weight="bold">${escapeXml(panel.title)}</text>`,
    `<rect x="${left}" y="${top}" width="${w}" height="${h}" fill="none" stroke="#999"/>`,
    `<text x="${left + w / 2}" y="${y0 + PANEL_H - 6}" font-size="10" text-anchor="middle">${escapeXml(panel.axis)}</text>`,
    `<text x="${x0 + 12}" y="${top + h / 2}" font-size="10" text-anchor="middle" transform="rotate(-90 ${x0 + 12} ${top + h / 2})">test ${escapeXml(score)} (%)</text>`,
  ];
  const { shown, front } = paretoPanelPoints(points, panel.axis, panel.cost);
  if (shown.length === 0) {
    parts.push(`<text x="${left + w / 2}" y="${top + h / 2}" font-size="11" text-anchor="middle" fill="#777">no measured points</text>`);
    return parts.join('\n');
  }
  const costOf = (p: ParetoPoint) => panel.cost(p)!;
  const xAxis = axisOver(shown.map(costOf), true);
  const yAxis = axisOver(
    shown.map((p) => p.accuracy * 100),
    false,
  );
  const px = (v: number) => left + ((v - xAxis.lo) / (xAxis.hi - xAxis.lo)) * w;
  const py = (accuracy: number) => top + (1 - (accuracy * 100 - yAxis.lo) / (yAxis.hi - yAxis.lo)) * h;
  for (const xv of xAxis.ticks) {
    const x = px(xv);
    parts.push(`<line x1="${x.toFixed(1)}" y1="${top + h}" x2="${x.toFixed(1)}" y2="${top + h + 4}" stroke="#999"/>`);
    parts.push(`<text x="${x.toFixed(1)}" y="${top + h + 15}" font-size="9" text-anchor="middle">${panel.format(xv, xAxis.step)}</text>`);
  }
  for (const yv of yAxis.ticks) {
    const y = top + (1 - (yv - yAxis.lo) / (yAxis.hi - yAxis.lo)) * h;
    if (yv > yAxis.lo && yv < yAxis.hi) parts.push(`<line x1="${left}" y1="${y.toFixed(1)}" x2="${left + w}" y2="${y.toFixed(1)}" stroke="#eee"/>`);
    parts.push(`<line x1="${left - 4}" y1="${y.toFixed(1)}" x2="${left}" y2="${y.toFixed(1)}" stroke="#999"/>`);
    parts.push(`<text x="${left - 6}" y="${(y + 3).toFixed(1)}" font-size="9" text-anchor="end">${tickLabel(yv, yAxis.step)}</text>`);
  }
  // The front as a staircase: from each point, along its accuracy to the next point's cost, then up.
  if (front.length > 1) {
    const steps = front.map((i) => shown[i]!);
    let d = `M${px(costOf(steps[0]!)).toFixed(1)},${py(steps[0]!.accuracy).toFixed(1)}`;
    for (const p of steps.slice(1)) d += ` H${px(costOf(p)).toFixed(1)} V${py(p.accuracy).toFixed(1)}`;
    parts.push(`<path d="${d}" fill="none" stroke="#555" stroke-width="1" stroke-dasharray="4 3"/>`);
  }
  const onFront = new Set(front);
  shown.forEach((p, i) => {
    const color = colorOf(p.kind ?? 'candidate');
    const x = px(costOf(p));
    const y = py(p.accuracy);
    const fill = onFront.has(i) ? color : 'white';
    parts.push(
      `<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="4" fill="${fill}" stroke="${color}" stroke-width="1.5"><title>${escapeXml(`${p.label}: ${(p.accuracy * 100).toFixed(2)}%, ${panel.format(costOf(p))}`)}</title></circle>`,
    );
    // Labels of points in the right third go to their left, so they stay inside the figure.
    const leftward = x > left + w * 0.66;
    const anchor = leftward ? ' text-anchor="end"' : '';
    parts.push(
      `<text x="${(leftward ? x - 6 : x + 6).toFixed(1)}" y="${(y - 5).toFixed(1)}"${anchor} font-size="9" fill="${color}">${escapeXml(p.label)}</text>`,
    );
  });
  return parts.join('\n');
}

/** Both panels as one SVG document; `score` names what the points' `accuracy` holds (segmentation: `mIoU`). */
export function paretoSvg(points: readonly ParetoPoint[], title: string, score = 'accuracy'): string {
  const kinds = [...new Set(points.map((p) => p.kind ?? 'candidate'))];
  const colorOf = (kind: string) => COLORS[Math.max(0, kinds.indexOf(kind)) % COLORS.length]!;
  const panels: Panel[] = [
    { title: `${score} vs measured latency`, axis: 'measured latency (ms, batch 1)', cost: (p) => p.latencyMs, format: formatMs },
    { title: `${score} vs BOPs`, axis: 'BOPs (binary MACs × activation bits)', cost: (p) => p.bops, format: formatCount },
  ];
  const width = panels.length * PANEL_W;
  const height = HEADER + PANEL_H + LEGEND;
  const legendY = HEADER + PANEL_H + 16;
  const legend = kinds.map(
    (kind, i) =>
      `<circle cx="${PAD.left + i * 110}" cy="${legendY - 4}" r="4" fill="${colorOf(kind)}"/><text x="${PAD.left + 8 + i * 110}" y="${legendY}" font-size="10">${escapeXml(kind)}</text>`,
  );
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="8" y="20" font-size="14">${escapeXml(title)}</text>`,
    ...panels.map((panel, i) => panelSvg(panel, points, colorOf, i * PANEL_W, HEADER, score)),
    ...legend,
    `<text x="${PAD.left + kinds.length * 110}" y="${legendY}" font-size="10" fill="#555">filled = on the Pareto front (dashed), hollow = dominated</text>`,
    '</svg>',
    '',
  ].join('\n');
}
