/*
 * The supernet's mixed activation quantizer (src/search/mixed-quantizer.ts), fused: one pass over
 * the activations where the stock-op composite makes a dozen.
 *
 *   forward   y = Σ_b p_b·q_b(x)           q_1(x) = sign(x) (sign(0) = +1)
 *                                          q_k(x) = round(clip(x, 0, β)·f_k)·s_k,  f_k = (2^k−1)/β, s_k = β/(2^k−1)
 *   backward  ∂x = ∂y·(P_1·slope(x) + P_k·1{clip(x, 0, β) = x})   P_k = Σ of the k-bit p_b
 *             ∂p_b = Σ ∂y·q_b(x)                                  (only when asked: the α step)
 *
 * with the composite's arithmetic, operation for operation (each product and sum rounded to
 * float32, the terms summed from zero in the order of the bit widths, round half to even), so
 * y and ∂x equal its results bit for bit. ∂p is a reduction: summed in 16 float32 lanes per block of
 * 1024, blocks and then chunks in order in float64, so it does not depend on the number of threads
 * or the clone (it differs from the composite's float32 sum in the last bits).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "train.h"

#define GN_MQ_CHUNK 16384

typedef struct {
  const gn_mixed_quantizer *q;
  const float *x, *dy;
  float *y, *dx;
  size_t size;
  /* backward with ∂p: per chunk, one float64 sum per bit width */
  double *partial;
} mq_ctx;

/* 1 below zero, −1 at or above it: step(−x, −1), the composite's negated sign. */
static inline float negated_sign(float x) {
  return -x > 0.0f ? 1.0f : -1.0f;
}

/*
 * round(clipped·factor), half to even: adding and subtracting 2^23 rounds a float in [0, 2^23) to
 * an integer in the current (nearest-even) mode, exactly; level indices are at most 255. Written
 * out (not rintf) so that every clone vectorizes it instead of calling libm per element.
 */
static inline float level_index(float clipped, float factor) {
  const float magic = 8388608.0f;
  return (clipped * factor + magic) - magic;
}

/* clip(x, 0, β) as comparisons (fminf/fmaxf are libm calls without -ffast-math). */
static inline float clip(float x, float beta) {
  const float low = x < 0.0f ? 0.0f : x;
  return low > beta ? beta : low;
}

/* Width by width over the chunk (each loop vectorizes), adding each term to y in the composite's order. */
GN_CLONES static void forward_range(const gn_mixed_quantizer *q, const float *x, float *y, size_t count) {
  for (size_t i = 0; i < count; i++) y[i] = 0.0f;
  for (int b = 0; b < q->count; b++) {
    const float p = q->p[b];
    if (q->bits[b] == 1) {
      const float minus_p = -p;
      for (size_t i = 0; i < count; i++) y[i] += negated_sign(x[i]) * minus_p;
    } else {
      const float beta = q->beta, factor = q->factor[b], step = q->step[b];
      for (size_t i = 0; i < count; i++) y[i] += (level_index(clip(x[i], beta), factor) * step) * p;
    }
  }
}

/* The weight of each straight-through mask: P(1 bit) for the sign's, Σ P(k-bit) for the clip's. */
typedef struct {
  int one, kbit;
  float p_one, p_kbit;
} slope_weights;

static slope_weights slope_weights_of(const gn_mixed_quantizer *q) {
  slope_weights w = {0, 0, 0.0f, 0.0f};
  int kbits = 0;
  float sum = 0.0f;
  for (int b = 0; b < q->count; b++) {
    if (q->bits[b] == 1) {
      w.one = 1;
      w.p_one = q->p[b];
    } else {
      kbits++;
      sum += q->p[b];
    }
  }
  w.kbit = kbits > 0;
  w.p_kbit = sum; /* summed from zero in order, as tf.addN */
  return w;
}

GN_CLONES static void backward_range(const gn_mixed_quantizer *q, slope_weights w, const float *x, const float *dy, float *dx, size_t count) {
  for (size_t i = 0; i < count; i++) {
    const float v = x[i];
    float one = 0.0f, kbit = 0.0f;
    if (w.one) {
      const float a = fabsf(v);
      const float r = 2.0f - a * 2.0f;
      const float s = q->approx ? (r > 0.0f ? r : 0.0f) : 1.0f - (a - 1.0f > 0.0f ? 1.0f : 0.0f);
      one = s * w.p_one;
    }
    if (w.kbit) {
      const float inside = 1.0f - (fabsf(clip(v, q->beta) - v) > 0.0f ? 1.0f : 0.0f);
      kbit = inside * w.p_kbit;
    }
    const float slope = w.one && w.kbit ? one + kbit : w.one ? one : kbit;
    dx[i] = dy[i] * slope;
  }
}

