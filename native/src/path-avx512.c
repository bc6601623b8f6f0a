/* AVX-512 VPOPCNTDQ path: one VPOPCNTD counts 16 lanes × 32 bits = 512 binary MACs.
 * Lanes are output channels (the interleaved weight block), so an output pixel's 32
 * channels sit in two vectors and no horizontal reduction is ever needed. */
#if defined(__x86_64__) && defined(__GNUC__)
#pragma GCC target("avx512f,avx512bw,avx512vl,avx512vpopcntdq,avx2,fma,popcnt,bmi,bmi2")
#include <immintrin.h>
#include "kernels.h"

#define GN_TILE_P 12

/* 12 pixels × 32 channels: 24 accumulators + 2 weight vectors + a broadcast, of 32 registers.
 * acc[p][h] = Σ_k popcount(A[p·lda + k] OP W[k·32 + 16h …]), OP = AND if `use_and` else XOR;
 * callers pass `use_and` as a constant so each inlined copy keeps its inner loop branch-free. */
static inline __attribute__((always_inline)) void gn_accumulate_tile(const uint32_t *A, size_t lda, const uint32_t *W, size_t K, int use_and,
                                                                    __m512i acc[GN_TILE_P][2]) {
#pragma GCC unroll 12
  for (int p = 0; p < GN_TILE_P; p++) acc[p][0] = acc[p][1] = _mm512_setzero_si512();
  for (size_t k = 0; k < K; k++) {
    const __m512i w0 = _mm512_loadu_si512((const void *)(W + k * 32));
    const __m512i w1 = _mm512_loadu_si512((const void *)(W + k * 32 + 16));
#pragma GCC unroll 12
    for (int p = 0; p < GN_TILE_P; p++) {
      const __m512i a = _mm512_set1_epi32((int)A[p * lda + k]);
      const __m512i x0 = use_and ? _mm512_and_si512(a, w0) : _mm512_xor_si512(a, w0);
      const __m512i x1 = use_and ? _mm512_and_si512(a, w1) : _mm512_xor_si512(a, w1);
      acc[p][0] = _mm512_add_epi32(acc[p][0], _mm512_popcnt_epi32(x0));
      acc[p][1] = _mm512_add_epi32(acc[p][1], _mm512_popcnt_epi32(x1));
    }
  }
}

static inline __attribute__((always_inline)) void gn_micro(const uint32_t *A, size_t lda, const uint32_t *W, size_t K, int use_and, int32_t *pop) {
  __m512i acc[GN_TILE_P][2];
  if (use_and) {
    gn_accumulate_tile(A, lda, W, K, 1, acc);
  } else {
    gn_accumulate_tile(A, lda, W, K, 0, acc);
  }
#pragma GCC unroll 12
  for (int p = 0; p < GN_TILE_P; p++) {
    _mm512_store_si512((void *)(pop + p * 32), acc[p][0]);
    _mm512_store_si512((void *)(pop + p * 32 + 16), acc[p][1]);
  }
}

static inline uint64_t gn_popcount_words(const uint32_t *x, size_t count) {
  uint64_t total = 0;
  for (size_t i = 0; i < count; i++) total += (uint64_t)__builtin_popcount(x[i]);
  return total;
}

/* Short runs (a kernel row of taps) in one masked load/store per 16 words. */
#define GN_HAVE_COPY_WORDS
static inline __attribute__((always_inline)) void gn_copy_words(uint32_t *restrict dst, const uint32_t *restrict src, size_t count) {
  size_t i = 0;
  for (; i + 16 <= count; i += 16) _mm512_storeu_si512((void *)(dst + i), _mm512_loadu_si512((const void *)(src + i)));
  if (i < count) {
    const __mmask16 m = (__mmask16)((1u << (count - i)) - 1);
    _mm512_mask_storeu_epi32(dst + i, m, _mm512_maskz_loadu_epi32(m, src + i));
  }
}

