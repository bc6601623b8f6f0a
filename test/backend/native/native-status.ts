/** Why the native training kernels cannot run here (undefined: they can); tests skip on it and say why. */
import { openNativeTraining } from '../../../src/backend/native/native-training.js';
import { NotAvailableError } from '../../../src/util/errors.js';

export function nativeTrainingUnavailable(): string | undefined {
  try {
    openNativeTraining(1);
    return undefined;
  } catch (err) {
    if (err instanceof NotAvailableError) return err.message;
    throw err;
  }
}

/** Bit equality of two float arrays (NaN payloads and signed zeros included). */
export function sameBits(a: Float32Array, b: Float32Array): boolean {
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}
