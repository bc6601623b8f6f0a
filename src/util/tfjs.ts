/**
 * tfjs as groupnas loads it: through `require`, not an ESM `import`. tfjs ships CommonJS bundles,
 * and an ESM import of one makes Node scan its source (and, recursively, every package it
 * re-exports: tfjs-core, -layers, -converter, -data and two backends, ~6 MB) for export names
 * with a JavaScript lexer that must first be JIT-compiled. That costs each thread ~0.3 s of CPU
 * and more in background compilation, paid again by every evaluation worker; `require` skips it.
 *
 * Use it like the package: `import * as tf from '../util/tfjs.js'`. Every tfjs type is here; the
 * functions are the ones groupnas calls (add one below when the compiler says it is missing).
 */
import { createRequire } from 'node:module';
import type * as Tfjs from '@tensorflow/tfjs';

export type * from '@tensorflow/tfjs';

const tf = createRequire(import.meta.url)('@tensorflow/tfjs') as typeof Tfjs;

export const {
  abs,
  add,
  addN,
  argMax,
  avgPool,
  backend_util,
  batchNorm,
  batchToSpaceND,
  cast,
  clipByValue,
  clone,
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
  unregisterKernel,
  unstack,
  util,
  variable,
  variableGrads,
  version,
  where,
  zeros,
  zerosLike,
} = tf;

/** The tensor class, as a value too (`instanceof tf.Tensor`). */
export const Tensor = tf.Tensor;
export type Tensor<R extends Tfjs.Rank = Tfjs.Rank> = Tfjs.Tensor<R>;
