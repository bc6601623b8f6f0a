/**
 * One run, live: the page subscribes to the run's server-sent events and redraws whenever the
 * server sees the run's files change (a search's epoch ends, a candidate finishes). A search shows
 * α per decision and site over the epochs, entropy, losses and accuracies, E[cost] against the
 * target, the candidates table, an interactive Pareto plot and the chosen architecture; a training
 * its loss and accuracy curves and cost summary; a reproduction its table.
 */
import { choiceStyle } from '../../search/alpha-plot.js';
import type { CandidateRow, ReproduceView, SearchView, TrainingView } from '../index.js';
import { queryParam, runPath, type RunView } from './api.js';
import { lineChart, scatterChart, type LineSeries, type ScatterGroup } from './charts.js';
import { byId, count, el, ms, percent, runLink, showError, statusBadge, svgNode, when } from './dom.js';

/** alpha.svg's markers as Chart.js names them. */
const POINT_STYLES = { circle: 'circle', square: 'rect', triangle: 'triangle', diamond: 'rectRot' } as const;
const dash = (pattern: string) => (pattern === '' ? [] : pattern.split(' ').map(Number));

function canvas(id: string): HTMLCanvasElement {
  return el('canvas', { id });
}

function chartCard(id: string): HTMLElement {
  return el('div', { class: 'card' }, el('div', { class: 'chart' }, canvas(id)));
}

function fileLink(id: string, path: string, text = path): HTMLAnchorElement {
  return el('a', { href: `${runPath(id)}/files/${path.split('/').map(encodeURIComponent).join('/')}`, target: '_blank' }, text);
}

function inferLink(id: string, model: string, text = 'run in the browser'): HTMLAnchorElement {
  return el('a', { href: `/infer?id=${encodeURIComponent(id)}&model=${encodeURIComponent(model)}` }, text);
}

function header(view: RunView): HTMLElement[] {
  const s = view.summary;
  const out: HTMLElement[] = [
    el('h1', {}, `${s.name} `, statusBadge(s.status, s.reason)),
    el(
      'div',
      { class: 'facts' },
      el('div', {}, el('span', {}, 'kind'), s.kind),
      el('div', {}, el('span', {}, 'directory'), s.id),
      el('div', {}, el('span', {}, 'started'), when(s.startedAt)),
      el('div', { id: 'progress' }, el('span', {}, 'progress'), s.progress),
      el('div', {}, el('span', {}, 'best accuracy'), percent(s.bestAccuracy)),
    ),
  ];
  if (s.reason) out.push(el('div', { class: 'error' }, `failed: ${s.reason}`));
  for (const p of s.problems) out.push(el('div', { class: 'error', 'data-problem': p.file }, `${p.file}: ${p.message}`));
  return out;
}

// ───────────────────────────── search ─────────────────────────────

function candidateTable(id: string, rows: readonly CandidateRow[], chosen: number | undefined, tableId: string): HTMLElement {
  const head = el(
    'tr',
    {},
    ...[
      '#',
      'name',
      'derivation',
      'p',
      'status',
      'test accuracy',
      'measured latency',
      'predicted latency',
      'BOPs',
      'params',
      'memory',
      'train time',
      'model',
      'notes',
    ].map((h) => el('th', {}, h)),
  );
  const body = rows.map((c) =>
    el(
      'tr',
      { class: c.index === chosen ? 'chosen' : '', 'data-index': String(c.index), title: c.summary },
      el('td', { class: 'num' }, String(c.index)),
      el('td', {}, c.name),
      el('td', {}, c.derivation ?? '–'),
      el('td', { class: 'num' }, c.probability !== undefined ? c.probability.toPrecision(3) : '–'),
      el('td', {}, statusBadge(c.status === 'pending' ? 'stopped' : c.status, c.reason), c.status === 'pending' ? ' pending' : ''),
      el('td', { class: 'num' }, percent(c.testAccuracy)),
      el('td', { class: 'num' }, c.latencyMs !== undefined ? `${ms(c.latencyMs)} (${c.latencyEngine})` : '–'),
      el('td', { class: 'num' }, ms(c.predictedLatencyMs)),
      el('td', { class: 'num' }, count(c.bops)),
      el('td', { class: 'num' }, count(c.params)),
      el('td', { class: 'num' }, c.memoryBytes !== undefined ? `${count(c.memoryBytes)}B` : '–'),
      el('td', { class: 'num' }, c.trainSeconds !== undefined ? `${c.trainSeconds.toFixed(1)} s` : '–'),
      el('td', {}, c.model ? inferLink(id, c.model) : '–'),
      el('td', {}, [c.index === chosen ? 'chosen' : '', c.reason ?? ''].filter((n) => n !== '').join('; ')),
    ),
  );
  return el('table', { id: tableId }, head, ...body);
}

