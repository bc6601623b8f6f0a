/* AVX2 + FMA training kernels: 8 floats a vector, 16 registers. Tiles: 6 rows × 16 columns
 * (12 accumulators, two weight vectors, a broadcast) and 8 rows × 8 columns. */
#if defined(__x86_64__) && defined(__GNUC__)
#pragma GCC target("avx2,fma")
#include <immintrin.h>
#include "train.h"

static inline __m256i gn_avx2_first(int n) {
  const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), lanes);
}

#define GN_VF __m256
#define GN_VL 8
#define GN_VZERO() _mm256_setzero_ps()
#define GN_VLOAD(p) _mm256_loadu_ps(p)
#define GN_VLOADN(p, n) _mm256_maskload_ps((p), gn_avx2_first(n))
#define GN_VBCAST(p) _mm256_broadcast_ss(p)
#define GN_VFMA(a, b, c) _mm256_fmadd_ps((a), (b), (c))
#define GN_VMUL(a, b) _mm256_mul_ps((a), (b))
#define GN_VADD(a, b) _mm256_add_ps((a), (b))
#define GN_VSTORE(p, v) _mm256_storeu_ps((p), (v))
#define GN_VSTOREN(p, v, n) _mm256_maskstore_ps((p), gn_avx2_first(n), (v))
#define GN_PREFIX gn_avx2_
#include "train-body.h"

GN_DEFINE_ROWS(rows8, 1, GN_CASES_1_8)
GN_DEFINE_ROWS(rows16, 2, GN_CASES_1_6)
GN_DEFINE_REDUCE(reduce8, 1, GN_CASES_1_8)
GN_DEFINE_REDUCE(reduce16, 2, GN_CASES_1_6)

const gn_train_path gn_train_avx2 = {
    "avx2",
    2,
    {{16, 6, gn_avx2_rows16, gn_avx2_rows16_unfused}, {8, 8, gn_avx2_rows8, gn_avx2_rows8_unfused}},
    2,
    {{16, 6, gn_avx2_reduce16}, {8, 8, gn_avx2_reduce8}},
    0,
    0,
};
#else
#include "train.h"
const gn_train_path gn_train_avx2 = {"avx2", 0, {{0}}, 0, {{0}}, 0, 0};
#endif
