/**
 * `node:fs` in the browser bundle of the inference worker. The library reads a few files of its
 * own package when a module loads or a model is opened — package.json (the version), the arch
 * schema (to validate a model's header), the wasm kernels — and nothing else on the way from a
 * `.gnb` image to predictions. The bundle carries those files (the module `groupnas:package-files`
 * that scripts/build-browser.mjs makes) and this module serves them under the paths the library
 * asks for; any other file access is an error.
 */
import FILES from 'groupnas:package-files';

function packageFile(path: string): string | Uint8Array | undefined {
  const key = Object.keys(FILES).find((name) => path === name || path.endsWith(`/${name}`));
  return key === undefined ? undefined : FILES[key];
}

function unavailable(name: string): never {
  throw new Error(`${name}: no file system in the browser`);
}

export function readFileSync(path: string, encoding?: string): string | Uint8Array {
  const file = packageFile(String(path));
  if (file === undefined) throw new Error(`${String(path)}: not a file the browser bundle carries`);
  if (encoding === undefined) return typeof file === 'string' ? new TextEncoder().encode(file) : file;
  return typeof file === 'string' ? file : new TextDecoder().decode(file);
}

export function existsSync(path: string): boolean {
  return packageFile(String(path)) !== undefined;
}

export const writeFileSync = () => unavailable('writeFileSync');
export const renameSync = () => unavailable('renameSync');
export const rmSync = () => unavailable('rmSync');
export const mkdirSync = () => unavailable('mkdirSync');
export const statSync = () => unavailable('statSync');
export const openSync = () => unavailable('openSync');
export const writeSync = () => unavailable('writeSync');
export const fsyncSync = () => unavailable('fsyncSync');
export const closeSync = () => unavailable('closeSync');