interface ParetoItem {
  row: CandidateRow;
  kind: string;
}

function drawPareto(view: SearchView, metric: 'latency' | 'bops'): void {
  const rowsOf = (kind: string) => (kind === 'preset' ? view.presets : view.candidates);
  const panel = metric === 'latency' ? view.pareto.latency : view.pareto.bops;
  const costOf = (p: { latencyMs?: number; bops?: number }) => (metric === 'latency' ? p.latencyMs! : p.bops!);
  const colors: Record<string, string> = { candidate: '#1f77b4', chosen: '#d62728', preset: '#2ca02c' };
  const onFront = new Set(panel.front);
  const groups: ScatterGroup<ParetoItem>[] = [];
  for (const kind of ['candidate', 'chosen', 'preset']) {
    for (const front of [true, false]) {
      const points = panel.shown
        .map((p, i) => ({ p, i }))
        .filter(({ p, i }) => (p.kind ?? 'candidate') === kind && onFront.has(i) === front)
        .map(({ p }) => ({ x: costOf(p), y: p.accuracy * 100, item: { row: rowsOf(kind)[p.index ?? 0]!, kind } }));
      if (points.length > 0)
        groups.push({
          label: `${kind}${front ? ' (on the front)' : ' (dominated)'}`,
          color: colors[kind] ?? '#777',
          points,
          filled: front,
          radius: kind === 'chosen' ? 7 : 5,
        });
    }
  }
  const frontPoints = panel.front
    .map((i) => panel.shown[i]!)
    .map((p) => ({ x: costOf(p), y: p.accuracy * 100, item: { row: rowsOf(p.kind ?? 'candidate')[p.index ?? 0]!, kind: 'front' } }));
  if (frontPoints.length > 1) groups.push({ label: 'Pareto front', color: '#555', points: frontPoints, line: true });
  const hover = byId('pareto-arch');
  scatterChart(
    byId<HTMLCanvasElement>('pareto-chart'),
    metric === 'latency' ? 'accuracy vs measured latency' : 'accuracy vs BOPs',
    groups,
    { x: metric === 'latency' ? 'measured latency (ms, batch 1)' : 'BOPs (binary MACs × activation bits)', y: 'test accuracy (%)' },
    (item) => [
      `${item.row.name} (${item.kind})`,
      `accuracy ${percent(item.row.testAccuracy)}, ${metric === 'latency' ? ms(item.row.latencyMs) : `${count(item.row.bops)} BOPs`}`,
      item.row.summary,
    ],
    (item) => {
      if (item === undefined) return;
      hover.replaceChildren(
        el('div', {}, el('b', {}, item.row.name), ` — ${percent(item.row.testAccuracy)}, ${ms(item.row.latencyMs)}`),
        svgNode(item.row.svg),
      );
      hover.dataset.shown = item.row.name;
    },
  );
  byId('pareto-count').textContent = `${panel.shown.length} point(s), ${panel.front.length} on the front`;
}

