/**
 * `alpha.svg`: one small panel per search variable, each choice's probability over the epochs
 * (hand-written SVG, no dependencies). How a user sees whether α settled, oscillated or collapsed.
 */

export interface AlphaSeries {
  /** Variable id, e.g. `bases@2`. */
  id: string;
  choices: string[];
  /** `probabilities[epoch][choice]`. */
  probabilities: number[][];
}

const PANEL_W = 220;
const PANEL_H = 120;
const PAD = { left: 34, right: 8, top: 22, bottom: 20 };
const COLUMNS = 4;
const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];

function escapeXml(s: string): string {
  return s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);
}

function panel(series: AlphaSeries, x0: number, y0: number): string {
  const w = PANEL_W - PAD.left - PAD.right;
  const h = PANEL_H - PAD.top - PAD.bottom;
  const epochs = series.probabilities.length;
  const px = (e: number) => x0 + PAD.left + (epochs <= 1 ? w / 2 : (e / (epochs - 1)) * w);
  const py = (p: number) => y0 + PAD.top + (1 - p) * h;
  const parts: string[] = [
    `<text x="${x0 + PAD.left}" y="${y0 + 14}" font-size="11" font-weight="bold">${escapeXml(series.id)}</text>`,
    `<rect x="${x0 + PAD.left}" y="${y0 + PAD.top}" width="${w}" height="${h}" fill="none" stroke="#999"/>`,
    `<text x="${x0 + PAD.left - 4}" y="${py(1) + 4}" font-size="9" text-anchor="end">1</text>`,
    `<text x="${x0 + PAD.left - 4}" y="${py(0) + 3}" font-size="9" text-anchor="end">0</text>`,
    `<text x="${x0 + PAD.left + w}" y="${y0 + PANEL_H - 6}" font-size="9" text-anchor="end">epoch ${epochs}</text>`,
  ];
  // legend entries laid out by their length (≈5.5 px per character at font size 9), so long names don't overlap
  let legendX = x0 + PAD.left + 4;
  series.choices.forEach((choice, c) => {
    const color = COLORS[c % COLORS.length]!;
    const points = series.probabilities.map((p, e) => `${px(e).toFixed(1)},${py(p[c]!).toFixed(1)}`);
    if (points.length === 1) parts.push(`<circle cx="${points[0]!.split(',')[0]}" cy="${points[0]!.split(',')[1]}" r="2.5" fill="${color}"/>`);
    else parts.push(`<polyline fill="none" stroke="${color}" stroke-width="1.5" points="${points.join(' ')}"/>`);
    parts.push(`<text x="${legendX.toFixed(1)}" y="${y0 + PANEL_H - 6}" font-size="9" fill="${color}">${escapeXml(choice)}</text>`);
    legendX += String(choice).length * 5.5 + 8;
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
