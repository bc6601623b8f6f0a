/* Portable path: plain C, popcount by bit arithmetic; runs on any CPU the addon builds for. */
#include "kernels.h"

static inline uint32_t popcount32_portable(uint32_t x) {
  x = x - ((x >> 1) & 0x55555555u);
  x = (x & 0x33333333u) + ((x >> 2) & 0x33333333u);
  x = (x + (x >> 4)) & 0x0f0f0f0fu;
  return (x * 0x01010101u) >> 24;
}

#define GN_POPCOUNT32(x) popcount32_portable(x)
#include "scalar-micro.h"
#include "conv-body.h"

const gn_path_impl gn_path_portable = {"portable", gn_conv_impl, pack_signs, pack_planes, roofline};
