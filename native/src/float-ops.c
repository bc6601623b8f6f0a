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