function renderSearch(id: string, view: SearchView, main: HTMLElement): void {
  const cost = view.cost;
  const config = view.config;
  const parts: (HTMLElement | undefined)[] = [
    ...header(view),
    config
      ? el(
          'div',
          { class: 'facts' },
          el('div', {}, el('span', {}, 'template'), config.template),
          el('div', {}, el('span', {}, 'backbone'), config.backbone),
          el('div', {}, el('span', {}, 'data'), config.data),
          el('div', {}, el('span', {}, 'seed'), String(config.seed)),
          el(
            'div',
            {},
            el('span', {}, 'cost'),
            cost
              ? `${cost.objective} on ${cost.metric} (${cost.unit})${cost.target !== undefined ? `, target ${Number(cost.target.toPrecision(4))}` : ''}`
              : '–',
          ),
          el(
            'div',
            {},
            el('span', {}, 'files'),
            fileLink(id, 'report.md'),
            ' · ',
            fileLink(id, 'alpha.svg'),
            ' · ',
            fileLink(id, 'pareto.svg'),
            ' · ',
            fileLink(id, 'search.json'),
          ),
          view.teacher ? el('div', {}, el('span', {}, 'teacher'), runLink(view.teacher)) : undefined,
        )
      : undefined,
    ...view.warnings.map((w) => el('div', { class: 'warning' }, `warning: ${w}`)),
    el(
      'h2',
      {},
      'Supernet: ',
      el('span', { id: 'epochs-done', 'data-epochs': String(view.epochs.length) }, `${view.epochs.length}${config ? ` of ${config.epochs}` : ''} epochs`),
    ),
    el('div', { class: 'grid' }, chartCard('loss-chart'), chartCard('entropy-chart'), chartCard('cost-chart')),
    el('h2', {}, 'α: probability of each choice, per decision and site'),
    el('div', { class: 'grid small', id: 'alpha-charts' }, ...view.alpha.map((_, i) => chartCard(`alpha-${i}`))),
    el('h2', {}, 'Candidates'),
    view.candidates.length > 0 ? candidateTable(id, view.candidates, view.chosen?.index, 'candidates') : el('p', { class: 'muted' }, 'not evaluated yet'),
    ...(view.presets.length > 0 ? [el('h2', {}, 'Hand-designed presets'), candidateTable(id, view.presets, undefined, 'presets')] : []),
    el('h2', {}, 'Pareto plot ', el('span', { class: 'muted', id: 'pareto-count' })),
  ];
  const metric = el('select', { id: 'pareto-metric' }, el('option', { value: 'latency' }, 'measured latency'), el('option', { value: 'bops' }, 'BOPs'));
  parts.push(
    el('div', { class: 'toolbar' }, el('label', {}, 'cost axis: ', metric), el('span', { class: 'muted' }, 'hover a point to see its architecture')),
    el(
      'div',
      { class: 'pareto' },
      el('div', { class: 'card' }, el('div', { class: 'chart' }, canvas('pareto-chart'))),
      el('div', { class: 'drawing', id: 'pareto-arch' }, el('span', { class: 'muted' }, 'hover a point')),
    ),
  );
  if (view.chosen) {
    parts.push(
      el(
        'h2',
        {},
        view.chosen.evaluated ? 'Chosen architecture' : 'Derived architecture (not evaluated yet)',
        view.chosen.model ? el('span', {}, ' — ', inferLink(id, view.chosen.model)) : undefined,
      ),
      el('div', { class: 'drawing', id: 'chosen-arch' }, svgNode(view.chosen.svg)),
    );
  }
  main.replaceChildren(...parts.filter((p): p is HTMLElement => p !== undefined));

  const epochs = view.epochs;
  const xy = (pick: (e: (typeof epochs)[number]) => number | undefined) =>
    epochs.filter((e) => pick(e) !== undefined).map((e) => ({ x: e.epoch, y: pick(e)! }));
  lineChart(
    byId<HTMLCanvasElement>('loss-chart'),
    'loss and accuracy',
    [
      { label: 'train loss (w steps)', points: xy((e) => e.trainLoss), color: '#1f77b4' },
      { label: 'arch-val loss (α steps)', points: xy((e) => e.archLoss), color: '#ff7f0e' },
      { label: 'train accuracy', points: xy((e) => e.trainAccuracy * 100), color: '#1f77b4', dash: [6, 3], right: true, pointStyle: 'rect' },
      {
        label: 'arch-val accuracy',
        points: xy((e) => (e.archAccuracy !== undefined ? e.archAccuracy * 100 : undefined)),
        color: '#ff7f0e',
        dash: [6, 3],
        right: true,
        pointStyle: 'rect',
      },
    ],
    { x: 'epoch', y: 'loss', right: 'accuracy (%)' },
  );
  lineChart(
    byId<HTMLCanvasElement>('entropy-chart'),
    'α entropy (1 = uniform)',
    [{ label: 'mean normalized entropy', points: xy((e) => e.entropy), color: '#9467bd' }],
    { x: 'epoch', y: 'entropy', yMin: 0, yMax: 1 },
  );
  const costSeries: LineSeries[] = [
    { label: 'E[cost] under softmax(α)', points: xy((e) => e.expectedCost), color: '#2ca02c' },
    { label: 'argmax architecture', points: xy((e) => e.argmaxCost), color: '#8c564b', dash: [2, 2], pointStyle: 'triangle' },
  ];
  if (cost?.target !== undefined && epochs.length > 0)
    costSeries.push({
      label: 'target',
      points: [
        { x: epochs[0]!.epoch, y: cost.target },
        { x: epochs[epochs.length - 1]!.epoch, y: cost.target },
      ],
      color: '#d62728',
      dash: [8, 4],
      width: 1.5,
      pointStyle: false,
    });
  lineChart(byId<HTMLCanvasElement>('cost-chart'), `E[cost] vs target (${cost?.metric ?? 'cost'})`, costSeries, {
    x: 'epoch',
    y: cost ? `${cost.metric} (${cost.unit})` : 'cost',
  });
  view.alpha.forEach((series, i) =>
    lineChart(
      byId<HTMLCanvasElement>(`alpha-${i}`),
      series.id,
      series.choices.map((choice, c) => {
        const style = choiceStyle(c);
        return {
          label: choice,
          points: series.probabilities.map((p, e) => ({ x: e + 1, y: p[c] ?? 0 })),
          color: style.color,
          dash: dash(style.dash),
          width: style.width,
          pointStyle: POINT_STYLES[style.marker],
        };
      }),
      { x: 'epoch', y: 'probability', yMin: 0, yMax: 1 },
    ),
  );
  const redraw = () => drawPareto(view, metric.value === 'bops' ? 'bops' : 'latency');
  metric.addEventListener('change', redraw);
  redraw();
}

