/*
 * Mixing the bases at a group boundary, for training (src/nn/mix-bases.ts):
 *
 *   forward   x̃_j = Σ_k W[j,k]·x_k                        (J outputs from K parts)
 *   backward  ∂x_k = Σ_j W[j,k]·∂x̃_j,   ∂W[j,k] = Σ ∂x̃_j ⊙ x_k
 *
 * Element-wise parts run in chunks (one task each) with gn_mix's arithmetic; the J·K dot
 * products of ∂W are summed per chunk in float32 and then over chunks in chunk order in
 * float64, so the result does not depend on the number of threads.
 */
#include <stdlib.h>
#include <string.h>
#include "kernels.h"
#include "train.h"

#define GN_MIX_CHUNK 16384

/* 16 lanes as one value (one zmm, two ymm or four xmm per clone): lane l sums elements ≡ l mod 16. */
typedef float gn_lanes __attribute__((vector_size(64)));

/* Σ d[i]·x[i], summed per lane and then over lanes in order: the same bits on every clone. */
GN_CLONES static float dot(const float *d, const float *x, size_t count) {
  gn_lanes acc = {0};
  size_t i = 0;
  for (; i + 16 <= count; i += 16) {
    gn_lanes a, b;
    memcpy(&a, d + i, sizeof a);
    memcpy(&b, x + i, sizeof b);
    acc += a * b;
  }
  float tail = 0;
  for (; i < count; i++) tail += d[i] * x[i];
  float sum = 0;
  for (int l = 0; l < 16; l++) sum += acc[l];
  return sum + tail;
}

typedef struct {
  const float *const *parts;
  size_t from;
  const float *weights;
  float *const *outs;
  size_t to;
  size_t size;
  /* backward: ∂W partials per chunk, [chunks][to·from] */
  const float *const *dys;
  float *partial;
} mix_ctx;

static void chunk_range(size_t size, int task, size_t *first, size_t *count) {
  *first = (size_t)task * GN_MIX_CHUNK;
  *count = size - *first < GN_MIX_CHUNK ? size - *first : GN_MIX_CHUNK;
}

/* Offset views of pointer lists (at most GN_MIX_MAX_BASES each). */
static void offset_all(const float *const *src, size_t count, size_t offset, const float **dst) {
  for (size_t k = 0; k < count; k++) dst[k] = src[k] + offset;
}

static void mix_task(void *raw, int task, int worker) {
  (void)worker;
  const mix_ctx *c = raw;
  size_t first, count;
  chunk_range(c->size, task, &first, &count);
  const float *parts[GN_MIX_MAX_BASES];
  float *outs[GN_MIX_MAX_BASES];
  offset_all(c->parts, c->from, first, parts);
  for (size_t j = 0; j < c->to; j++) outs[j] = c->outs[j] + first;
  gn_mix(parts, c->from, c->weights, outs, c->to, count);
}

static void dot_task(void *raw, int task, int worker) {
  (void)worker;
  const mix_ctx *c = raw;
  size_t first, count;
  chunk_range(c->size, task, &first, &count);
  float *out = c->partial + (size_t)task * c->to * c->from;
  for (size_t j = 0; j < c->to; j++) {
    const float *d = c->dys[j] + first;
    for (size_t k = 0; k < c->from; k++) {
      out[j * c->from + k] = dot(d, c->parts[k] + first, count);
    }
  }
}

static int chunks(size_t size) {
  return (int)((size + GN_MIX_CHUNK - 1) / GN_MIX_CHUNK);
}

void gn_mix_forward(const float *const *parts, size_t from, const float *weights, float *const *outs, size_t to, size_t size, int threads) {
  mix_ctx c = {.parts = parts, .from = from, .weights = weights, .outs = outs, .to = to, .size = size};
  gn_parallel(threads, chunks(size), mix_task, &c);
}

int gn_mix_backward(const float *const *parts, size_t from, const float *weights, const float *const *dys, size_t to, size_t size, float *const *dparts,
                    float *dweights, int threads) {
  /* ∂x_k = Σ_j W[j,k]·∂x̃_j: a mix of the dys with Wᵀ */
  float *wt = malloc(from * to * sizeof(float));
  const int n = chunks(size);
  float *partial = malloc((size_t)n * to * from * sizeof(float) + 1);
  if (!wt || !partial) {
    free(wt);
    free(partial);
    return -1;
  }
  for (size_t j = 0; j < to; j++) {
    for (size_t k = 0; k < from; k++) wt[k * to + j] = weights[j * from + k];
  }
  mix_ctx back = {.parts = dys, .from = to, .weights = wt, .outs = dparts, .to = from, .size = size};
  gn_parallel(threads, n, mix_task, &back);
  mix_ctx dots = {.parts = parts, .from = from, .to = to, .size = size, .dys = dys, .partial = partial};
  gn_parallel(threads, n, dot_task, &dots);
  for (size_t e = 0; e < to * from; e++) {
    double sum = 0;
    for (int t = 0; t < n; t++) sum += partial[(size_t)t * to * from + e];
    dweights[e] = (float)sum;
  }
  free(wt);
  free(partial);
  return 0;
}
