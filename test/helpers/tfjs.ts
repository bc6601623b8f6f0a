/**
 * tfjs for tests: the whole `@tensorflow/tfjs-core` API (tests use ops the library does not), loaded
 * after src/util/tfjs.ts has registered the gradients, the chained tensor methods and the cpu backend,
 * so a test sees tfjs exactly as the library set it up.
 */
import '../../src/util/tfjs.js';

export * from '@tensorflow/tfjs-core';
