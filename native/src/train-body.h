/*
 * The training micro-kernels, written once over a vector of GN_VL floats and included by each
 * ISA path with its own vector macros (train-avx512.c, train-avx2.c, train-portable.c):
 *
 *   GN_VF             the vector type
 *   GN_VZERO()        all zeros
 *   GN_VLOAD(p)       GN_VL floats from p (unaligned)
 *   GN_VLOADN(p, n)   the first n < GN_VL floats from p, zeros after (never reads past p + n)
 *   GN_VBCAST(p)      *p in every lane
 *   GN_VFMA(a, b, c)  a·b + c (fused on the x86 paths: one rounding)
 *   GN_VMUL, GN_VADD  a·b and a + b, each rounded (the unfused forward, see gn_rows_fn)
 *   GN_VSTORE(p, v), GN_VSTOREN(p, v, n)
 *   GN_PREFIX         the symbol prefix of this path
 *
 * Each kernel is a tile of MR rows × NV vectors kept in registers for the whole reduction;
 * MR is a compile-time constant in every instance (the switches below), so the accumulators
 * never touch memory.
 */
#define GN_CAT2(a, b) a##b
#define GN_CAT(a, b) GN_CAT2(a, b)
#define GN_FN(name) GN_CAT(GN_PREFIX, name)
#define GN_INLINE static inline __attribute__((always_inline))
/* Array bounds for the register tiles (constants, so that GCC keeps them in registers). */
#define GN_TILE_ROWS 14
#define GN_TILE_VECS 4

GN_INLINE void GN_FN(store_row)(float *out, const GN_VF *acc, int nv, int nr) {
  for (int v = 0; v < nv; v++) {
    const int left = nr - v * GN_VL;
    if (left >= GN_VL) {
      GN_VSTORE(out + v * GN_VL, acc[v]);
    } else if (left > 0) {
      GN_VSTOREN(out + v * GN_VL, acc[v], left);
    }
  }
}

GN_INLINE GN_VF GN_FN(load_part)(const float *p, int v, int nr) {
  const int left = nr - v * GN_VL;
  if (left >= GN_VL) return GN_VLOAD(p + v * GN_VL);
  if (left > 0) return GN_VLOADN(p + v * GN_VL, left);
  return GN_VZERO();
}

/* out[i][j] = Σ_t Σ_k a[t·lda + i][k] · b[t][k·NR + j]  (see gn_rows_fn); FUSED: one rounding a step, else two */
GN_INLINE void GN_FN(rows_tile)(const int MR, const int NV, const int FUSED, int nr, int taps, int kc, const float *const *a, int lda, const float *const *b,
                                float *const *out) {
  GN_VF acc[GN_TILE_ROWS][GN_TILE_VECS];
#pragma GCC unroll 32
  for (int i = 0; i < MR; i++) {
#pragma GCC unroll 8
    for (int v = 0; v < NV; v++) acc[i][v] = GN_VZERO();
  }
  for (int t = 0; t < taps; t++) {
    const float *const *at = a + (size_t)t * lda;
    const float *bt = b[t];
    const float *ap[GN_TILE_ROWS];
#pragma GCC unroll 32
    for (int i = 0; i < MR; i++) ap[i] = at[i];
    for (int k = 0; k < kc; k++) {
      GN_VF bv[GN_TILE_VECS];
#pragma GCC unroll 8
      for (int v = 0; v < NV; v++) bv[v] = GN_VLOAD(bt + (size_t)k * NV * GN_VL + v * GN_VL);
#pragma GCC unroll 32
      for (int i = 0; i < MR; i++) {
        const GN_VF av = GN_VBCAST(ap[i] + k);
#pragma GCC unroll 8
        for (int v = 0; v < NV; v++) acc[i][v] = FUSED ? GN_VFMA(av, bv[v], acc[i][v]) : GN_VADD(acc[i][v], GN_VMUL(av, bv[v]));
      }
    }
  }
#pragma GCC unroll 32
  for (int i = 0; i < MR; i++) GN_FN(store_row)(out[i], acc[i], NV, nr);
}

