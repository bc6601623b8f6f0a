/** The bundle's binary loader turns an imported .wasm file into its bytes (scripts/build-browser.mjs). */
declare module '*.wasm' {
  const bytes: Uint8Array;
  export default bytes;
}