/* 16 lanes as one value (one zmm, two ymm or four xmm per clone): lane l sums elements ≡ l mod 16. */
typedef float gn_lanes __attribute__((vector_size(64)));

/* Σ v[i], per lane and then over lanes in order: the same bits on every clone. */
static float lane_sum(const float *v, size_t count) {
  gn_lanes acc = {0};
  size_t i = 0;
  for (; i + 16 <= count; i += 16) {
    gn_lanes a;
    memcpy(&a, v + i, sizeof a);
    acc += a;
  }
  float tail = 0;
  for (; i < count; i++) tail += v[i];
  float sum = 0;
  for (int l = 0; l < 16; l++) sum += acc[l];
  return sum + tail;
}

#define GN_MQ_BLOCK 1024

/* ∂y·(−sign x) (1 bit) or ∂y·index (k bits) of one width over a block. */
GN_CLONES static void weight_products(const gn_mixed_quantizer *q, int b, const float *x, const float *dy, float *out, size_t count) {
  if (q->bits[b] == 1) {
    for (size_t i = 0; i < count; i++) out[i] = dy[i] * negated_sign(x[i]);
  } else {
    const float beta = q->beta, factor = q->factor[b];
    for (size_t i = 0; i < count; i++) out[i] = dy[i] * level_index(clip(x[i], beta), factor);
  }
}

/* Σ ∂y·q_b(x) per width over one chunk, without the 1-bit term's sign flip or the k-bit step (applied once, at the end). */
static void weight_sums(const gn_mixed_quantizer *q, const float *x, const float *dy, size_t count, double *out) {
  float products[GN_MQ_BLOCK];
  for (int b = 0; b < q->count; b++) out[b] = 0.0;
  for (size_t start = 0; start < count; start += GN_MQ_BLOCK) {
    const size_t m = count - start < GN_MQ_BLOCK ? count - start : GN_MQ_BLOCK;
    for (int b = 0; b < q->count; b++) {
      weight_products(q, b, x + start, dy + start, products, m);
      out[b] += (double)lane_sum(products, m);
    }
  }
}

static void chunk_of(size_t size, int task, size_t *first, size_t *count) {
  *first = (size_t)task * GN_MQ_CHUNK;
  *count = size - *first < GN_MQ_CHUNK ? size - *first : GN_MQ_CHUNK;
}

static int chunks_of(size_t size) {
  return (int)((size + GN_MQ_CHUNK - 1) / GN_MQ_CHUNK);
}

static void forward_task(void *raw, int task, int worker) {
  (void)worker;
  const mq_ctx *c = raw;
  size_t first, count;
  chunk_of(c->size, task, &first, &count);
  forward_range(c->q, c->x + first, c->y + first, count);
}

static void backward_task(void *raw, int task, int worker) {
  (void)worker;
  const mq_ctx *c = raw;
  size_t first, count;
  chunk_of(c->size, task, &first, &count);
  backward_range(c->q, slope_weights_of(c->q), c->x + first, c->dy + first, c->dx + first, count);
  if (c->partial) weight_sums(c->q, c->x + first, c->dy + first, count, c->partial + (size_t)task * c->q->count);
}

void gn_mixed_quantize_forward(const gn_mixed_quantizer *q, const float *x, float *y, size_t size, int threads) {
  mq_ctx c = {.q = q, .x = x, .y = y, .size = size};
  gn_parallel(threads, chunks_of(size), forward_task, &c);
}

int gn_mixed_quantize_backward(const gn_mixed_quantizer *q, const float *x, const float *dy, float *dx, float *dp, size_t size, int threads) {
  const int n = chunks_of(size);
  double *partial = NULL;
  if (dp) {
    partial = malloc((size_t)n * q->count * sizeof(double) + 1);
    if (!partial) return -1;
  }
  mq_ctx c = {.q = q, .x = x, .dy = dy, .dx = dx, .size = size, .partial = partial};
  gn_parallel(threads, n, backward_task, &c);
  if (dp) {
    for (int b = 0; b < q->count; b++) {
      double sum = 0;
      for (int t = 0; t < n; t++) sum += partial[(size_t)t * q->count + b];
      /* as the composite: −Σ ∂y·(−sign x) for 1 bit, (Σ ∂y·index)·s_k for k bits, in float32 */
      dp[b] = q->bits[b] == 1 ? -(float)sum : (float)sum * q->step[b];
    }
    free(partial);
  }
  return 0;
}
