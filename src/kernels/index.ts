/** src/kernels: bit packing, binary conv engines, the packed inference engine and latency measurement (DESIGN §5). */
export * from './packing.js';
export * from './weights.js';
export * from './conv-spec.js';
export * from './engine.js';
export * from './engines.js';
export { JsEngine } from './js-engine.js';
export { WasmEngine } from './wasm-engine.js';
export * from './output-transform.js';
export * from './float-conv.js';
export * from './float-ops.js';
export * from './gnb-format.js';
export * from './pack-state-dict.js';
export * from './model-layout.js';
export * from './packed-model.js';
export * from './packed-inference.js';
export * from './latency-table.js';
export * from './arch-latency.js';
export * from './timing.js';
