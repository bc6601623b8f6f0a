/**
 * JSON Schema validation with messages a user can act on: every problem is reported with its
 * JSON path (`blocks[3].stride`) and what was expected there.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { FileFormatError } from '../util/errors.js';
import { readJsonFile as readJsonOrFail } from '../util/json-file.js';
import { PACKAGE_ROOT } from '../util/version.js';

/** One thing wrong with a file, at a JSON path (`(root)` for the whole document). */
export interface Problem {
  path: string;
  message: string;
}

/** A file failed validation; the message lists every problem, one per line. */
export class ValidationError extends FileFormatError {
  constructor(
    file: string,
    readonly problems: readonly Problem[],
  ) {
    super(file, problems[0]?.path ?? '', problems[0]?.message ?? 'invalid');
    this.message = problems.map((p) => `${file}: ${p.path}: ${p.message}`).join('\n');
  }
}

/** Where the shipped schemas live (`schemas/` at the package root, beside `src` and `dist`). */
export function schemaPath(name: 'arch' | 'config'): string {
  return join(PACKAGE_ROOT, 'schemas', `${name}.schema.json`);
}

export function readSchema(name: 'arch' | 'config'): Record<string, unknown> {
  return JSON.parse(readFileSync(schemaPath(name), 'utf8')) as Record<string, unknown>;
}

const compiled = new Map<string, ValidateFunction>();

/** A compiled validator for a shipped schema. `useDefaults` fills omitted fields with the schema's defaults. */
export function schemaValidator(name: 'arch' | 'config'): ValidateFunction {
  let validate = compiled.get(name);
  if (!validate) {
    const ajv = new Ajv({ allErrors: true, strict: true, useDefaults: true, discriminator: true, verbose: true });
    validate = ajv.compile(readSchema(name));
    compiled.set(name, validate);
  }
  return validate;
}

/** `/blocks/3/stride` → `blocks[3].stride`. */
export function jsonPath(pointer: string, child?: string): string {
  const parts =
    pointer === ''
      ? []
      : pointer
          .slice(1)
          .split('/')
          .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (child !== undefined) parts.push(child);
  let path = '';
  for (const part of parts) path += /^\d+$/.test(part) ? `[${part}]` : path === '' ? part : `.${part}`;
  return path === '' ? '(root)' : path;
}

function show(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function describe(error: ErrorObject, data: unknown): Problem {
  const p = error.params as Record<string, unknown>;
  const actual = () => show(valueAt(data, error.instancePath));
  switch (error.keyword) {
    case 'required':
      return { path: jsonPath(error.instancePath, String(p.missingProperty)), message: 'required field is missing' };
    case 'additionalProperties':
      return { path: jsonPath(error.instancePath, String(p.additionalProperty)), message: 'unknown field (not in the schema)' };
    case 'type':
      return { path: jsonPath(error.instancePath), message: `expected ${String(p.type)}, got ${actual()}` };
    case 'enum':
      return { path: jsonPath(error.instancePath), message: `expected one of ${(p.allowedValues as unknown[]).map(show).join(', ')}, got ${actual()}` };
    case 'const':
      return { path: jsonPath(error.instancePath), message: `expected ${show(p.allowedValue)}, got ${actual()}` };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return { path: jsonPath(error.instancePath), message: `expected a number ${String(p.comparison)} ${String(p.limit)}, got ${actual()}` };
    case 'discriminator': {
      const branches = (error.parentSchema as { oneOf?: { properties?: Record<string, { const?: unknown }> }[] } | undefined)?.oneOf ?? [];
      const tag = String(p.tag);
      const allowed = branches.map((b) => b.properties?.[tag]?.const).filter((v) => v !== undefined);
      return { path: jsonPath(error.instancePath, tag), message: `expected one of ${allowed.map(show).join(', ')}, got ${show(p.tagValue)}` };
    }
    default:
      return { path: jsonPath(error.instancePath), message: `${error.message ?? 'invalid'}, got ${actual()}` };
  }
}

function valueAt(data: unknown, pointer: string): unknown {
  let value = data;
  for (const part of pointer === '' ? [] : pointer.slice(1).split('/')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return value;
}

/** Schema problems of `data` (empty when valid). May fill defaults into `data`. */
export function schemaProblems(name: 'arch' | 'config', data: unknown): Problem[] {
  return problemsOf(schemaValidator(name), data);
}

/** The files groupnas writes are checked as they are: no defaults filled in, so a deleted field is a problem. */
const asWritten = new Ajv({ allErrors: true, strict: true, strictRequired: false, verbose: true });
const compiledFileSchemas = new WeakMap<object, ValidateFunction>();

/** Problems of `data` against `schema`, the JSON Schema of a file groupnas writes (run.json, search.json, …). */
export function fileSchemaProblems(schema: object, data: unknown): Problem[] {
  let validate = compiledFileSchemas.get(schema);
  if (!validate) {
    validate = asWritten.compile(schema);
    compiledFileSchemas.set(schema, validate);
  }
  return problemsOf(validate, data);
}

/**
 * The one reader of a file groupnas writes: parsed and checked against its schema. Unreadable is
 * a FileSystemError, not JSON or not valid a ValidationError naming the file and every field.
 */
export function readValidJsonFile<T>(file: string, schema: object): T {
  const data = readJsonOrFail(file);
  // Another version's file is told as such before any field: it is not damage, nothing to rebuild.
  const version = (schema as { properties?: { version?: { const?: unknown } } }).properties?.version?.const;
  const found = typeof data === 'object' && data !== null ? (data as { version?: unknown }).version : undefined;
  if (typeof version === 'number' && typeof found === 'number' && found !== version) {
    throw new FileFormatError(file, 'version', `expected ${version}, found ${found} (written by another groupnas version)`);
  }
  const problems = fileSchemaProblems(schema, data);
  if (problems.length > 0) throw new ValidationError(file, problems);
  return data as T;
}

function problemsOf(validate: ValidateFunction, data: unknown): Problem[] {
  if (validate(data)) return [];
  const seen = new Set<string>();
  const problems: Problem[] = [];
  for (const error of validate.errors ?? []) {
    const problem = describe(error, data);
    const key = `${problem.path}\u0000${problem.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      problems.push(problem);
    }
  }
  return problems;
}

/** A file's parsed JSON, or the one problem that stopped it from parsing (missing, empty, not JSON). */
export function readJsonDocument(file: string): { data: unknown } | { problem: Problem } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { problem: { path: '(root)', message: code === 'ENOENT' ? 'no such file' : `cannot read the file (${code ?? String(err)})` } };
  }
  return parseJsonDocument(text);
}

export function parseJsonDocument(text: string): { data: unknown } | { problem: Problem } {
  if (text.trim() === '') return { problem: { path: '(root)', message: 'the file is empty (expected a JSON object)' } };
  try {
    return { data: JSON.parse(text) as unknown };
  } catch (err) {
    return { problem: { path: '(root)', message: `invalid JSON: ${(err as Error).message}` } };
  }
}

/** Read a JSON file; a missing, empty or unparsable file is a FileFormatError naming it. */
export function readJsonFile(file: string): unknown {
  const doc = readJsonDocument(file);
  if ('problem' in doc) throw new FileFormatError(file, doc.problem.path, doc.problem.message);
  return doc.data;
}

export function parseJsonText(text: string, file: string): unknown {
  const doc = parseJsonDocument(text);
  if ('problem' in doc) throw new FileFormatError(file, doc.problem.path, doc.problem.message);
  return doc.data;
}
