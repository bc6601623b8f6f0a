/** The dashboard's pages talking to `groupnas serve` (server.ts lists the routes). */
import type { RunSummary, RunView, TestImages, NodeLatency } from '../index.js';

export type { RunSummary, RunView, TestImages, NodeLatency };

/** A run id as one URL path segment. */
export const runPath = (id: string) => `/api/runs/${encodeURIComponent(id)}`;

/** GET a JSON answer; an error status becomes an Error with the server's message, unless `usable` accepts its body. */
export async function getJson<T>(url: string, usable: (status: number, body: unknown) => boolean = () => false): Promise<T> {
  const response = await fetch(url, { headers: { accept: 'application/json' } });
  const body = (await response.json().catch(() => ({}))) as { error?: string };
  if (!response.ok && !usable(response.status, body)) throw new Error(body.error ?? `${response.status} ${response.statusText}`);
  return body as T;
}

/** A run's view. A damaged run answers 422 with the partial view, its summary listing the unreadable files: shown as it is. */
export const getRunView = (id: string) =>
  getJson<RunView>(runPath(id), (status, body) => status === 422 && typeof body === 'object' && body !== null && 'summary' in body);

/** The page's query parameter, or an error shown on the page. */
export function queryParam(name: string): string {
  const value = new URLSearchParams(location.search).get(name);
  if (value === null || value === '') throw new Error(`the page needs ?${name}=…`);
  return value;
}
