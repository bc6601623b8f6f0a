import { describe, expect, it } from 'vitest';
import { paretoSvg, type ParetoPoint } from '../../src/search/pareto-plot.js';

const points: ParetoPoint[] = [
  { label: 'chosen', accuracy: 0.9, latencyMs: 1.2, bops: 3e6, kind: 'chosen' },
  { label: 'candidate-1', accuracy: 0.88, latencyMs: 0.8, bops: 2e6 },
  { label: 'candidate-2', accuracy: 0.85, latencyMs: 1.5, bops: 1e6 },
  { label: 'groupnet-k5 <R/2>', accuracy: 0.91, latencyMs: 4, bops: 9e6, kind: 'preset' },
  { label: 'untimed', accuracy: 0.7, bops: 5e5 },
];

/** `<circle …>` elements with their fill, and the text labels, of one panel (the SVG is split per panel title). */
function panels(svg: string): { title: string; fills: string[]; labels: string[]; fronts: number }[] {
  const parts = svg.split(/(?=<text[^>]*font-weight="bold">)/).slice(1);
  return parts.map((part) => ({
    title: /font-weight="bold">([^<]*)</.exec(part)![1]!,
    fills: [...part.matchAll(/<circle [^>]*fill="([^"]*)" stroke=/g)].map((m) => m[1]!),
    labels: [...part.matchAll(/<text [^>]*font-size="9" fill="#[^"]*">([^<]*)<\/text>/g)].map((m) => m[1]!),
    fronts: (part.match(/stroke-dasharray/g) ?? []).length,
  }));
}

describe('paretoSvg', () => {
  const svg = paretoSvg(points, 'search tiny: 3 candidates vs presets');

  it('is one SVG document with a white background and the title', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('>search tiny: 3 candidates vs presets</text>');
    // every opened element is closed (a cheap well-formedness check without an XML parser)
    const opened = (svg.match(/<(circle|text|path|line|rect|svg|title)\b/g) ?? []).length;
    const closed = (svg.match(/<\/(circle|text|path|line|rect|svg|title)>|\/>/g) ?? []).length;
    expect(closed).toBe(opened);
  });

  it('draws both panels, labels every point (escaped), and leaves unmeasured points out of the latency panel', () => {
    const [latency, bops] = panels(svg);
    expect(latency!.title).toBe('accuracy vs measured latency');
    expect(bops!.title).toBe('accuracy vs BOPs');
    expect(latency!.labels).toEqual(['chosen', 'candidate-1', 'candidate-2', 'groupnet-k5 &lt;R/2&gt;']);
    expect(bops!.labels).toEqual(['chosen', 'candidate-1', 'candidate-2', 'groupnet-k5 &lt;R/2&gt;', 'untimed']);
  });

  it('fills the points on each front and leaves dominated ones hollow', () => {
    const [latency, bops] = panels(svg);
    // latency: candidate-2 (0.85 at 1.5 ms) is dominated by chosen (0.9 at 1.2 ms)
    expect(latency!.fills.map((f) => f === 'white')).toEqual([false, false, true, false]);
    // BOPs: every point trades accuracy for BOPs, all on the front
    expect(bops!.fills.every((f) => f !== 'white')).toBe(true);
    expect(latency!.fronts).toBe(1);
    expect(bops!.fronts).toBe(1);
  });

  it('colours kinds apart and says so in the legend', () => {
    expect(svg).toMatch(/<text [^>]*>candidate<\/text>/);
    expect(svg).toMatch(/<text [^>]*>preset<\/text>/);
    expect(svg).toMatch(/<text [^>]*>chosen<\/text>/);
    const colorOf = (label: string) => new RegExp(`fill="(#[0-9a-f]{6})">${label}</text>`).exec(svg)![1];
    expect(new Set([colorOf('chosen'), colorOf('candidate-1'), colorOf('groupnet-k5 &lt;R/2&gt;')]).size).toBe(3);
    expect(colorOf('candidate-1')).toBe(colorOf('candidate-2'));
  });

  it('ticks both axes in rounded steps', () => {
    const ticks = [...svg.matchAll(/<text [^>]*font-size="9" text-anchor="(?:middle|end)">([^<]*)<\/text>/g)].map((m) => m[1]!);
    expect(ticks.length).toBeGreaterThan(10);
    // latency in ms, accuracy in %, BOPs with a unit: no label carries more than one decimal
    for (const t of ticks) expect(t).toMatch(/^\d+(\.\d)?[kMGT]?$/);
  });

  it('says so when a panel has nothing measured, and copes with a single point', () => {
    const lone = paretoSvg([{ label: 'only', accuracy: 0.5, bops: 10 }], 'one');
    expect(lone).toContain('no measured points');
    expect(panels(lone)[1]!.labels).toEqual(['only']);
    expect(lone).not.toContain('NaN');
    expect(svg).not.toContain('NaN');
  });
});