/* The output mode for one pixel's 32 channels (d0: channels o0..o0+15, d1: the next 16). */
static inline __attribute__((always_inline)) void gn_emit32v(const gn_conv_job *j, __m512i d0, __m512i d1, size_t pix, int o0) {
  if (j->mode == GN_MODE_INT) {
    int32_t *out = (int32_t *)j->out + pix * j->cout + o0;
    _mm512_storeu_si512((void *)out, d0);
    _mm512_storeu_si512((void *)(out + 16), d1);
    return;
  }
  /* separate multiply and add (no FMA): the same float32 rounding as the js and wasm engines */
  const __m512 y0 = _mm512_add_ps(_mm512_mul_ps(_mm512_cvtepi32_ps(d0), _mm512_loadu_ps(j->scale + o0)), _mm512_loadu_ps(j->bias + o0));
  const __m512 y1 = _mm512_add_ps(_mm512_mul_ps(_mm512_cvtepi32_ps(d1), _mm512_loadu_ps(j->scale + o0 + 16)), _mm512_loadu_ps(j->bias + o0 + 16));
  if (j->mode == GN_MODE_SIGN) {
    const uint32_t lo = _mm512_cmp_ps_mask(y0, _mm512_setzero_ps(), _CMP_LT_OQ);
    const uint32_t hi = _mm512_cmp_ps_mask(y1, _mm512_setzero_ps(), _CMP_LT_OQ);
    ((uint32_t *)j->out)[pix * (size_t)((j->cout + 31) / 32) + (size_t)o0 / 32] = lo | (hi << 16);
    return;
  }
  float *out = (float *)j->out + pix * j->cout + o0;
  if (j->mode == GN_MODE_ACCUMULATE) {
    _mm512_storeu_ps(out, _mm512_add_ps(_mm512_loadu_ps(out), y0));
    _mm512_storeu_ps(out + 16, _mm512_add_ps(_mm512_loadu_ps(out + 16), y1));
  } else {
    _mm512_storeu_ps(out, y0);
    _mm512_storeu_ps(out + 16, y1);
  }
}

#define GN_HAVE_EMIT32
static inline __attribute__((always_inline)) void gn_emit32(const gn_conv_job *j, const int32_t *d, size_t pix, int o0) {
  gn_emit32v(j, _mm512_loadu_si512((const void *)d), _mm512_loadu_si512((const void *)(d + 16)), pix, o0);
}

/* ±1 conv of a whole tile and 32-channel block, straight from the accumulators to the output:
 * d = base − 2·popcount(a XOR w) per pixel's border class, then the output mode. */
#define GN_HAVE_TILE_EMIT
static inline __attribute__((always_inline)) void gn_tile_emit(const gn_conv_job *j, const uint32_t *A, size_t lda, const uint32_t *W, size_t K,
                                                              const int32_t *base, const size_t *base_of, int tile, size_t pix0, int o0) {
  __m512i acc[GN_TILE_P][2];
  gn_accumulate_tile(A, lda, W, K, 0, acc);
#pragma GCC unroll 12
  for (int p = 0; p < GN_TILE_P; p++) {
    if (p >= tile) break;
    const int32_t *b = base + base_of[p];
    const __m512i d0 = _mm512_sub_epi32(_mm512_loadu_si512((const void *)b), _mm512_slli_epi32(acc[p][0], 1));
    const __m512i d1 = _mm512_sub_epi32(_mm512_loadu_si512((const void *)(b + 16)), _mm512_slli_epi32(acc[p][1], 1));
    gn_emit32v(j, d0, d1, pix0 + (size_t)p, o0);
  }
}

#include "conv-body.h"

