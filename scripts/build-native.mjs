#!/usr/bin/env node
// Build the native kernel addon (native/ → native/build/Release/groupnas_native.node) with
// node-gyp. Run by `npm run build` (and so by `npm ci` via prepare) and by `npm run build:native`.
// It never fails the install: without a C compiler, make, Python or node-gyp — or when the
// compile fails — it says why, records the reason in native/build/status.json (quoted by the
// engine's "not available" error) and exits 0; `--engine auto` then uses wasm.
// GROUPNAS_NATIVE_ASAN=1 builds with AddressSanitizer (run node with LD_PRELOAD=$(cc -print-file-name=libasan.so)).
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const nativeDir = join(root, 'native');
const statusPath = join(nativeDir, 'build', 'status.json');

/** Write by rename, so a concurrent build or a test loading the addon never sees half a file. */
function replaceAtomically(target, write) {
  mkdirSync(dirname(target), { recursive: true });
  const tmp = `${target}.${process.pid}.tmp`;
  write(tmp);
  renameSync(tmp, target);
}

function finish(ok, reason) {
  replaceAtomically(statusPath, (tmp) => writeFileSync(tmp, `${JSON.stringify({ ok, reason, at: new Date().toISOString() }, null, 2)}\n`));
  console.error(
    ok
      ? 'build-native: built native/build/Release/groupnas_native.node'
      : `build-native: skipped — ${reason}; the native engine is unavailable and --engine auto uses wasm`,
  );
  process.exit(0);
}

function onPath(name) {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir && existsSync(join(dir, name)));
}

if (process.env.GROUPNAS_SKIP_NATIVE === '1') finish(false, 'GROUPNAS_SKIP_NATIVE=1');
const compiler = process.env.CC ?? ['cc', 'gcc', 'clang'].find(onPath);
if (!compiler || (process.env.CC === undefined && !onPath(compiler))) finish(false, 'no C compiler (cc, gcc or clang) on PATH');
if (!onPath('make')) finish(false, 'no make on PATH');
if (!['python3', 'python'].some(onPath)) finish(false, 'no Python on PATH (node-gyp needs it)');

/** node-gyp: the one npm runs scripts with, else the one bundled with npm beside this node, else a local install. */
function findNodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  try {
    candidates.push(createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js'));
  } catch {
    // not installed locally
  }
  return candidates.find((p) => p && existsSync(p));
}
const nodeGyp = findNodeGyp();
if (!nodeGyp) finish(false, "node-gyp not found (neither npm's bundled copy nor a local install)");

// Build against the headers of the node that runs this script when they are installed beside
// it (no download); otherwise node-gyp uses its configured nodedir or cache.
// Each build runs in its own staging folder (binding.gyp + a link to src/), so builds started
// at the same time by several people in one checkout cannot trip over each other's objects;
// the finished addon is then renamed into place.
const staging = join(nativeDir, 'build', `staging-${process.pid}`);
rmSync(staging, { recursive: true, force: true });
mkdirSync(staging, { recursive: true });
copyFileSync(join(nativeDir, 'binding.gyp'), join(staging, 'binding.gyp'));
symlinkSync(join('..', '..', 'src'), join(staging, 'src'));
const args = [nodeGyp, 'rebuild', '--release'];
const prefix = join(dirname(process.execPath), '..');
if (!process.env.npm_config_nodedir && existsSync(join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`);
const run = spawnSync(process.execPath, args, { cwd: staging, encoding: 'utf8', env: { ...process.env, CC: compiler, LINK: process.env.LINK ?? compiler } });
if (run.status !== 0) {
  rmSync(staging, { recursive: true, force: true });
  // a stale addon from older sources must not stand in for the one that failed to build
  rmSync(join(nativeDir, 'build', 'Release', 'groupnas_native.node'), { force: true });
  const log = `${run.stdout ?? ''}${run.stderr ?? ''}`.trim().split('\n').slice(-15).join('\n');
  console.error(log);
  finish(false, `node-gyp failed (exit ${run.status ?? run.signal}): ${log.split('\n').find((l) => /error/i.test(l)) ?? 'see the log above'}`);
}
replaceAtomically(join(nativeDir, 'build', 'Release', 'groupnas_native.node'), (tmp) =>
  copyFileSync(join(staging, 'build', 'Release', 'groupnas_native.node'), tmp),
);
rmSync(staging, { recursive: true, force: true });
finish(true, undefined);
