import { describe, expect, it } from 'vitest';
import { convGeometry } from '../../src/kernels/conv-spec.js';
import { UsageError } from '../../src/util/errors.js';

describe('convGeometry (TensorFlow padding rules)', () => {
  it('same: output ⌈in/stride⌉, extra padding at the bottom/right', () => {
    expect(convGeometry(28, 28, { kernel: 3, stride: 1, dilation: 1, padding: 'same' })).toEqual({ outH: 28, outW: 28, padTop: 1, padLeft: 1 });
    // stride 2 on an even size: total pad 1, all of it after → padTop 0
    expect(convGeometry(28, 28, { kernel: 3, stride: 2, dilation: 1, padding: 'same' })).toEqual({ outH: 14, outW: 14, padTop: 0, padLeft: 0 });
    expect(convGeometry(7, 8, { kernel: 3, stride: 2, dilation: 1, padding: 'same' })).toEqual({ outH: 4, outW: 4, padTop: 1, padLeft: 0 });
    // dilation 4, 5×5: span 17
    expect(convGeometry(10, 10, { kernel: 5, stride: 1, dilation: 4, padding: 'same' })).toEqual({ outH: 10, outW: 10, padTop: 8, padLeft: 8 });
  });

  it('valid: no padding, output ⌊(in − span)/stride⌋ + 1', () => {
    expect(convGeometry(9, 10, { kernel: 3, stride: 2, dilation: 2, padding: 'valid' })).toEqual({ outH: 3, outW: 3, padTop: 0, padLeft: 0 });
    expect(() => convGeometry(4, 4, { kernel: 5, stride: 1, dilation: 1, padding: 'valid' })).toThrow(UsageError);
  });

  it('symmetric: dilation·(k−1)/2 on every side, output ⌊(in − 1)/stride⌋ + 1 (PyTorch, nn Conv2d)', () => {
    expect(convGeometry(28, 28, { kernel: 3, stride: 2, dilation: 1, padding: 'symmetric' })).toEqual({ outH: 14, outW: 14, padTop: 1, padLeft: 1 });
    expect(convGeometry(7, 6, { kernel: 5, stride: 2, dilation: 2, padding: 'symmetric' })).toEqual({ outH: 4, outW: 3, padTop: 4, padLeft: 4 });
    expect(convGeometry(5, 5, { kernel: 1, stride: 2, dilation: 1, padding: 'symmetric' })).toEqual({ outH: 3, outW: 3, padTop: 0, padLeft: 0 });
  });

  it('rejects bad specs by field', () => {
    expect(() => convGeometry(4, 4, { kernel: 0, stride: 1, dilation: 1, padding: 'same' })).toThrow(/kernel/);
    expect(() => convGeometry(4, 4, { kernel: 3, stride: 1.5, dilation: 1, padding: 'same' })).toThrow(/stride/);
  });
});
