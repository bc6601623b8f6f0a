/**
 * The runs table: every run under `--runs` with its kind, name, status, best accuracy, chosen
 * latency, start and progress, refreshed every few seconds; tick two runs to compare them.
 */
import { getJson, type RunSummary } from './api.js';
import { byId, el, ms, percent, runLink, showError, statusBadge, when } from './dom.js';

const REFRESH_MS = 3000;
const selected = new Set<string>();

function render(runs: readonly RunSummary[]): void {
  const main = byId('main');
  const compare = el('button', { id: 'compare' }, 'compare the two ticked runs');
  compare.toggleAttribute('disabled', selected.size !== 2);
  compare.addEventListener('click', () => {
    const [a, b] = [...selected];
    location.href = `/compare?a=${encodeURIComponent(a!)}&b=${encodeURIComponent(b!)}`;
  });
  const head = el(
    'tr',
    {},
    ...['', 'run', 'kind', 'name', 'status', 'best accuracy', 'chosen latency', 'started', 'progress', ''].map((h, i) =>
      el('th', i === 5 || i === 6 ? { class: 'num' } : {}, h),
    ),
  );
  const rows = runs.map((r) => {
    const tick = el('input', { type: 'checkbox', 'aria-label': `select ${r.id}` });
    tick.checked = selected.has(r.id);
    tick.addEventListener('change', () => {
      if (tick.checked) selected.add(r.id);
      else selected.delete(r.id);
      compare.toggleAttribute('disabled', selected.size !== 2);
    });
    const problems =
      r.problems.length > 0
        ? el('span', { class: 'error', title: r.problems.map((p) => `${p.file}: ${p.message}`).join('\n') }, `${r.problems.length} unreadable file(s)`)
        : undefined;
    return el(
      'tr',
      { 'data-run': r.id, 'data-status': r.status, 'data-kind': r.kind },
      el('td', {}, tick),
      el('td', {}, runLink(r.id)),
      el('td', {}, r.kind),
      el('td', {}, r.name),
      el('td', {}, statusBadge(r.status, r.reason)),
      el('td', { class: 'num' }, percent(r.bestAccuracy)),
      el('td', { class: 'num' }, ms(r.chosenLatencyMs)),
      el('td', {}, when(r.startedAt)),
      el('td', {}, r.progress),
      el('td', {}, problems),
    );
  });
  main.replaceChildren(
    el('h1', {}, 'Runs'),
    el('div', { class: 'toolbar' }, compare, el('span', { class: 'muted' }, `${runs.length} run(s); refreshed every ${REFRESH_MS / 1000} s`)),
    runs.length === 0
      ? el('p', { class: 'muted' }, 'No runs yet: start one with groupnas search --config configs/tiny.json --out runs/tiny')
      : el('table', { id: 'runs' }, head, ...rows),
  );
}

async function refresh(): Promise<void> {
  try {
    render((await getJson<{ runs: RunSummary[] }>('/api/runs')).runs);
  } catch (err) {
    showError(byId('main'), `cannot list the runs: ${(err as Error).message}`);
  }
}

void refresh();
setInterval(() => void refresh(), REFRESH_MS);
