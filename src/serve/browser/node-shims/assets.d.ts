/**
 * The package files the browser bundle carries, by path relative to the package root (text, or
 * bytes for the wasm kernels): made by scripts/build-browser.mjs, served by the fs shim.
 */
declare module 'groupnas:package-files' {
  const files: Record<string, string | Uint8Array>;
  export default files;
}
