/* AVX-512 training kernels: 16 floats a vector, 32 registers. Tiles: 14 rows × 16 or 32
 * columns (28 accumulators, two weight vectors, a broadcast) and 6 rows × 64 columns. */
#if defined(__x86_64__) && defined(__GNUC__)
#pragma GCC target("avx512f,avx512bw,avx512vl,avx2,fma")
#include <immintrin.h>
#include "train.h"

#define GN_VF __m512
#define GN_VL 16
#define GN_VZERO() _mm512_setzero_ps()
#define GN_VLOAD(p) _mm512_loadu_ps(p)
#define GN_VLOADN(p, n) _mm512_maskz_loadu_ps((__mmask16)((1u << (n)) - 1), (p))
#define GN_VBCAST(p) _mm512_set1_ps(*(p))
#define GN_VFMA(a, b, c) _mm512_fmadd_ps((a), (b), (c))
#define GN_VMUL(a, b) _mm512_mul_ps((a), (b))
#define GN_VADD(a, b) _mm512_add_ps((a), (b))
#define GN_VSTORE(p, v) _mm512_storeu_ps((p), (v))
#define GN_VSTOREN(p, v, n) _mm512_mask_storeu_ps((p), (__mmask16)((1u << (n)) - 1), (v))
#define GN_PREFIX gn_avx512_
#include "train-body.h"

GN_DEFINE_ROWS(rows16, 1, GN_CASES_1_14)
GN_DEFINE_ROWS(rows32, 2, GN_CASES_1_14)
GN_DEFINE_ROWS(rows64, 4, GN_CASES_1_6)
GN_DEFINE_REDUCE(reduce16, 1, GN_CASES_1_14)
GN_DEFINE_REDUCE(reduce32, 2, GN_CASES_1_14)
GN_DEFINE_REDUCE(reduce64, 4, GN_CASES_1_6)

/* 16 channels a compare: the sign (x < 0; NaN and −0 count as +1) and the mask |x| ≤ 1 as bit masks. */
static void gn_avx512_pack_sign_mask(const float *x, size_t pixels, int c, int words, uint32_t *signs, uint32_t *masks) {
  const __m512 zero = _mm512_setzero_ps(), one = _mm512_set1_ps(1.0f);
  const __m512i abs_mask = _mm512_set1_epi32(0x7fffffff);
  for (size_t p = 0; p < pixels; p++) {
    const float *row = x + p * (size_t)c;
    for (int w = 0; w < words; w++) {
      uint32_t s = 0, m = 0;
      for (int half = 0; half < 2; half++) {
        const int at = w * 32 + half * 16;
        const int left = c - at;
        if (left <= 0) break;
        const __mmask16 valid = left >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << left) - 1);
        const __m512 v = _mm512_maskz_loadu_ps(valid, row + at);
        const __m512 a = _mm512_castsi512_ps(_mm512_and_si512(_mm512_castps_si512(v), abs_mask));
        s |= (uint32_t)(_mm512_mask_cmp_ps_mask(valid, v, zero, _CMP_LT_OQ)) << (16 * half);
        m |= (uint32_t)(_mm512_mask_cmp_ps_mask(valid, a, one, _CMP_LE_OQ)) << (16 * half);
      }
      signs[p * (size_t)words + w] = s;
      masks[p * (size_t)words + w] = m;
    }
  }
}

/* 16 channels a masked move: the mask bits are the k-register. */
static void gn_avx512_apply_mask(const uint32_t *masks, size_t pixels, int c, int words, float *x) {
  for (size_t p = 0; p < pixels; p++) {
    const uint32_t *row = masks + p * (size_t)words;
    float *d = x + p * (size_t)c;
    for (int at = 0; at < c; at += 16) {
      const int left = c - at;
      const __mmask16 valid = left >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << left) - 1);
      const __mmask16 keep = (__mmask16)(row[at >> 5] >> (at & 31));
      const __m512 v = _mm512_maskz_loadu_ps(valid, d + at);
      _mm512_mask_storeu_ps(d + at, valid, _mm512_maskz_mov_ps(keep, v));
    }
  }
}

const gn_train_path gn_train_avx512 = {
    "avx512",
    3,
    {{64, 6, gn_avx512_rows64, gn_avx512_rows64_unfused}, {32, 14, gn_avx512_rows32, gn_avx512_rows32_unfused}, {16, 14, gn_avx512_rows16, gn_avx512_rows16_unfused}},
    3,
    {{64, 6, gn_avx512_reduce64}, {32, 14, gn_avx512_reduce32}, {16, 14, gn_avx512_reduce16}},
    gn_avx512_pack_sign_mask,
    gn_avx512_apply_mask,
};
#else
#include "train.h"
const gn_train_path gn_train_avx512 = {"avx512", 0, {{0}}, 0, {{0}}, 0, 0};
#endif