// ───────────────────────────── training ─────────────────────────────

function renderTraining(id: string, view: TrainingView, main: HTMLElement): void {
  const t = view.totals;
  const o = view.options;
  main.replaceChildren(
    ...header(view),
    el(
      'div',
      { class: 'facts' },
      view.arch ? el('div', {}, el('span', {}, 'architecture'), view.arch.summary) : el('div', {}),
      o
        ? el(
            'div',
            {},
            el('span', {}, 'training'),
            `${o.epochs} epochs, batch ${o.batchSize}, ${o.optimizer} lr ${o.learningRate}, ${o.schedule}${o.distillation ? `, distilled from ${o.distillation.teacher}` : ''}`,
          )
        : el('div', {}),
      view.dataset ? el('div', {}, el('span', {}, 'data'), `${view.dataset.name} (${view.dataset.train} train / ${view.dataset.test} test)`) : el('div', {}),
      view.model ? el('div', {}, el('span', {}, 'model'), inferLink(id, view.model)) : el('div', {}),
    ),
    el('h2', {}, 'Summary'),
    t
      ? el(
          'table',
          { id: 'totals' },
          el(
            'tr',
            {},
            ...['params', 'binary params', 'float params', 'BOPs', 'binary MACs', 'float MACs', 'memory', 'test accuracy'].map((h) =>
              el('th', { class: 'num' }, h),
            ),
          ),
          el(
            'tr',
            {},
            ...[
              count(t.params),
              count(t.binaryParams),
              count(t.floatParams),
              count(t.bops),
              count(t.binaryMacs),
              count(t.floatMacs),
              `${count(t.memoryBytes)}B`,
              percent(view.result?.testAccuracy),
            ].map((v) => el('td', { class: 'num' }, v)),
          ),
        )
      : el('p', { class: 'muted' }, 'no run.json'),
    el('h2', {}, el('span', { id: 'epochs-done', 'data-epochs': String(view.epochs.length) }, `${view.epochs.length}${o ? ` of ${o.epochs}` : ''} epochs`)),
    el('div', { class: 'grid' }, chartCard('train-loss'), chartCard('train-accuracy')),
    ...(view.arch ? [el('h2', {}, 'Architecture'), el('div', { class: 'drawing' }, svgNode(view.arch.svg))] : []),
  );
  const xy = (pick: (e: TrainingView['epochs'][number]) => number) => view.epochs.map((e) => ({ x: e.epoch, y: pick(e) }));
  lineChart(
    byId<HTMLCanvasElement>('train-loss'),
    'loss',
    [
      { label: 'train loss', points: xy((e) => e.trainLoss), color: '#1f77b4' },
      { label: 'test loss', points: xy((e) => e.testLoss), color: '#ff7f0e', dash: [6, 3], pointStyle: 'rect' },
    ],
    { x: 'epoch', y: 'loss' },
  );
  lineChart(
    byId<HTMLCanvasElement>('train-accuracy'),
    'test accuracy',
    [{ label: 'test accuracy', points: xy((e) => e.testAccuracy * 100), color: '#2ca02c' }],
    {
      x: 'epoch',
      y: 'accuracy (%)',
    },
  );
}

