import { describe, expect, it } from 'vitest';
import { escapeXml, niceAxis, tickLabel } from '../../src/search/plot-svg.js';

describe('niceAxis', () => {
  it('steps by 1, 2 or 5 × 10^k and widens the range to whole steps', () => {
    expect(niceAxis(0, 10)).toEqual({ lo: 0, hi: 10, ticks: [0, 2, 4, 6, 8, 10], step: 2 });
    expect(niceAxis(81.37, 84.14)).toEqual({ lo: 81, hi: 84.5, ticks: [81, 81.5, 82, 82.5, 83, 83.5, 84, 84.5], step: 0.5 });
    const bops = niceAxis(1.2e6, 9.7e6);
    expect(bops.step).toBe(2e6);
    expect(bops.ticks).toEqual([0, 2e6, 4e6, 6e6, 8e6, 10e6]);
  });

  it('keeps the labels free of floating-point drift', () => {
    const axis = niceAxis(0.1, 0.7);
    expect(axis.ticks).toEqual([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]);
    expect(axis.ticks.map((t) => tickLabel(t, axis.step))).toEqual(['0.1', '0.2', '0.3', '0.4', '0.5', '0.6', '0.7']);
    expect(tickLabel(2, 1)).toBe('2');
    expect(tickLabel(0.025, 0.005)).toBe('0.025');
  });

  it('gives a single value an interval around it, and refuses non-finite bounds', () => {
    const axis = niceAxis(3, 3);
    expect(axis.lo).toBeLessThan(3);
    expect(axis.hi).toBeGreaterThan(3);
    expect(niceAxis(0, 0).ticks).toContain(0);
    expect(() => niceAxis(0, Number.NaN)).toThrow(/finite/);
  });
});

describe('escapeXml', () => {
  it('escapes what would break an SVG text or attribute', () => {
    expect(escapeXml('a<b & "c">')).toBe('a&lt;b &amp; &quot;c&quot;&gt;');
  });
});
