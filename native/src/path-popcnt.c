/* Scalar path with the POPCNT instruction (any x86-64 of the last fifteen years). */
#if defined(__x86_64__) && defined(__GNUC__)
#pragma GCC target("popcnt")
#endif
#include "kernels.h"

#define GN_POPCOUNT32(x) ((uint32_t)__builtin_popcount(x))
#include "scalar-micro.h"
#include "conv-body.h"

const gn_path_impl gn_path_popcnt = {"popcnt", gn_conv_impl, pack_signs, pack_planes, roofline};