static void pack_signs(const float *x, size_t pixels, int c, int words, uint32_t *out) {
  const __m512 zero = _mm512_setzero_ps();
  for (size_t p = 0; p < pixels; p++) {
    const float *src = x + p * (size_t)c;
    uint32_t *dst = out + p * (size_t)words;
    int ch = 0;
    for (; ch + 32 <= c; ch += 32) {
      const uint32_t lo = _mm512_cmp_ps_mask(_mm512_loadu_ps(src + ch), zero, _CMP_LT_OQ);
      const uint32_t hi = _mm512_cmp_ps_mask(_mm512_loadu_ps(src + ch + 16), zero, _CMP_LT_OQ);
      dst[ch / 32] = lo | (hi << 16);
    }
    if (ch < c) {
      const int rest = c - ch;
      const __mmask16 m0 = rest >= 16 ? 0xffff : (__mmask16)((1u << rest) - 1);
      const __mmask16 m1 = rest > 16 ? (__mmask16)((1u << (rest - 16)) - 1) : 0;
      const uint32_t lo = _mm512_mask_cmp_ps_mask(m0, _mm512_maskz_loadu_ps(m0, src + ch), zero, _CMP_LT_OQ);
      const uint32_t hi = _mm512_mask_cmp_ps_mask(m1, _mm512_maskz_loadu_ps(m1, src + ch + 16), zero, _CMP_LT_OQ);
      dst[ch / 32] = lo | (hi << 16);
    }
  }
}

/* Levels of 16 floats: clip to [0, β] (max returns its second operand for NaN: 0), scale, round to even. */
static inline __m512i levels16(__m512 v, __m512 beta, __m512 factor) {
  v = _mm512_min_ps(_mm512_max_ps(v, _mm512_setzero_ps()), beta);
  return _mm512_cvttps_epi32(_mm512_roundscale_ps(_mm512_mul_ps(v, factor), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
}

static void pack_planes(const float *x, size_t pixels, int c, int words, int bits, float beta, float factor, uint32_t *planes) {
  const __m512 vbeta = _mm512_set1_ps(beta), vfactor = _mm512_set1_ps(factor);
  const size_t plane_words = pixels * (size_t)words;
  for (size_t p = 0; p < pixels; p++) {
    const float *src = x + p * (size_t)c;
    for (int j = 0; j < words; j++) {
      const int ch = j * 32, rest = c - ch;
      /* masked-off lanes load 0: level 0, padding bits 0 */
      const __mmask16 m0 = rest >= 16 ? 0xffff : (__mmask16)((1u << rest) - 1);
      const __mmask16 m1 = rest >= 32 ? 0xffff : rest > 16 ? (__mmask16)((1u << (rest - 16)) - 1) : 0;
      const __m512i q0 = levels16(_mm512_maskz_loadu_ps(m0, src + ch), vbeta, vfactor);
      const __m512i q1 = levels16(_mm512_maskz_loadu_ps(m1, src + ch + 16), vbeta, vfactor);
      for (int i = 0; i < bits; i++) {
        const __m512i bit = _mm512_set1_epi32(1 << i);
        const uint32_t word = (uint32_t)_mm512_test_epi32_mask(q0, bit) | ((uint32_t)_mm512_test_epi32_mask(q1, bit) << 16);
        planes[(size_t)i * plane_words + p * (size_t)words + (size_t)j] = word;
      }
    }
  }
}

/* 8 independent XOR + popcount + add chains over the buffer (words a multiple of 128). */
static uint64_t roofline(const uint32_t *buf, size_t words, size_t iters) {
  const __m512i w = _mm512_set1_epi32(0x5a5a5a5a);
  __m512i c[8];
  for (int i = 0; i < 8; i++) c[i] = _mm512_setzero_si512();
  for (size_t it = 0; it < iters; it++) {
    for (size_t q = 0; q + 128 <= words; q += 128) {
#pragma GCC unroll 8
      for (int i = 0; i < 8; i++) c[i] = _mm512_add_epi32(c[i], _mm512_popcnt_epi32(_mm512_xor_si512(_mm512_loadu_si512((const void *)(buf + q + 16 * i)), w)));
    }
  }
  __m512i t = c[0];
  for (int i = 1; i < 8; i++) t = _mm512_add_epi32(t, c[i]);
  return (uint64_t)_mm512_reduce_add_epi32(t);
}

const gn_path_impl gn_path_avx512 = {"avx512", gn_conv_impl, pack_signs, pack_planes, roofline};
#else
#include "kernels.h"
const gn_path_impl gn_path_avx512 = {"avx512", 0, 0, 0};
#endif
