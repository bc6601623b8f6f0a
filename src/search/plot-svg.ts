/**
 * What the static plots (alpha.svg, pareto.svg) share: axis ticks a reader can read — steps of
 * 1, 2 or 5 × 10^k, the axis widened to whole steps (Heckbert's "nice numbers") — and text that
 * is safe inside SVG.
 */

/** Text for an SVG text node or attribute. */
export function escapeXml(s: string): string {
  return s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);
}

export interface Axis {
  lo: number;
  hi: number;
  /** Tick values from lo to hi, every `step`. */
  ticks: number[];
  step: number;
}

/** The nice step nearest to `raw` (1, 2 or 5 × 10^k). */
function niceStep(raw: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / magnitude;
  const nice = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10;
  return nice * magnitude;
}

/** About `count` intervals covering [lo, hi]; a single value gets an interval around it. */
export function niceAxis(lo: number, hi: number, count = 5): Axis {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) throw new RangeError(`niceAxis: expected finite bounds, got ${lo}..${hi}`);
  if (hi < lo) [lo, hi] = [hi, lo];
  if (hi === lo) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  const step = niceStep((hi - lo) / Math.max(1, count));
  const first = Math.floor(lo / step + 1e-9) * step;
  const last = Math.ceil(hi / step - 1e-9) * step;
  const ticks: number[] = [];
  // Multiplying (not accumulating) keeps 0.1 + 0.2-style drift out of the labels.
  for (let i = 0; first + i * step <= last + step * 1e-9; i++) ticks.push(Number((first + i * step).toPrecision(12)));
  return { lo: ticks[0]!, hi: ticks[ticks.length - 1]!, ticks, step };
}

/** A tick label with no more decimals than the step needs (0.25 → "0.25", 2 → "2", 1e-3 steps → "0.001"). */
export function tickLabel(value: number, step: number): string {
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  return value.toFixed(Math.min(decimals, 10));
}
