/** Reading and writing arch.json files: validated on the way in and out, written atomically. */
import { writeJsonAtomic } from '../util/atomic-write.js';
import type { Arch } from './arch.js';
import { archProblems } from './arch-validation.js';
import { parseJsonText, readJsonFile, ValidationError } from './schema-validation.js';

/** Validate parsed JSON as an Arch; `file` names the source in errors. */
export function checkArch(data: unknown, file: string): Arch {
  const problems = archProblems(data);
  if (problems.length > 0) throw new ValidationError(file, problems);
  return data as Arch;
}

export function parseArch(text: string, file = '<arch>'): Arch {
  return checkArch(parseJsonText(text, file), file);
}

export function loadArch(file: string): Arch {
  return checkArch(readJsonFile(file), file);
}

/** Write `arch` to `file` (temp file + rename); refuses an invalid architecture. */
export function saveArch(file: string, arch: Arch): void {
  checkArch(arch, file);
  writeJsonAtomic(file, arch);
}
