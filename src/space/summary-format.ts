/** The larq-style text table of a summary (what `groupnas summary` prints). */
import type { ArchSummary, LayerSummary } from './summary.js';

/** 1234567 → "1.23 M". */
export function humanCount(n: number): string {
  const units: [number, string][] = [
    [1e12, 'T'],
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  for (const [scale, suffix] of units) if (Math.abs(n) >= scale) return `${(n / scale).toFixed(2)} ${suffix}`;
  return String(Math.round(n * 100) / 100);
}

export function humanBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(2)} KiB`;
  return `${bytes.toFixed(0)} B`;
}

function row(cells: string[], widths: number[]): string {
  return cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
}

export function formatSummary(summary: ArchSummary): string {
  const header = ['layer', 'output', '×K', 'bits', 'binary params', 'float params', 'binary MACs', 'float MACs'];
  const cells = summary.layers.map((l: LayerSummary) => [
    l.name,
    l.outputShape.join('×'),
    String(l.replicas),
    String(l.bits),
    l.binaryParams ? String(l.binaryParams) : '0',
    String(l.floatParams),
    l.binaryMacs ? humanCount(l.binaryMacs) : '0',
    l.floatMacs ? humanCount(l.floatMacs) : '0',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const t = summary.totals;
  const floatMemory = t.params * 4;
  const lines = [
    ...(summary.name ? [`architecture: ${summary.name}`] : []),
    row(header, widths),
    '-'.repeat(widths.reduce((a, b) => a + b + 2, -2)),
    ...cells.map((c) => row(c, widths)),
    '',
    `total params:        ${t.params} (${humanCount(t.params)})`,
    `  binary params:     ${t.binaryParams} (${humanCount(t.binaryParams)})`,
    `  float params:      ${t.floatParams} (${humanCount(t.floatParams)})`,
    `packed memory:       ${humanBytes(t.memoryBytes)} (float32 equivalent ${humanBytes(floatMemory)}, ${(floatMemory / t.memoryBytes).toFixed(2)}× smaller)`,
    `binary MACs:         ${t.binaryMacs} (${humanCount(t.binaryMacs)})`,
    `BOPs:                ${t.bops} (${humanCount(t.bops)})`,
    `float MACs:          ${t.floatMacs} (${humanCount(t.floatMacs)})`,
  ];
  return lines.join('\n');
}
