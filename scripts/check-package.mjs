#!/usr/bin/env node
// The package as a user gets it: `npm pack` this checkout, install the tarball into a fresh
// project (dependencies from the npm cache when they are there), then run what the README promises
// there — `npx groupnas info` lists the native engine, `npx groupnas search --config tiny` runs,
// the README's library snippet runs verbatim — and measure the project's node_modules.
// One line per check, then "package: N passed, N failed"; exit 1 if any failed.
// Run by .ci/run before the test suite (`npm run test:package` by hand); takes a few minutes.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(import.meta.url), '..', '..');
const work = mkdtempSync(join(tmpdir(), 'groupnas-package-'));
const project = join(work, 'project');
/** node_modules of a fresh install must stay under this (it was 322 MB with the whole tfjs bundle). */
const NODE_MODULES_LIMIT_MB = 100;

let passed = 0;
let failed = 0;
function check(name, f) {
  const started = Date.now();
  try {
    const detail = f();
    passed++;
    console.log(`package: ${name}: ok${detail ? ` (${detail})` : ''} [${((Date.now() - started) / 1000).toFixed(0)} s]`);
  } catch (err) {
    failed++;
    console.log(`package: ${name}: FAILED: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Run a command; throw with its output's tail when it fails. */
function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, ...options });
  if (r.status !== 0) {
    const tail = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').slice(-12).join('\n');
    throw new Error(`${cmd} ${args.join(' ')} exited ${r.status ?? r.signal}:\n${tail}`);
  }
  return r;
}

function sizeMb(dir) {
  let bytes = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) bytes += sizeMb(p) * 2 ** 20;
    else if (e.isFile()) bytes += statSync(p).size;
  }
  return bytes / 2 ** 20;
}

const onPath = (name) => (process.env.PATH ?? '').split(delimiter).some((d) => d && spawnSync('test', ['-x', join(d, name)]).status === 0);

let tarball;
try {
  check('npm pack', () => {
    const out = run('npm', ['pack', '--pack-destination', work, '--json'], { cwd: root });
    const info = JSON.parse(out.stdout)[0];
    tarball = join(work, info.filename);
    const files = info.files.map((f) => f.path);
    for (const needed of [
      'LICENSE',
      'README.md',
      'CHANGELOG.md',
      'dist/index.js',
      'dist/kernels/binary.wasm',
      'vendor/tfjs-core-extras.cjs',
      'native/binding.gyp',
      'scripts/build-native.mjs',
      'configs/tiny.json',
    ]) {
      if (!files.includes(needed)) throw new Error(`${needed} is not in the tarball`);
    }
    const maps = files.filter((f) => f.endsWith('.map'));
    for (const m of maps.slice(0, 20)) {
      const map = JSON.parse(readFileSync(join(root, m), 'utf8'));
      if (!Array.isArray(map.sourcesContent) || map.sourcesContent.some((s) => typeof s !== 'string'))
        throw new Error(`${m} has no inline sources (src/ is not shipped)`);
    }
    return `${(info.size / 2 ** 20).toFixed(1)} MB packed, ${info.entryCount} files, ${maps.length} source maps with inline sources`;
  });

  check('npm install <tarball> in a fresh project', () => {
    execFileSync('mkdir', ['-p', project]);
    writeFileSync(join(project, 'package.json'), `${JSON.stringify({ name: 'fresh', version: '1.0.0', private: true, type: 'module' }, null, 2)}\n`);
    run('npm', ['install', tarball, '--prefer-offline', '--no-audit', '--no-fund'], { cwd: project });
    return `node_modules ${sizeMb(join(project, 'node_modules')).toFixed(0)} MB`;
  });

  check(`node_modules under ${NODE_MODULES_LIMIT_MB} MB`, () => {
    const mb = sizeMb(join(project, 'node_modules'));
    if (!(mb < NODE_MODULES_LIMIT_MB)) throw new Error(`${mb.toFixed(0)} MB`);
    return `${mb.toFixed(1)} MB`;
  });

  check('npx groupnas info lists the native engine', () => {
    const info = JSON.parse(run('npx', ['groupnas', 'info', '--json'], { cwd: project }).stdout);
    const compiler = ['cc', 'gcc', 'clang'].some(onPath);
    if (!info.engines.includes('native')) throw new Error(`engines ${info.engines.join(', ')}: ${info.native.reason}`);
    // with a compiler the install built it here; without one the prebuilt is used
    if (compiler && info.native.addon.origin !== 'built') throw new Error(`a compiler is present but the addon is ${info.native.addon.origin}`);
    return `${info.native.path} path, addon ${info.native.addon.origin}`;
  });

  check('npx groupnas search --config tiny', () => {
    const r = run('npx', ['groupnas', 'search', '--config', 'tiny', '--json', '--out', 'runs/tiny'], { cwd: project, timeout: 600_000 });
    const result = JSON.parse(r.stdout);
    if (result.evaluation?.chosen === undefined || result.evaluation.chosen === null) throw new Error('no chosen candidate');
    const lines = r.stderr.split('\n').filter((l) => / done in /.test(l)).length;
    const chosen = result.evaluation.candidates[result.evaluation.chosen];
    return `chosen candidate ${result.evaluation.chosen}: test accuracy ${(chosen.testAccuracy * 100).toFixed(1)}%; ${lines} progress lines on stderr`;
  });

  check("README's library snippet, verbatim", () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const match = /<!-- library-snippet -->\s*```js\n([\s\S]*?)```/.exec(readme);
    if (!match) throw new Error('README.md has no ```js block after <!-- library-snippet -->');
    writeFileSync(join(project, 'snippet.mjs'), match[1]);
    const r = run(process.execPath, ['snippet.mjs'], { cwd: project, timeout: 600_000 });
    return r.stdout.trim().split('\n').at(-1);
  });
} finally {
  rmSync(work, { recursive: true, force: true });
}
console.log(`package: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
