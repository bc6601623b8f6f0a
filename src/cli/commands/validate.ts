import { statSync } from 'node:fs';
import type { CommandModule } from 'yargs';
import { applyOverrides, archProblems, ARCH_FORMAT, CONFIG_FORMAT, configProblems, parseOverride, type Problem } from '../../space/index.js';
import { readJsonDocument } from '../../space/schema-validation.js';
import { CANDIDATES_FORMAT, candidatesProblems } from '../../search/search-directory.js';
import { isReproduceDirectory, validateReproduceDirectory } from '../../reproduce/validate-reproduce-directory.js';
import { validateRunDirectory } from '../../search/validate-run-directory.js';
import { UsageError } from '../../util/errors.js';
import { formatRunDirectoryReport } from '../../util/file-check.js';
import { printJson, withJsonOption } from '../options.js';

interface ValidateArgs {
  path: string;
  set: string[];
  json: boolean;
}

type Kind = 'arch' | 'config' | 'candidates' | 'unknown';

/** Which kind of file this is: by its `format` field, else by its shape. */
function detectKind(data: unknown): Kind {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return 'unknown';
  const doc = data as Record<string, unknown>;
  if (doc.format === ARCH_FORMAT) return 'arch';
  if (doc.format === CONFIG_FORMAT) return 'config';
  if (doc.format === CANDIDATES_FORMAT) return 'candidates';
  if ('blocks' in doc || 'groups' in doc) return 'arch';
  if ('backbone' in doc || 'space' in doc || 'search' in doc) return 'config';
  return 'unknown';
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

const validate: CommandModule<object, ValidateArgs> = {
  command: 'validate <path>',
  describe:
    'Check a config, arch.json or candidates.json file (every problem with its JSON path), or every file of a run directory and what --resume would do with it (exit 1 if any problem)',
  builder: (y) =>
    withJsonOption(
      y
        .positional('path', {
          type: 'string',
          demandOption: true,
          describe:
            'a file: config (groupnas.config), arch.json (groupnas.arch) or candidates.json (groupnas.candidates); or a run directory: a search ' +
            "(config.json), a training run (run.json), a search's teacher/ or evaluation/candidates/<i>, a reproduction (reproduce.json)",
        })
        .option('set', { type: 'string', array: true, default: [] as string[], describe: 'override a config field: key.path=value (repeatable)' })
        .example('$0 validate configs/tiny.json', 'check a config')
        .example(
          '$0 validate runs/search-1',
          'check every file of a run directory with the reader --resume uses: ok, not yet written, missing or damaged (naming file and field), and what --resume would do',
        ),
    ),
  handler: (argv) => {
    if (isDirectory(argv.path)) {
      if (argv.set.length > 0) throw new UsageError("--set: overrides a config file's fields; a run directory is checked as it is");
      const report = isReproduceDirectory(argv.path) ? validateReproduceDirectory(argv.path) : validateRunDirectory(argv.path);
      if (!report.valid) process.exitCode = 1;
      if (argv.json) printJson(report);
      else console.log(formatRunDirectoryReport(report));
      return;
    }
    const parsed = readJsonDocument(argv.path);
    let kind: Kind = 'unknown';
    let problems: Problem[];
    if ('problem' in parsed) {
      problems = [parsed.problem];
    } else {
      kind = detectKind(parsed.data);
      if (kind === 'config') {
        applyOverrides(parsed.data, argv.set.map(parseOverride));
        problems = configProblems(parsed.data);
      } else if (kind === 'arch') {
        problems = archProblems(parsed.data);
      } else if (kind === 'candidates') {
        problems = candidatesProblems(parsed.data as Record<string, unknown>);
      } else {
        problems = [{ path: 'format', message: `expected "${CONFIG_FORMAT}" or "${ARCH_FORMAT}": cannot tell what kind of file this is` }];
      }
    }
    const valid = problems.length === 0;
    if (!valid) process.exitCode = 1;
    if (argv.json) {
      printJson({ file: argv.path, kind, valid, problems });
      return;
    }
    if (valid) {
      const what = { arch: 'arch.json', config: 'config', candidates: 'candidates.json (every candidate a valid arch.json)', unknown: '' }[kind];
      console.log(`${argv.path}: valid ${what} (version 1)`);
      return;
    }
    for (const p of problems) console.log(`${argv.path}: ${p.path}: ${p.message}`);
    console.log(`${problems.length} problem${problems.length === 1 ? '' : 's'}`);
  },
};

export default validate;
