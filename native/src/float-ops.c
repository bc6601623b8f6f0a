/* Full-precision pieces of the packed engine (stem, projection shortcuts, full-precision
 * groups): a direct conv vectorized over output channels. Built for several ISAs and chosen
 * by the CPU at load time (target_clones), since these are float and need no path forcing. */
#include <stdlib.h>
#include <string.h>
#include "kernels.h"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__linux__)
#define GN_FLOAT_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define GN_FLOAT_CLONES
#endif

GN_FLOAT_CLONES
void gn_float_conv(const float *x, int n, int h, int w, int c, const float *filter, int cout,
                   int kernel, int stride, int dilation, int pad_top, int pad_left, int out_h, int out_w, float *out) {
  for (int b = 0; b < n; b++) {
    for (int oy = 0; oy < out_h; oy++) {
      for (int ox = 0; ox < out_w; ox++) {
        float *restrict acc = out + (((size_t)b * out_h + oy) * out_w + ox) * cout;
        for (int o = 0; o < cout; o++) acc[o] = 0.0f;
        for (int ky = 0; ky < kernel; ky++) {
          const int iy = oy * stride - pad_top + ky * dilation;
          if (iy < 0 || iy >= h) continue;
          for (int kx = 0; kx < kernel; kx++) {
            const int ix = ox * stride - pad_left + kx * dilation;
            if (ix < 0 || ix >= w) continue;
            const float *xp = x + (((size_t)b * h + iy) * w + ix) * c;
            const float *restrict wp = filter + ((size_t)(ky * kernel + kx) * c) * cout;
            for (int ci = 0; ci < c; ci++) {
              const float v = xp[ci];
              const float *restrict wr = wp + (size_t)ci * cout;
              for (int o = 0; o < cout; o++) acc[o] += v * wr[o];
            }
          }
        }
      }
    }
  }
}

/* out_j = Σ_k w[j·from + k]·part_k over `size` floats, in L1-sized chunks so each part is read
 * from memory once and each output written once (a map is often larger than L2/K). */
GN_FLOAT_CLONES
void gn_mix(const float *const *parts, size_t from, const float *weights, float *const *outs, size_t to, size_t size) {
  enum { CHUNK = 1024 };
  for (size_t i0 = 0; i0 < size; i0 += CHUNK) {
    const size_t n = size - i0 < CHUNK ? size - i0 : CHUNK;
    for (size_t j = 0; j < to; j++) {
      float acc[CHUNK];
      const float w0 = weights[j * from];
      const float *restrict s0 = parts[0] + i0;
      for (size_t i = 0; i < n; i++) acc[i] = w0 * s0[i];
      for (size_t k = 1; k < from; k++) {
        const float wk = weights[j * from + k];
        const float *restrict src = parts[k] + i0;
        for (size_t i = 0; i < n; i++) acc[i] += wk * src[i];
      }
      memcpy(outs[j] + i0, acc, n * sizeof(float));
    }
  }
}
