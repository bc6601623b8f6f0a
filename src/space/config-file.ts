/**
 * Loading a configuration: read JSON, apply `--set key.path=value` overrides, then validate the
 * result exactly as a file (format and version, schema with defaults, then cross-field rules).
 */
import { existsSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { GroupnasError, UsageError } from '../util/errors.js';
import { PACKAGE_ROOT } from '../util/version.js';
import type { SearchConfig } from './config.js';
import { spaceFromConfig } from './config-space.js';
import { parseJsonText, readJsonFile, schemaProblems, ValidationError, type Problem } from './schema-validation.js';

export const CONFIG_FORMAT = 'groupnas.config';
export const CONFIG_VERSION = 1;

/** The configs that ship in the package, each loadable by its file name without `.json` (`--config tiny`). */
export const BUNDLED_CONFIGS_DIR = join(PACKAGE_ROOT, 'configs');

/** The config every command uses when not given one: embedded data, R/2, finishes in minutes. */
export const DEFAULT_CONFIG_FILE = join(BUNDLED_CONFIGS_DIR, 'default.json');

/** Names of the bundled configs (`default`, `tiny`, …), sorted. */
export function bundledConfigNames(): string[] {
  return readdirSync(BUNDLED_CONFIGS_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => basename(f, '.json'))
    .sort();
}

/**
 * The file a `--config` value means: an existing path as given, else the bundled config of that
 * name (so `--config tiny` works from any directory, in a clone or an installed package).
 */
export function resolveConfigFile(spec: string): string {
  if (existsSync(spec) || spec.includes('/')) return spec;
  const names = bundledConfigNames();
  const name = basename(spec, '.json');
  if (names.includes(name)) return join(BUNDLED_CONFIGS_DIR, `${name}.json`);
  throw new UsageError(`config ${spec}: no such file, and no bundled config of that name (bundled: ${names.join(', ')})`);
}

/** A parsed `--set` override. */
export interface Override {
  path: string[];
  value: unknown;
  /** As typed, for messages. */
  text: string;
}

/** `search.epochs=3` → path [search, epochs], value 3. Values are JSON when they parse, else strings. */
export function parseOverride(text: string): Override {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new UsageError(`--set ${text}: expected key.path=value`);
  const key = text.slice(0, eq);
  const raw = text.slice(eq + 1);
  const path = key.split('.');
  if (path.some((p) => p === '')) throw new UsageError(`--set ${text}: empty segment in key "${key}"`);
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    value = raw;
  }
  return { path, value, text };
}

/** Apply overrides in order to a parsed (not yet validated) config; creates missing objects on the way. */
export function applyOverrides(data: unknown, overrides: readonly Override[]): void {
  for (const o of overrides) {
    let node = data;
    o.path.forEach((segment, i) => {
      const here = o.path.slice(0, i).join('.') || '(root)';
      if (typeof node !== 'object' || node === null) {
        throw new UsageError(`--set ${o.text}: ${here} is ${JSON.stringify(node)}, not an object`);
      }
      const container = node as Record<string, unknown>;
      if (Array.isArray(node) && !/^\d+$/.test(segment)) {
        throw new UsageError(`--set ${o.text}: ${here} is an array; expected an index, got "${segment}"`);
      }
      if (i === o.path.length - 1) {
        container[segment] = o.value;
      } else {
        if (container[segment] === undefined) container[segment] = {};
        node = container[segment];
      }
    });
  }
}

/** Every problem of a would-be config (empty when valid). Fills defaults into `data`. */
export function configProblems(data: unknown): Problem[] {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return [{ path: '(root)', message: `expected a JSON object, got ${Array.isArray(data) ? 'an array' : JSON.stringify(data)}` }];
  }
  const doc = data as Record<string, unknown>;
  if (doc.format !== CONFIG_FORMAT) {
    return [{ path: 'format', message: `expected "${CONFIG_FORMAT}", got ${JSON.stringify(doc.format) ?? 'nothing'} (is this a groupnas config file?)` }];
  }
  if (doc.version !== CONFIG_VERSION) {
    return [
      { path: 'version', message: `unsupported config version ${JSON.stringify(doc.version) ?? '(missing)'}: this groupnas reads version ${CONFIG_VERSION}` },
    ];
  }
  const problems = schemaProblems('config', data);
  return problems.length > 0 ? problems : semanticProblems(data as SearchConfig);
}

