import { describe, expect, it } from 'vitest';
import { alphaSeriesOf, alphaSvg, CHOICE_DASHES } from '../../src/search/alpha-plot.js';
import type { SearchEpoch as EpochRecord, SearchLog } from '../../src/search/search-directory.js';

const epoch = (n: number, probabilities: number[][]): EpochRecord => ({
  epoch: n,
  warmup: false,
  probabilities,
  alpha: probabilities,
  entropy: 1,
  expectedCost: 1,
  argmax: [],
  argmaxCost: 1,
  trainLoss: 1,
  trainAccuracy: 0.5,
  seconds: 1,
});

const log: Pick<SearchLog, 'variables' | 'epochs'> = {
  variables: [
    { id: 'bases@0', decision: 'bases', site: 0, choices: [1, 2] },
    { id: 'boundary@0', decision: 'groupBoundary', site: 0, choices: ['continue', 'aggregate', 'soft'] },
  ],
  epochs: [1, 2, 3, 4, 5, 6, 7].map((n) =>
    epoch(n, [
      [0.5, 0.5],
      [1 / 3, 1 / 3, 1 / 3],
    ]),
  ),
};

describe('alphaSeriesOf', () => {
  it('turns search.json into one series per variable, choices as text, one row per epoch', () => {
    const series = alphaSeriesOf(log);
    expect(series.map((s) => s.id)).toEqual(['bases@0', 'boundary@0']);
    expect(series[0]!.choices).toEqual(['1', '2']);
    expect(series[1]!.probabilities).toHaveLength(7);
    expect(series[1]!.probabilities[6]).toEqual([1 / 3, 1 / 3, 1 / 3]);
  });
});

describe('alphaSvg', () => {
  const svg = alphaSvg(alphaSeriesOf(log), 'α <tiny>');

  it('titles both axes of every panel and escapes text', () => {
    expect(svg.match(/>epoch<\/text>/g)).toHaveLength(2);
    expect(svg.match(/>probability<\/text>/g)).toHaveLength(2);
    expect(svg).toContain('>α &lt;tiny&gt;</text>');
  });

  it('puts rounded epoch ticks on the x axis (not just the last epoch)', () => {
    const first = svg.split('font-weight="bold">boundary@0')[0]!;
    const xTicks = [...first.matchAll(/<text [^>]*font-size="9" text-anchor="middle">([^<]*)<\/text>/g)].map((m) => m[1]);
    expect(xTicks).toEqual(['1', '2', '3', '4', '5', '6', '7']);
  });

  it('keeps overlapping choices apart: own dash pattern, marker and width per choice', () => {
    // all three choices of boundary@0 lie on top of each other at 1/3
    const lines = [...svg.matchAll(/<polyline [^>]*stroke-width="([^"]*)"([^>]*)points=/g)].slice(2);
    expect(lines).toHaveLength(3);
    expect(new Set(lines.map((l) => l[1])).size).toBe(3);
    const dashes = lines.map((l) => /stroke-dasharray="([^"]*)"/.exec(l[2]!)?.[1] ?? '');
    expect(dashes).toEqual(CHOICE_DASHES.slice(0, 3));
    // widths decrease, so a later line drawn on top leaves the earlier one visible around it
    const widths = lines.map((l) => Number(l[1]));
    expect([...widths].sort((a, b) => b - a)).toEqual(widths);
    expect(svg).toMatch(/<rect [^>]*width="5.2"/);
    expect(svg).toContain('<polygon');
  });

  it('draws a single epoch as markers, without NaN', () => {
    const one = alphaSvg(alphaSeriesOf({ ...log, epochs: log.epochs.slice(0, 1) }), 'one');
    expect(one).not.toContain('NaN');
    expect(one).not.toContain('<polyline');
    expect(one).toContain('<circle');
  });
});
