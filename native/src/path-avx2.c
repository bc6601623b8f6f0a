/* AVX2 path: popcount by nibble lookup (VPSHUFB) into byte counters, widened to 32-bit
 * lanes every 31 steps (≤ 8 per step keeps a byte ≤ 248). Lanes are output channels. */
#if defined(__x86_64__) && defined(__GNUC__)
#pragma GCC target("avx2,fma,popcnt,bmi,bmi2")
#include <immintrin.h>
#include "kernels.h"

#define GN_TILE_P 4
#define GN_BYTE_CHUNK 31

static inline __attribute__((always_inline)) __m256i popcount_bytes(__m256i x, __m256i lut, __m256i low) {
  const __m256i lo = _mm256_and_si256(x, low);
  const __m256i hi = _mm256_and_si256(_mm256_srli_epi16(x, 4), low);
  return _mm256_add_epi8(_mm256_shuffle_epi8(lut, lo), _mm256_shuffle_epi8(lut, hi));
}

/* Bytes of each 32-bit lane summed into that lane. */
static inline __attribute__((always_inline)) __m256i widen(__m256i bytes) {
  return _mm256_madd_epi16(_mm256_maddubs_epi16(bytes, _mm256_set1_epi8(1)), _mm256_set1_epi16(1));
}

/* 4 pixels × 16 channels per pass (8 byte counters), two passes per 32-channel block. */
static inline __attribute__((always_inline)) void gn_micro(const uint32_t *A, size_t lda, const uint32_t *W, size_t K, int use_and, int32_t *pop) {
  const __m256i lut = _mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4, 0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
  const __m256i low = _mm256_set1_epi8(0x0f);
  for (int half = 0; half < 2; half++) {
    __m256i total[GN_TILE_P][2];
    for (int p = 0; p < GN_TILE_P; p++) total[p][0] = total[p][1] = _mm256_setzero_si256();
    for (size_t k0 = 0; k0 < K; k0 += GN_BYTE_CHUNK) {
      const size_t k1 = K - k0 < GN_BYTE_CHUNK ? K : k0 + GN_BYTE_CHUNK;
      __m256i c[GN_TILE_P][2];
#pragma GCC unroll 4
      for (int p = 0; p < GN_TILE_P; p++) c[p][0] = c[p][1] = _mm256_setzero_si256();
      for (size_t k = k0; k < k1; k++) {
        const __m256i w0 = _mm256_loadu_si256((const __m256i *)(W + k * 32 + half * 16));
        const __m256i w1 = _mm256_loadu_si256((const __m256i *)(W + k * 32 + half * 16 + 8));
#pragma GCC unroll 4
        for (int p = 0; p < GN_TILE_P; p++) {
          const __m256i a = _mm256_set1_epi32((int)A[p * lda + k]);
          const __m256i x0 = use_and ? _mm256_and_si256(a, w0) : _mm256_xor_si256(a, w0);
          const __m256i x1 = use_and ? _mm256_and_si256(a, w1) : _mm256_xor_si256(a, w1);
          c[p][0] = _mm256_add_epi8(c[p][0], popcount_bytes(x0, lut, low));
          c[p][1] = _mm256_add_epi8(c[p][1], popcount_bytes(x1, lut, low));
        }
      }
#pragma GCC unroll 4
      for (int p = 0; p < GN_TILE_P; p++) {
        total[p][0] = _mm256_add_epi32(total[p][0], widen(c[p][0]));
        total[p][1] = _mm256_add_epi32(total[p][1], widen(c[p][1]));
      }
    }
    for (int p = 0; p < GN_TILE_P; p++) {
      _mm256_storeu_si256((__m256i *)(pop + p * 32 + half * 16), total[p][0]);
      _mm256_storeu_si256((__m256i *)(pop + p * 32 + half * 16 + 8), total[p][1]);
    }
  }
}

static inline uint64_t gn_popcount_words(const uint32_t *x, size_t count) {
  uint64_t total = 0;
  for (size_t i = 0; i < count; i++) total += (uint64_t)__builtin_popcount(x[i]);
  return total;
}

