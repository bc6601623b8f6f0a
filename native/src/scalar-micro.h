/* The micro-kernel of the scalar paths (popcnt, portable); the including file defines
 * GN_POPCOUNT32(x). One pixel × 32 channels per tile. */
#define GN_TILE_P 1

static inline void gn_micro(const uint32_t *A, size_t lda, const uint32_t *W, size_t K, int use_and, int32_t *pop) {
  uint32_t acc[32] = {0};
  (void)lda;
  for (size_t k = 0; k < K; k++) {
    const uint32_t a = A[k];
    const uint32_t *w = W + k * 32;
    if (use_and) {
      for (int j = 0; j < 32; j++) acc[j] += GN_POPCOUNT32(a & w[j]);
    } else {
      for (int j = 0; j < 32; j++) acc[j] += GN_POPCOUNT32(a ^ w[j]);
    }
  }
  for (int j = 0; j < 32; j++) pop[j] = (int32_t)acc[j];
}

static inline uint64_t gn_popcount_words(const uint32_t *x, size_t count) {
  uint64_t total = 0;
  for (size_t i = 0; i < count; i++) total += GN_POPCOUNT32(x[i]);
  return total;
}

static void pack_signs(const float *x, size_t pixels, int c, int words, uint32_t *out) {
  for (size_t p = 0; p < pixels; p++) {
    const float *src = x + p * (size_t)c;
    for (int j = 0; j < words; j++) {
      uint32_t bits = 0;
      const int first = j * 32;
      const int count = c - first < 32 ? c - first : 32;
      for (int b = 0; b < count; b++) bits |= (uint32_t)(src[first + b] < 0.0f) << b;
      out[p * (size_t)words + j] = bits;
    }
  }
}

static void pack_planes(const float *x, size_t pixels, int c, int words, int bits, float beta, float factor, uint32_t *planes) {
  const size_t plane_words = pixels * (size_t)words;
  for (size_t p = 0; p < pixels; p++) {
    const float *src = x + p * (size_t)c;
    for (int j = 0; j < words; j++) {
      const int first = j * 32;
      const int count = c - first < 32 ? c - first : 32;
      uint32_t acc[8] = {0};
      gn_level_bits(src + first, count, bits, beta, factor, acc);
      for (int i = 0; i < bits; i++) planes[(size_t)i * plane_words + p * (size_t)words + (size_t)j] = acc[i];
    }
  }
}

static uint64_t roofline(const uint32_t *buf, size_t words, size_t iters) {
  uint64_t c0 = 0, c1 = 0, c2 = 0, c3 = 0;
  const uint32_t w = 0x5a5a5a5au;
  for (size_t it = 0; it < iters; it++) {
    for (size_t q = 0; q + 4 <= words; q += 4) {
      c0 += GN_POPCOUNT32(buf[q] ^ w);
      c1 += GN_POPCOUNT32(buf[q + 1] ^ w);
      c2 += GN_POPCOUNT32(buf[q + 2] ^ w);
      c3 += GN_POPCOUNT32(buf[q + 3] ^ w);
    }
  }
  return c0 + c1 + c2 + c3;
}
