#!/usr/bin/env node
// Bundle tfjs-core's gradient registrations and chained tensor methods into one CommonJS file,
// vendor/tfjs-core-extras.cjs, that src/util/tfjs.ts loads after `@tensorflow/tfjs-core`.
// tfjs-core's Node entry (a CommonJS bundle) registers no gradients: the union package
// `@tensorflow/tfjs` inlines them, and tfjs-core ships them only as extensionless ESM sources
// (dist/register_all_gradients.js) that Node cannot load. This bundle is the union package's way
// without its 200 MB of layers, converter, data and WebGL: the gradients it inlines reach the one
// engine and the one kernel/gradient registry through tfjs-core's process-wide globals.
// Run by `npm run build`; tests run it when the file is missing (test/helpers/ensure-built.ts).
import { build } from 'esbuild';
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const target = join(root, 'vendor', 'tfjs-core-extras.cjs');
const tmp = `${target}.${process.pid}.tmp`;
const coreDist = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-core/dist/register_all_gradients.js'));

mkdirSync(dirname(target), { recursive: true });
try {
  await build({
    stdin: {
      contents: "import './register_all_gradients';\nimport './public/chained_ops/register_all_chained_ops';\n",
      resolveDir: coreDist,
      sourcefile: 'tfjs-core-extras.js',
    },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile: tmp,
    legalComments: 'eof',
    logLevel: 'warning',
  });
  renameSync(tmp, target);
} catch (err) {
  rmSync(tmp, { force: true });
  console.error(`build-tfjs-gradients: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