#include "conv-body.h"

static void pack_signs(const float *x, size_t pixels, int c, int words, uint32_t *out) {
  const __m256 zero = _mm256_setzero_ps();
  for (size_t p = 0; p < pixels; p++) {
    const float *src = x + p * (size_t)c;
    uint32_t *dst = out + p * (size_t)words;
    int ch = 0;
    for (; ch + 32 <= c; ch += 32) {
      uint32_t bits = 0;
      for (int q = 0; q < 4; q++) bits |= (uint32_t)_mm256_movemask_ps(_mm256_cmp_ps(_mm256_loadu_ps(src + ch + 8 * q), zero, _CMP_LT_OQ)) << (8 * q);
      dst[ch / 32] = bits;
    }
    if (ch < c) {
      uint32_t bits = 0;
      for (int b = 0; ch + b < c; b++) bits |= (uint32_t)(src[ch + b] < 0.0f) << b;
      dst[ch / 32] = bits;
    }
  }
}

static void pack_planes(const float *x, size_t pixels, int c, int words, int bits, float beta, float factor, uint32_t *planes) {
  const __m256 zero = _mm256_setzero_ps(), vbeta = _mm256_set1_ps(beta), vfactor = _mm256_set1_ps(factor);
  const size_t plane_words = pixels * (size_t)words;
  for (size_t p = 0; p < pixels; p++) {
    const float *src = x + p * (size_t)c;
    for (int j = 0; j < words; j++) {
      const int ch = j * 32;
      uint32_t acc[8] = {0};
      if (ch + 32 <= c) {
        for (int g = 0; g < 4; g++) {
          /* max returns its second operand for NaN: level 0 */
          const __m256 v = _mm256_min_ps(_mm256_max_ps(_mm256_loadu_ps(src + ch + 8 * g), zero), vbeta);
          const __m256i q = _mm256_cvttps_epi32(_mm256_round_ps(_mm256_mul_ps(v, vfactor), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
          /* bit i of each lane moved to its sign bit, gathered 8 at a time */
          for (int i = 0; i < bits; i++) acc[i] |= (uint32_t)_mm256_movemask_ps(_mm256_castsi256_ps(_mm256_slli_epi32(q, 31 - i))) << (8 * g);
        }
      } else {
        gn_level_bits(src + ch, c - ch, bits, beta, factor, acc);
      }
      for (int i = 0; i < bits; i++) planes[(size_t)i * plane_words + p * (size_t)words + (size_t)j] = acc[i];
    }
  }
}

static uint64_t roofline(const uint32_t *buf, size_t words, size_t iters) {
  const __m256i lut = _mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4, 0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
  const __m256i low = _mm256_set1_epi8(0x0f);
  const __m256i w = _mm256_set1_epi32(0x5a5a5a5a);
  __m256i total = _mm256_setzero_si256();
  for (size_t it = 0; it < iters; it++) {
    for (size_t q = 0; q + 128 <= words; q += 128) {
      __m256i c[4] = {_mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256()};
#pragma GCC unroll 16
      for (int i = 0; i < 16; i++) c[i & 3] = _mm256_add_epi8(c[i & 3], popcount_bytes(_mm256_xor_si256(_mm256_loadu_si256((const __m256i *)(buf + q + 8 * i)), w), lut, low));
      total = _mm256_add_epi32(total, _mm256_add_epi32(_mm256_add_epi32(widen(c[0]), widen(c[1])), _mm256_add_epi32(widen(c[2]), widen(c[3]))));
    }
  }
  uint32_t lanes[8];
  _mm256_storeu_si256((__m256i *)lanes, total);
  uint64_t sum = 0;
  for (int i = 0; i < 8; i++) sum += lanes[i];
  return sum;
}

const gn_path_impl gn_path_avx2 = {"avx2", gn_conv_impl, pack_signs, pack_planes, roofline};
#else
#include "kernels.h"
const gn_path_impl gn_path_avx2 = {"avx2", 0, 0, 0};
#endif
