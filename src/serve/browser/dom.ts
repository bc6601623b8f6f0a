/** Small DOM helpers for the dashboard's pages (no framework: a few tables and charts). */

/** An element with attributes and children; strings become text nodes (never parsed as HTML). */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
  ...children: (Node | string | undefined)[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attributes)) node.setAttribute(k, v);
  for (const c of children) if (c !== undefined) node.append(c);
  return node;
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (node === null) throw new Error(`page: #${id} missing`);
  return node as T;
}

/** An SVG drawing the server made (arch-svg.ts escapes every text it puts in). */
export function svgNode(markup: string): Node {
  const template = document.createElement('template');
  template.innerHTML = markup;
  return template.content;
}

export function showError(where: HTMLElement, message: string): void {
  where.replaceChildren(el('div', { class: 'error' }, message));
}

export const percent = (v: number | undefined, digits = 2) => (v === undefined ? '–' : `${(v * 100).toFixed(digits)}%`);
export const ms = (v: number | undefined) => (v === undefined ? '–' : `${v.toPrecision(3)} ms`);

/** 1.23k, 4.56M. */
export function count(v: number | undefined): string {
  if (v === undefined) return '–';
  for (const [size, unit] of [
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ] as const)
    if (Math.abs(v) >= size) return `${Number((v / size).toPrecision(3))}${unit}`;
  return String(Math.round(v));
}

export function when(iso: string | undefined): string {
  if (iso === undefined) return '–';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

export function statusBadge(status: string, reason?: string): HTMLElement {
  return el('span', { class: `status status-${status}`, ...(reason ? { title: reason } : {}) }, status);
}

export function runLink(id: string, text = id): HTMLAnchorElement {
  return el('a', { href: `/run?id=${encodeURIComponent(id)}` }, text);
}