/* c[i·ldc + j] = (accumulate ? c : 0) ⊕ Σ_m a[m][aoff + i] · b[m·ldb + j]  (see gn_reduce_fn) */
GN_INLINE void GN_FN(reduce_tile)(const int MR, const int NV, int nr, int count, const float *const *a, int aoff, const float *b, size_t ldb, float *c,
                                  size_t ldc, int accumulate) {
  GN_VF acc[GN_TILE_ROWS][GN_TILE_VECS];
#pragma GCC unroll 32
  for (int i = 0; i < MR; i++) {
#pragma GCC unroll 8
    for (int v = 0; v < NV; v++) acc[i][v] = accumulate ? GN_FN(load_part)(c + i * ldc, v, nr) : GN_VZERO();
  }
  if (nr == NV * GN_VL) {
    for (int m = 0; m < count; m++) {
      const float *am = a[m] + aoff;
      const float *bm = b + (size_t)m * ldb;
      GN_VF bv[GN_TILE_VECS];
#pragma GCC unroll 8
      for (int v = 0; v < NV; v++) bv[v] = GN_VLOAD(bm + v * GN_VL);
#pragma GCC unroll 32
      for (int i = 0; i < MR; i++) {
        const GN_VF av = GN_VBCAST(am + i);
#pragma GCC unroll 8
        for (int v = 0; v < NV; v++) acc[i][v] = GN_VFMA(av, bv[v], acc[i][v]);
      }
    }
  } else {
    for (int m = 0; m < count; m++) {
      const float *am = a[m] + aoff;
      const float *bm = b + (size_t)m * ldb;
      GN_VF bv[GN_TILE_VECS];
#pragma GCC unroll 8
      for (int v = 0; v < NV; v++) bv[v] = GN_FN(load_part)(bm, v, nr);
#pragma GCC unroll 32
      for (int i = 0; i < MR; i++) {
        const GN_VF av = GN_VBCAST(am + i);
#pragma GCC unroll 8
        for (int v = 0; v < NV; v++) acc[i][v] = GN_VFMA(av, bv[v], acc[i][v]);
      }
    }
  }
#pragma GCC unroll 32
  for (int i = 0; i < MR; i++) GN_FN(store_row)(c + i * ldc, acc[i], NV, nr);
}

/* One switch case per tile height, so every instance has a constant MR. */
#define GN_CASE_ROWS(MR, NV) \
  case MR:                   \
    GN_FN(rows_tile)(MR, NV, 1, nr, taps, kc, a, lda, b, out); \
    break;
#define GN_CASE_ROWS_UNFUSED(MR, NV) \
  case MR:                           \
    GN_FN(rows_tile)(MR, NV, 0, nr, taps, kc, a, lda, b, out); \
    break;
#define GN_CASE_REDUCE(MR, NV) \
  case MR:                     \
    GN_FN(reduce_tile)(MR, NV, nr, count, a, aoff, b, ldb, c, ldc, accumulate); \
    break;

#define GN_CASES_1_6(X, NV) X(1, NV) X(2, NV) X(3, NV) X(4, NV) X(5, NV) X(6, NV)
#define GN_CASES_1_8(X, NV) GN_CASES_1_6(X, NV) X(7, NV) X(8, NV)
#define GN_CASES_1_14(X, NV) GN_CASES_1_8(X, NV) X(9, NV) X(10, NV) X(11, NV) X(12, NV) X(13, NV) X(14, NV)

#define GN_DEFINE_ROWS(NAME, NV, CASES)                                                                                                              \
  static void GN_FN(NAME)(int mr, int nr, int taps, int kc, const float *const *a, int lda, const float *const *b, float *const *out) {              \
    switch (mr) { CASES(GN_CASE_ROWS, NV) }                                                                                                          \
  }                                                                                                                                                  \
  static void GN_FN(NAME##_unfused)(int mr, int nr, int taps, int kc, const float *const *a, int lda, const float *const *b, float *const *out) { \
    switch (mr) { CASES(GN_CASE_ROWS_UNFUSED, NV) }                                                                                                  \
  }
#define GN_DEFINE_REDUCE(NAME, NV, CASES)                                                                                                          \
  static void GN_FN(NAME)(int mr, int nr, int count, const float *const *a, int aoff, const float *b, size_t ldb, float *c, size_t ldc, int accumulate) { \
    switch (mr) { CASES(GN_CASE_REDUCE, NV) }                                                                                                      \
  }
