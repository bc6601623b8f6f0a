/**
 * Two runs side by side: their facts in one table, their per-epoch accuracy and loss on shared
 * axes, and their (chosen) architectures drawn one above the other.
 */
import { getRunView, queryParam, type RunView } from './api.js';
import { lineChart, type LineSeries } from './charts.js';
import { byId, el, ms, percent, runLink, showError, statusBadge, svgNode, when } from './dom.js';

const COLORS = ['#1f77b4', '#d62728'];

/** Per-epoch accuracy and loss of any kind of run (a search: its supernet's arch-val figures). */
function curves(view: RunView): { accuracy: { x: number; y: number }[]; loss: { x: number; y: number }[]; what: string } {
  if (view.kind === 'search')
    return {
      accuracy: view.epochs.filter((e) => e.archAccuracy !== undefined).map((e) => ({ x: e.epoch, y: e.archAccuracy! * 100 })),
      loss: view.epochs.map((e) => ({ x: e.epoch, y: e.trainLoss })),
      what: 'supernet arch-val accuracy, train loss',
    };
  if (view.kind === 'reproduce') return { accuracy: [], loss: [], what: 'no curves' };
  return {
    accuracy: view.epochs.map((e) => ({ x: e.epoch, y: e.testAccuracy * 100 })),
    loss: view.epochs.map((e) => ({ x: e.epoch, y: e.trainLoss })),
    what: 'test accuracy, train loss',
  };
}

function drawing(view: RunView): string | undefined {
  if (view.kind === 'search') return view.chosen?.svg;
  if (view.kind === 'reproduce') return undefined;
  return view.arch?.svg;
}

async function start(): Promise<void> {
  const main = byId('main');
  try {
    const ids = [queryParam('a'), queryParam('b')];
    const views = await Promise.all(ids.map((id) => getRunView(id)));
    const rows: [string, (v: RunView) => string | Node][] = [
      ['run', (v) => runLink(v.summary.id)],
      ['kind', (v) => v.kind],
      ['name', (v) => v.summary.name],
      ['status', (v) => statusBadge(v.summary.status, v.summary.reason)],
      ['best accuracy', (v) => percent(v.summary.bestAccuracy)],
      ['chosen latency', (v) => ms(v.summary.chosenLatencyMs)],
      ['started', (v) => when(v.summary.startedAt)],
      ['progress', (v) => v.summary.progress],
      ['curves', (v) => curves(v).what],
    ];
    main.replaceChildren(
      el('h1', {}, 'Compare runs'),
      el('table', { id: 'comparison' }, ...rows.map(([label, cell]) => el('tr', {}, el('th', {}, label), ...views.map((v) => el('td', {}, cell(v)))))),
      el(
        'div',
        { class: 'grid' },
        el('div', { class: 'card' }, el('div', { class: 'chart' }, el('canvas', { id: 'compare-accuracy' }))),
        el('div', { class: 'card' }, el('div', { class: 'chart' }, el('canvas', { id: 'compare-loss' }))),
      ),
      el('h2', {}, 'Architectures'),
      el(
        'div',
        { class: 'compare' },
        ...views.map((v) => el('div', { class: 'drawing' }, drawing(v) ? svgNode(drawing(v)!) : el('span', { class: 'muted' }, 'none'))),
      ),
    );
    const series = (pick: 'accuracy' | 'loss'): LineSeries[] =>
      views.map((v, i) => ({ label: v.summary.id, points: curves(v)[pick], color: COLORS[i]!, dash: i === 1 ? [6, 3] : [] }));
    lineChart(byId<HTMLCanvasElement>('compare-accuracy'), 'accuracy per epoch', series('accuracy'), { x: 'epoch', y: 'accuracy (%)' });
    lineChart(byId<HTMLCanvasElement>('compare-loss'), 'train loss per epoch', series('loss'), { x: 'epoch', y: 'loss' });
  } catch (err) {
    showError(main, (err as Error).message);
  }
}

void start();
