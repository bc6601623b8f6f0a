/* Portable training kernels: 4-float GCC vectors (SSE, NEON or scalar code, as the target
 * has), multiply then add (two roundings: results differ from the fused x86 paths in the
 * last bits). */
#include <string.h>
#include "train.h"

typedef float gn_v4 __attribute__((vector_size(16)));

static inline gn_v4 gn_portable_loadn(const float *p, int n) {
  gn_v4 v = {0, 0, 0, 0};
  memcpy(&v, p, (size_t)n * sizeof(float));
  return v;
}
static inline gn_v4 gn_portable_load(const float *p) {
  gn_v4 v;
  memcpy(&v, p, sizeof v);
  return v;
}

#define GN_VF gn_v4
#define GN_VL 4
#define GN_VZERO() ((gn_v4){0, 0, 0, 0})
#define GN_VLOAD(p) gn_portable_load(p)
#define GN_VLOADN(p, n) gn_portable_loadn((p), (n))
#define GN_VBCAST(p) ((gn_v4){0, 0, 0, 0} + *(p))
#define GN_VFMA(a, b, c) ((a) * (b) + (c))
#define GN_VMUL(a, b) ((a) * (b))
#define GN_VADD(a, b) ((a) + (b))
#define GN_VSTORE(p, v) memcpy((p), &(v), sizeof(gn_v4))
#define GN_VSTOREN(p, v, n) memcpy((p), &(v), (size_t)(n) * sizeof(float))
#define GN_PREFIX gn_portable_
#include "train-body.h"

GN_DEFINE_ROWS(rows8, 2, GN_CASES_1_6)
GN_DEFINE_REDUCE(reduce8, 2, GN_CASES_1_6)

const gn_train_path gn_train_portable = {
    "portable",
    1,
    {{8, 6, gn_portable_rows8, gn_portable_rows8_unfused}},
    1,
    {{8, 6, gn_portable_reduce8}},
    0,
    0,
};
