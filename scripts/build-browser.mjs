#!/usr/bin/env node
// Bundle the dashboard's pages (src/serve/browser/*-page.ts, with Chart.js) and the inference
// worker (the packed engine, src/kernels, for the browser) into dist/serve/assets/, with their
// HTML shells and the stylesheet of src/serve/static/. Run by `npm run build` after build-wasm (the worker carries
// the wasm kernels). Nothing is fetched at run time: `groupnas serve` works offline.
import { copyFileSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const browser = join(root, 'src', 'serve', 'browser');
const target = join(root, 'dist', 'serve', 'assets');
const staging = `${target}.${process.pid}.tmp`;

// Node built-ins the library imports, replaced by the browser shims (node-shims/*.ts say why).
const shims = { 'node:fs': 'fs', 'node:path': 'path', 'node:url': 'url', 'node:v8': 'v8', 'node:zlib': 'zlib' };
const nodeShims = {
  name: 'node-shims',
  setup(b) {
    // The native addon is Node's: the browser's packed engine is wasm, and its timings use the wall clock.
    b.onResolve({ filter: /\/util\/native-addon\.js$/ }, () => ({ path: join(browser, 'node-shims', 'native-addon.ts') }));
    b.onResolve({ filter: /^node:/ }, (args) => {
      const shim = shims[args.path];
      if (shim === undefined) return { errors: [{ text: `${args.path} has no browser shim (imported by ${args.importer})` }] };
      return { path: join(browser, 'node-shims', `${shim}.ts`) };
    });
  },
};

// Every page is the same shell around its script (the server maps / to index.html, /run to run.html, …).
const PAGES = {
  index: ['runs-page', 'Runs'],
  run: ['run-page', 'Run'],
  compare: ['compare-page', 'Compare runs'],
  infer: ['infer-page', 'Model in the browser'],
};
const page = (script, title) => `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>groupnas · ${title}</title>
    <link rel="stylesheet" href="/assets/style.css" />
    <script type="module" src="/assets/${script}.js"></script>
  </head>
  <body>
    <header><a class="brand" href="/">groupnas</a> <span id="crumbs"></span></header>
    <main id="main"><p class="muted">loading…</p></main>
  </body>
</html>
`;

// The package files the library reads on its way from a .gnb image to predictions (node-shims/fs.ts).
const PACKAGE_FILES = { 'package.json': 'json', 'schemas/arch.schema.json': 'json', 'dist/kernels/binary.wasm': 'binary' };
const packageFiles = {
  name: 'package-files',
  setup(b) {
    b.onResolve({ filter: /^groupnas:package-files$/ }, () => ({ path: 'package-files', namespace: 'groupnas' }));
    b.onLoad({ filter: /.*/, namespace: 'groupnas' }, () => {
      const names = Object.keys(PACKAGE_FILES);
      const imports = names.map((name, i) => `import file${i} from ${JSON.stringify(join(root, name))};`).join('\n');
      const entries = names.map((name, i) => `${JSON.stringify(name)}: ${PACKAGE_FILES[name] === 'json' ? `JSON.stringify(file${i})` : `file${i}`}`).join(', ');
      return { contents: `${imports}\nexport default { ${entries} };`, resolveDir: root, loader: 'js' };
    });
  },
};

rmSync(staging, { recursive: true, force: true });
mkdirSync(staging, { recursive: true });
try {
  await build({
    entryPoints: {
      'runs-page': join(browser, 'runs-page.ts'),
      'run-page': join(browser, 'run-page.ts'),
      'compare-page': join(browser, 'compare-page.ts'),
      'infer-page': join(browser, 'infer-page.ts'),
      'infer-worker': join(browser, 'infer-worker.ts'),
    },
    outdir: staging,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome110', 'firefox115', 'safari16'],
    minify: true,
    splitting: true,
    chunkNames: 'chunk-[hash]',
    loader: { '.wasm': 'binary' },
    // wasm-module.ts restores a V8 flag unless Node was started with it; the browser has no such flags.
    define: { 'process.execArgv': '[]' },
    plugins: [nodeShims, packageFiles],
    logLevel: 'warning',
  });
  for (const name of readdirSync(join(root, 'src', 'serve', 'static'))) copyFileSync(join(root, 'src', 'serve', 'static', name), join(staging, name));
  for (const [name, [script, title]] of Object.entries(PAGES)) writeFileSync(join(staging, `${name}.html`), page(script, title));
  rmSync(target, { recursive: true, force: true });
  renameSync(staging, target);
} catch (err) {
  rmSync(staging, { recursive: true, force: true });
  console.error(`build-browser: ${err.message}`);
  process.exit(1);
}
