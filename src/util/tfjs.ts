/**
 * tfjs as groupnas loads it — the one place that imports it. Only what the code uses is installed:
 * `@tensorflow/tfjs-core` (ops, autograd), its gradients, the `cpu` backend (loaded here) and the
 * `wasm` backend (loaded by src/backend/select.ts when chosen), not the 280 MB `@tensorflow/tfjs`
 * bundle with layers, converter, data and WebGL.
 *
 * tfjs-core's Node entry registers no gradients and no chained tensor methods (`x.add(y)`); the
 * build bundles both from tfjs-core's own sources into vendor/tfjs-core-extras.cjs
 * (scripts/build-tfjs-gradients.mjs), loaded here right after tfjs-core, as the union package does.
 *
 * Loaded through `require`, not an ESM `import`: tfjs ships CommonJS bundles, and an ESM import of
 * one makes Node scan its source for export names with a lexer that must first be JIT-compiled —
 * CPU paid again by every evaluation worker; `require` skips it.
 *
 * Use it like the package: `import * as tf from '../util/tfjs.js'`. Every tfjs type is here; the
 * functions are the ones groupnas calls (add one below when the compiler says it is missing).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type * as Tfjs from '@tensorflow/tfjs-core';
import { NotAvailableError } from './errors.js';
import { PACKAGE_ROOT } from './version.js';

export type * from '@tensorflow/tfjs-core';
// The chained tensor methods' types (`x.reshape(…)`), registered at run time by the extras bundle below.
import type {} from '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops.js';

/** Built by scripts/build-tfjs-gradients.mjs (`npm run build`). */
export const TFJS_CORE_EXTRAS_PATH = join(PACKAGE_ROOT, 'vendor', 'tfjs-core-extras.cjs');

const require = createRequire(import.meta.url);
const tf = require('@tensorflow/tfjs-core') as typeof Tfjs;
if (!existsSync(TFJS_CORE_EXTRAS_PATH)) throw new NotAvailableError(`${TFJS_CORE_EXTRAS_PATH} is missing: build it with \`npm run build\``);
require(TFJS_CORE_EXTRAS_PATH);
// The plain JS backend is always there, as in the union package: ops work before a backend is chosen.
require('@tensorflow/tfjs-backend-cpu');

export const {
  abs,
  add,
  addN,
  argMax,
  avgPool,
  backend,
  backend_util,
  batchNorm,
  batchToSpaceND,
  cast,
  clipByValue,
  clone,
  concat,
  conv2d,
  customGrad,
  dispose,
  div,
  engine,
  env,
  equal,
  exp,
  eye,
  gather,
  getBackend,
  getGradient,
  getKernel,
  grads,
  greaterEqual,
  keep,
  lessEqual,
  log,
  logicalAnd,
  logSoftmax,
  matMul,
  maximum,
  maxPool,
  mean,
  memory,
  moments,
  mul,
  neg,
  norm,
  oneHot,
  ones,
  onesLike,
  pad,
  profile,
  randomNormal,
  randomUniform,
  ready,
  registerGradient,
  registerKernel,
  relu,
  reshape,
  round,
  rsqrt,
  scalar,
  setBackend,
  sign,
  slice,
  slice_util,
  softmax,
  spaceToBatchND,
  split,
  sqrt,
  square,
  squeeze,
  stack,
  step,
  sub,
  sum,
  tensor,
  tensor1d,
  tensor2d,
  tensor4d,
  tidy,
  tile,
  transpose,
  unregisterKernel,
  unstack,
  util,
  variable,
  variableGrads,
  version_core,
  where,
  zeros,
  zerosLike,
} = tf;

/** The tensor class, as a value too (`instanceof tf.Tensor`). */
export const Tensor = tf.Tensor;
export type Tensor<R extends Tfjs.Rank = Tfjs.Rank> = Tfjs.Tensor<R>;
