import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../src/util/version.js';
import { WASM_PATH } from '../../src/kernels/wasm-module.js';

/** Build dist/kernels/binary.wasm when it is missing or older than its AssemblyScript source. */
export function ensureWasmBuilt(): void {
  const source = join(PACKAGE_ROOT, 'assembly', 'binary.ts');
  if (existsSync(WASM_PATH) && statSync(WASM_PATH).mtimeMs >= statSync(source).mtimeMs) return;
  execFileSync(process.execPath, [join(PACKAGE_ROOT, 'scripts', 'build-wasm.mjs')], { stdio: 'inherit' });
}
