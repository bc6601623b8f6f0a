/**
 * The dashboard's charts, on Chart.js (bundled, so the pages work offline). Line charts over
 * epochs, and scatter plots; a chart on a canvas that already has one replaces it, so a live page
 * redraws by calling the same function again. No animation: a live update should not flicker.
 */
import {
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  ScatterController,
  Title,
  Tooltip,
  type ChartDataset,
  type ChartOptions,
  type TooltipItem,
} from 'chart.js';

Chart.register(LineController, ScatterController, LineElement, PointElement, LinearScale, CategoryScale, Tooltip, Legend, Title);
Chart.defaults.animation = false;
Chart.defaults.font.family = 'system-ui, sans-serif';
Chart.defaults.font.size = 11;
Chart.defaults.maintainAspectRatio = false;

export type XY = { x: number; y: number };

export interface LineSeries {
  label: string;
  points: XY[];
  color: string;
  dash?: number[];
  width?: number;
  /** Plot against the right-hand axis. */
  right?: boolean;
  pointStyle?: 'circle' | 'rect' | 'triangle' | 'rectRot' | false;
}

export interface AxisTitles {
  x: string;
  y: string;
  right?: string;
  yMin?: number;
  yMax?: number;
}

function replace(canvas: HTMLCanvasElement): void {
  Chart.getChart(canvas)?.destroy();
}

/** Curves over a numeric x (epochs), with titled axes. */
export function lineChart(canvas: HTMLCanvasElement, title: string, series: readonly LineSeries[], axes: AxisTitles): Chart {
  replace(canvas);
  const datasets: ChartDataset<'line', XY[]>[] = series.map((s, i) => ({
    label: s.label,
    // Later series on top (Chart.js draws lower `order` last): with earlier series drawn wider,
    // series lying on each other stay visible, as in alpha.svg.
    order: -i,
    data: s.points,
    borderColor: s.color,
    backgroundColor: s.color,
    borderDash: s.dash ?? [],
    borderWidth: s.width ?? 2,
    pointRadius: s.points.length > 40 ? 0 : 3,
    pointStyle: s.pointStyle ?? 'circle',
    yAxisID: s.right ? 'right' : 'y',
  }));
  const hasRight = series.some((s) => s.right);
  const options: ChartOptions<'line'> = {
    parsing: false,
    interaction: { mode: 'nearest', intersect: false },
    plugins: { title: { display: true, text: title }, legend: { labels: { usePointStyle: true, boxHeight: 6 } } },
    scales: {
      x: { type: 'linear', title: { display: true, text: axes.x }, ticks: { precision: 0 } },
      y: {
        type: 'linear',
        title: { display: true, text: axes.y },
        ...(axes.yMin !== undefined ? { min: axes.yMin } : {}),
        ...(axes.yMax !== undefined ? { max: axes.yMax } : {}),
      },
      ...(hasRight
        ? { right: { type: 'linear' as const, position: 'right' as const, title: { display: true, text: axes.right ?? '' }, grid: { drawOnChartArea: false } } }
        : {}),
    },
  };
  return new Chart(canvas, { type: 'line', data: { datasets }, options });
}

export interface ScatterGroup<T> {
  label: string;
  color: string;
  /** Points with the record each stands for (shown on hover). */
  points: (XY & { item: T })[];
  filled?: boolean;
  radius?: number;
  /** Draw as a dashed line (a front) instead of points. */
  line?: boolean;
}

/** A scatter plot; `describe` gives the hover text of a point and `onHover` receives its record. */
export function scatterChart<T>(
  canvas: HTMLCanvasElement,
  title: string,
  groups: readonly ScatterGroup<T>[],
  axes: AxisTitles,
  describe: (item: T) => string[],
  onHover: (item: T | undefined) => void,
): Chart {
  replace(canvas);
  const datasets = groups.map((g) => ({
    label: g.label,
    data: g.points,
    borderColor: g.color,
    backgroundColor: g.filled === false ? 'white' : g.color,
    pointRadius: g.line ? 0 : (g.radius ?? 5),
    pointHoverRadius: g.line ? 0 : (g.radius ?? 5) + 2,
    borderWidth: g.line ? 1 : 2,
    showLine: g.line === true,
    borderDash: g.line ? [5, 4] : [],
    stepped: g.line ? ('before' as const) : false,
  }));
  const chart = new Chart(canvas, {
    type: 'scatter',
    data: { datasets },
    options: {
      parsing: false,
      plugins: {
        title: { display: true, text: title },
        tooltip: {
          filter: (ctx: TooltipItem<'scatter'>) => !groups[ctx.datasetIndex]?.line,
          callbacks: { label: (ctx: TooltipItem<'scatter'>) => describe((ctx.raw as { item: T }).item) },
        },
      },
      onHover: (_event, elements) => {
        const hit = elements.find((e) => !groups[e.datasetIndex]?.line);
        onHover(hit ? (groups[hit.datasetIndex]!.points[hit.index]!.item as T) : undefined);
      },
      scales: {
        x: { type: 'linear', title: { display: true, text: axes.x } },
        y: { type: 'linear', title: { display: true, text: axes.y } },
      },
    },
  });
  // Where each point was drawn (CSS pixels in the canvas), for keyboard-less tools and tests that hover one.
  const drawn = groups.flatMap((g, i) =>
    g.line ? [] : chart.getDatasetMeta(i).data.map((p, j) => ({ x: Math.round(p.x), y: Math.round(p.y), label: describe(g.points[j]!.item)[0] ?? '' })),
  );
  canvas.dataset.points = JSON.stringify(drawn);
  return chart;
}
