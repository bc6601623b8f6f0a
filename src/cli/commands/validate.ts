import type { CommandModule } from 'yargs';
import { applyOverrides, archProblems, ARCH_FORMAT, CONFIG_FORMAT, configProblems, parseOverride, type Problem } from '../../space/index.js';
import { readJsonDocument } from '../../space/schema-validation.js';
import { CANDIDATES_FORMAT, candidatesProblems } from '../../search/search-directory.js';
import { printJson, withJsonOption } from '../options.js';

interface ValidateArgs {
  file: string;
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

const validate: CommandModule<object, ValidateArgs> = {
  command: 'validate <file>',
  describe: 'Check a config, arch.json or candidates.json file; print every problem with its JSON path (exit 1 if any)',
  builder: (y) =>
    withJsonOption(
      y
        .positional('file', {
          type: 'string',
          demandOption: true,
          describe: 'config (groupnas.config), arch.json (groupnas.arch) or candidates.json (groupnas.candidates)',
        })
        .option('set', { type: 'string', array: true, default: [] as string[], describe: 'override a config field: key.path=value (repeatable)' }),
    ),
  handler: (argv) => {
    const parsed = readJsonDocument(argv.file);
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
      printJson({ file: argv.file, kind, valid, problems });
      return;
    }
    if (valid) {
      const what = { arch: 'arch.json', config: 'config', candidates: 'candidates.json (every candidate a valid arch.json)', unknown: '' }[kind];
      console.log(`${argv.file}: valid ${what} (version 1)`);
      return;
    }
    for (const p of problems) console.log(`${argv.file}: ${p.path}: ${p.message}`);
    console.log(`${problems.length} problem${problems.length === 1 ? '' : 's'}`);
  },
};

export default validate;
