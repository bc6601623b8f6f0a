/* Full-precision pieces of the packed engine: the mixing of bases between groups. Built for several
 * ISAs and chosen by the CPU at load time (target_clones), since these are float and need no path
 * forcing. (Float convs run on the training convolution, conv-train.c.) */
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
