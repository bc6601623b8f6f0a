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

/* 16 floats as one value: GCC lowers it to one zmm, two ymm or four xmm operations per clone. */
typedef float gn_f16 __attribute__((vector_size(64)));

#define GN_LOAD16(v, p) memcpy(&(v), (p), sizeof(gn_f16))
#define GN_STORE16(p, v) memcpy((p), &(v), sizeof(gn_f16))

/* Output channels 16 at a time with the sum over taps and input channels in a register; a
 * scalar loop for the last Cout mod 16. */
GN_FLOAT_CLONES
void gn_float_conv(const float *x, int n, int h, int w, int c, const float *filter, int cout,
                   int kernel, int stride, int dilation, int pad_top, int pad_left, int out_h, int out_w, float *out) {
  const int vec_end = cout / 16 * 16;
  for (int b = 0; b < n; b++) {
    for (int oy = 0; oy < out_h; oy++) {
      for (int ox = 0; ox < out_w; ox++) {
        float *dst = out + (((size_t)b * out_h + oy) * out_w + ox) * cout;
        for (int o = 0; o < cout; o += 16) {
          const int vector = o < vec_end;
          gn_f16 acc = {0};
          float tail[16] = {0};
          for (int ky = 0; ky < kernel; ky++) {
            const int iy = oy * stride - pad_top + ky * dilation;
            if (iy < 0 || iy >= h) continue;
            for (int kx = 0; kx < kernel; kx++) {
              const int ix = ox * stride - pad_left + kx * dilation;
              if (ix < 0 || ix >= w) continue;
              const float *xp = x + (((size_t)b * h + iy) * w + ix) * c;
              const float *wp = filter + ((size_t)(ky * kernel + kx) * c) * cout + o;
              if (vector) {
                for (int ci = 0; ci < c; ci++) {
                  gn_f16 wv;
                  GN_LOAD16(wv, wp + (size_t)ci * cout);
                  acc += xp[ci] * wv;
                }
              } else {
                for (int ci = 0; ci < c; ci++) {
                  for (int q = 0; q < cout - o; q++) tail[q] += xp[ci] * wp[(size_t)ci * cout + q];
                }
              }
            }
          }
          if (vector) GN_STORE16(dst + o, acc);
          else memcpy(dst + o, tail, (size_t)(cout - o) * sizeof(float));
        }
      }
    }
  }
}

/* out_j = Σ_k w[j·from + k]·part_k over `size` floats: 16 at a time with the sum over k in a
 * register, so each output is written once and nothing else is stored. */
GN_FLOAT_CLONES
void gn_mix(const float *const *parts, size_t from, const float *weights, float *const *outs, size_t to, size_t size) {
  const size_t vec_end = size / 16 * 16;
  for (size_t j = 0; j < to; j++) {
    const float *w = weights + j * from;
    float *out = outs[j];
    for (size_t i = 0; i < vec_end; i += 16) {
      gn_f16 acc, x;
      GN_LOAD16(x, parts[0] + i);
      acc = w[0] * x;
      for (size_t k = 1; k < from; k++) {
        GN_LOAD16(x, parts[k] + i);
        acc += w[k] * x;
      }
      GN_STORE16(out + i, acc);
    }
    for (size_t i = vec_end; i < size; i++) {
      float acc = w[0] * parts[0][i];
      for (size_t k = 1; k < from; k++) acc += w[k] * parts[k][i];
      out[i] = acc;
    }
  }
}
