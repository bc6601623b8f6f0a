/**
 * A task that arrives as data — a queue job sent from another host — is checked before anything
 * runs it: its architecture as an arch.json file is (schema, then the rules a schema cannot
 * express), and its data set by checksum, since a path or name means nothing across hosts: two
 * hosts train alike only on the same bytes.
 */
import { loadDatasetCached } from '../../data/dataset-cache.js';
import { archProblems } from '../../space/arch-validation.js';

/** A task's architecture (space/arch.ts), for rooms that receive tasks but do not enter the space. */
export type { Arch } from '../../space/arch.js';

/** The problems of a would-be architecture, one `path: message` line each (empty: a valid Arch). */
export function taskArchProblems(value: unknown): string[] {
  return archProblems(value).map((p) => `${p.path}: ${p.message}`);
}

/** A data set as hosts compare it: what `--data` named, what it is, and the sha256 of its files. */
export interface DatasetIdentity {
  data: string;
  name: string;
  checksum: string;
}

/** The data set `data` names on this host (read once per thread and kept: loadDatasetCached). */
export function datasetIdentity(data: string): DatasetIdentity {
  const d = loadDatasetCached({ data });
  return { data, name: d.name, checksum: d.checksum };
}
