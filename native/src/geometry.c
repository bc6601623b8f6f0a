/* Conv geometry, computed here from the primitive spec (never taken from JavaScript), with
 * the same rules as src/kernels/conv-spec.ts. */
#include "kernels.h"

void gn_axis_geometry(int size, int kernel, int stride, int dilation, int padding, int *out, int *pad) {
  const long long span = (long long)(kernel - 1) * dilation + 1;
  long long o = 0, p = 0;
  if (padding == GN_PAD_VALID) {
    o = size >= span ? (size - span) / stride + 1 : 0;
  } else if (padding == GN_PAD_SYMMETRIC) {
    p = ((long long)(kernel - 1) * dilation) / 2;
    o = size + 2 * p >= span ? (size + 2 * p - span) / stride + 1 : 0;
  } else {
    o = (size + stride - 1) / stride;
    long long total = (o - 1) * stride + span - size;
    if (total < 0) total = 0;
    p = total / 2;
  }
  *out = (int)o;
  *pad = (int)p;
}
