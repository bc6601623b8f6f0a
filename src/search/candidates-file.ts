/**
 * candidates.json, as `groupnas search` writes it: the derived architectures, each under `arch` a
 * complete arch.json. Checked here so `groupnas validate` reads it like any other file we export.
 */
import { archProblems } from '../space/arch-validation.js';
import type { Problem } from '../space/schema-validation.js';

export const CANDIDATES_FORMAT = 'groupnas.candidates';

/** Every problem of a candidates.json document, each path under `candidates[i].arch`. */
export function candidatesProblems(data: Record<string, unknown>): Problem[] {
  const list = data.candidates;
  if (!Array.isArray(list)) return [{ path: 'candidates', message: 'expected an array of candidates' }];
  return list.flatMap((candidate: unknown, i) => {
    const arch = typeof candidate === 'object' && candidate !== null ? (candidate as Record<string, unknown>).arch : undefined;
    if (arch === undefined) return [{ path: `candidates[${i}].arch`, message: 'missing: every candidate holds its arch.json' }];
    return archProblems(arch).map((p) => ({ ...p, path: `candidates[${i}].arch${p.path === '(root)' ? '' : `.${p.path}`}` }));
  });
}
