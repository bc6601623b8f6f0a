/* Run-time CPU dispatch: which paths this processor can run. One binary serves every x86-64
 * CPU; a path's instructions are only ever executed after its check here succeeded. */
#include "kernels.h"

int gn_cpu_supports(int path) {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  __builtin_cpu_init();
  switch (path) {
    case GN_PATH_AVX512:
      return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
             __builtin_cpu_supports("avx512vpopcntdq");
    case GN_PATH_AVX2:
      return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt");
    case GN_PATH_POPCNT:
      return __builtin_cpu_supports("popcnt");
    case GN_PATH_PORTABLE:
      return 1;
    default:
      return 0;
  }
#else
  return path == GN_PATH_PORTABLE;
#endif
}

const gn_path_impl *gn_path(int path) {
  switch (path) {
    case GN_PATH_AVX512: return &gn_path_avx512;
    case GN_PATH_AVX2: return &gn_path_avx2;
    case GN_PATH_POPCNT: return &gn_path_popcnt;
    case GN_PATH_PORTABLE: return &gn_path_portable;
    default: return 0;
  }
}
