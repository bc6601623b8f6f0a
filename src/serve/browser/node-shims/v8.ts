/** `node:v8` in the browser bundle: engine flags are Node's business; the browser picks its own wasm tiers. */
export function setFlagsFromString(_flags: string): void {}
