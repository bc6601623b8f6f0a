#!/usr/bin/env node
// Compile the AssemblyScript kernels (assembly/binary.ts) to dist/kernels/binary.wasm.
// Run by `npm run build` (and so by `npm ci` via prepare); tests call it when the .wasm is
// missing or older than its source. Writes atomically so a concurrent reader never sees half a file.
import { spawnSync } from 'node:child_process';
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'assembly', 'binary.ts');
const target = join(root, 'dist', 'kernels', 'binary.wasm');
const tmp = `${target}.${process.pid}.tmp`;

const require = createRequire(import.meta.url);
const ascBin = join(dirname(require.resolve('assemblyscript/package.json')), 'bin', 'asc.js');

mkdirSync(dirname(target), { recursive: true });
const args = [
  ascBin,
  source,
  '--outFile',
  tmp,
  '--optimizeLevel',
  '3',
  '--shrinkLevel',
  '0',
  '--noAssert',
  '--runtime',
  'stub',
  '--enable',
  'simd',
  '--initialMemory',
  '1',
];
const run = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
if (run.status !== 0) {
  rmSync(tmp, { force: true });
  console.error(`build-wasm: asc failed on ${source}`);
  process.exit(run.status ?? 1);
}
renameSync(tmp, target);