function semanticProblems(config: SearchConfig): Problem[] {
  const problems: Problem[] = [];
  const add = (path: string, message: string) => problems.push({ path, message });
  if (config.teacher.mode === 'load' && config.teacher.path === undefined) add('teacher.path', 'required when teacher.mode is "load"');
  if (config.cost.objective !== 'none' && config.cost.target === undefined && config.cost.relativeTarget === undefined) {
    add(
      'cost.target',
      `required when cost.objective is "${config.cost.objective}" (the target ${config.cost.metric === 'latency' ? 'latency in ms' : 'BOPs'}), unless ` +
        `cost.relativeTarget gives it as a fraction of the template's cost`,
    );
  }
  if (config.search.warmupEpochs >= config.search.epochs) {
    add('search.warmupEpochs', `expected fewer than search.epochs (${config.search.epochs}), got ${config.search.warmupEpochs}`);
  }
  if (config.training.warmupEpochs >= config.training.epochs) {
    add('training.warmupEpochs', `expected fewer than training.epochs (${config.training.epochs}), got ${config.training.warmupEpochs}`);
  }
  if (config.training.stagedEpochs > 0 && config.training.stagedEpochs >= config.evaluation.epochs) {
    add(
      'training.stagedEpochs',
      `expected fewer than evaluation.epochs (${config.evaluation.epochs}), the epochs each candidate trains, got ${config.training.stagedEpochs}`,
    );
  }
  if (config.search.gumbel.minTemperature > config.search.gumbel.temperature) {
    add('search.gumbel.minTemperature', `expected ≤ search.gumbel.temperature (${config.search.gumbel.temperature})`);
  }
  const seen = new Map<string, number>();
  config.space.decisions.forEach((d, i) => {
    const first = seen.get(d.type);
    if (first !== undefined) add(`space.decisions[${i}].type`, `"${d.type}" is already decided by space.decisions[${first}]`);
    else seen.set(d.type, i);
  });
  if (problems.length > 0) return problems;
  // The rest needs the space itself: unknown template, sites outside the backbone, …
  try {
    spaceFromConfig(config);
  } catch (err) {
    if (!(err instanceof GroupnasError)) throw err;
    const match = /^decision (\w+)/.exec(err.message);
    const index = match ? config.space.decisions.findIndex((d) => d.type === match[1]) : -1;
    const path = index >= 0 ? `space.decisions[${index}]` : /preset/.test(err.message) ? 'space.template' : 'space';
    add(path, err.message);
  }
  return problems;
}

/** Validate parsed JSON (overrides already applied) as a config; `file` names the source in errors. */
export function checkConfig(data: unknown, file: string, overrides: readonly Override[] = []): SearchConfig {
  const problems = configProblems(data);
  if (problems.length > 0) {
    // Say which problems an override caused: the user will look for them on the command line, not in the file.
    const annotated = problems.map((p) => {
      // the last --set of a path is the one applied
      const o = [...overrides]
        .reverse()
        .find((o) => p.path === o.path.join('.') || p.path.startsWith(`${o.path.join('.')}.`) || p.path.startsWith(`${o.path.join('.')}[`));
      return o ? { ...p, message: `${p.message} (from --set ${o.text})` } : p;
    });
    throw new ValidationError(file, annotated);
  }
  return data as SearchConfig;
}

export function parseConfig(text: string, file = '<config>', sets: readonly string[] = []): SearchConfig {
  const data = parseJsonText(text, file);
  const overrides = sets.map(parseOverride);
  applyOverrides(data, overrides);
  return checkConfig(data, file, overrides);
}

/** Load `file` (a path, or a bundled config's name), apply `--set` overrides (`key.path=value`), validate, fill defaults. */
export function loadConfig(file: string, sets: readonly string[] = []): SearchConfig {
  file = resolveConfigFile(file);
  const data = readJsonFile(file);
  const overrides = sets.map(parseOverride);
  applyOverrides(data, overrides);
  return checkConfig(data, file, overrides);
}