// ───────────────────────────── reproduction ─────────────────────────────

function renderReproduce(view: ReproduceView, main: HTMLElement): void {
  main.replaceChildren(
    ...header(view),
    view.budget ? el('p', { class: 'muted' }, view.budget) : el('span', {}),
    el(
      'table',
      { id: 'reproduce' },
      el('tr', {}, ...['preset', 'test accuracy (mean ± std, %)', 'seeds', 'missing seeds', 'supplement'].map((h) => el('th', {}, h))),
      ...view.rows.map((r) =>
        el(
          'tr',
          {},
          el('td', {}, r.preset),
          el('td', { class: 'num' }, r.mean !== undefined ? `${r.mean.toFixed(2)} ± ${(r.std ?? 0).toFixed(2)}` : '–'),
          el('td', {}, ...r.runs.flatMap((run, i) => [i > 0 ? ' ' : '', runLink(run.id, `seed ${run.seed}: ${run.testAccuracy.toFixed(2)}`)])),
          el('td', {}, r.missingSeeds.join(', ') || '–'),
          el('td', {}, r.supplement ?? '–'),
        ),
      ),
    ),
    ...(view.orderings.length > 0
      ? [el('h2', {}, 'Orderings'), el('ul', {}, ...view.orderings.map((o) => el('li', {}, `${o.claim}: ${o.status}${o.detail ? ` (${o.detail})` : ''}`)))]
      : []),
  );
}

// ───────────────────────────── live updates ─────────────────────────────

function render(id: string, view: RunView): void {
  const main = byId('main');
  byId('crumbs').replaceChildren(' / ', runLink(id));
  document.title = `groupnas · ${view.summary.name}`;
  if (view.kind === 'search') renderSearch(id, view, main);
  else if (view.kind === 'reproduce') renderReproduce(view, main);
  else renderTraining(id, view, main);
  // How many times the page redrew without reloading (the live test reads it).
  document.body.dataset.updates = String(Number(document.body.dataset.updates ?? '0') + 1);
}

function start(): void {
  const main = byId('main');
  let id: string;
  try {
    id = queryParam('id');
  } catch (err) {
    showError(main, (err as Error).message);
    return;
  }
  const events = new EventSource(`${runPath(id)}/events`);
  events.addEventListener('update', (e) => render(id, JSON.parse((e as MessageEvent<string>).data) as RunView));
  events.addEventListener('gone', (e) => {
    const { error } = JSON.parse((e as MessageEvent<string>).data) as { error: string };
    document.body.dataset.gone = 'true';
    main.prepend(el('div', { class: 'banner', id: 'gone' }, `This run can no longer be read: ${error}`));
    events.close();
  });
  events.onerror = () => {
    // The stream could not open (an unknown run answers with an error status): say why.
    if (events.readyState === EventSource.CLOSED && document.body.dataset.updates === undefined)
      void fetch(runPath(id))
        .then((r) => r.json())
        .then((body: { error?: string }) => showError(main, body.error ?? 'cannot read this run'));
  };
}

start();
