/*
 * Training-mode batch normalization over the pixels of an NHWC tensor, forward and backward
 * (the math of src/nn/layers/batch-norm-training.ts):
 *
 *   forward   μ = mean x,  σ² = mean (x − μ)²,  r = 1/√(σ² + ε),  x̂ = (x − μ)·r,  y = γ·x̂ + β (+ a residual)
 *   backward  ∂β = Σ dy,  ∂γ = Σ dy·x̂,  ∂x = γ·r/m · (m·dy − ∂β − x̂·∂γ)      (m = pixels)
 *
 * The backward takes x, μ and r and computes x̂ again, with the forward's float operations (no
 * contraction: -ffp-contract=off), so the same values: writing x̂ in the forward and reading it
 * back cost more than the two operations, and the tape keeps x either way.
 *
 * A ReLU after y (the full-precision blocks') can be part of the op: the forward clamps y as it writes
 * it, and the backward masks dy with the clamped y's slope as it reads it. That saves the ReLU's
 * passes over the activation and keeps one activation fewer for the backward.
 *
 * Per-channel sums are reductions over pixels. They are taken in fixed chunks of pixels (one
 * task each, float32 within a chunk, as its own output) and the chunks' sums are then added in
 * chunk order in float64 by the caller: the result depends on the chunk size, never on the
 * number of threads. Loops run along channels (contiguous in NHWC), so each channel's sum is
 * the same sequential chain whatever the vector width of the clone that runs it.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "train.h"

/* Pixels per reduction chunk. */
#define GN_BN_CHUNK 256

typedef struct {
  const float *a, *b;    /* forward: x; backward: dy, x */
  const float *relu_y;   /* backward: the ReLU's output masking dy, or NULL */
  float *masked_dy;      /* backward pass 1: receives the masked dy, or NULL */
  int relu;              /* forward: clamp y */
  size_t pixels;
  int c;
  const float *shift; /* forward passes 2 and 3, backward: μ */
  const float *rstd;  /* forward pass 3, backward: r */
  float *partial;     /* [chunks][2·c] */
  /* the last pass, per channel: forward γ, β; backward Σdy, Σdy·x̂, γ·r/m */
  const float *scale, *offset, *coef;
  const float *residual; /* forward: added to y, or NULL */
  float *out1;
} bn_ctx;

/*
 * The chunk sums are kept in a local array, a block of channels at a time, and written once at
 * the end: summed in place, two threads' chunk rows share cache lines at their ends, and the
 * line bouncing between cores made two threads slower than one.
 */
#define GN_BN_LANES 128

GN_CLONES static void sum_chunk(const float *x, size_t first, size_t count, int c, float *out) {
  for (int k0 = 0; k0 < c; k0 += GN_BN_LANES) {
    const int lanes = c - k0 < GN_BN_LANES ? c - k0 : GN_BN_LANES;
    float acc[GN_BN_LANES];
    for (int k = 0; k < lanes; k++) acc[k] = 0;
    for (size_t p = first; p < first + count; p++) {
      const float *row = x + p * (size_t)c + k0;
      for (int k = 0; k < lanes; k++) acc[k] += row[k];
    }
    memcpy(out + k0, acc, (size_t)lanes * sizeof(float));
  }
}

GN_CLONES static void squares_chunk(const float *x, const float *mu, size_t first, size_t count, int c, float *out) {
  for (int k0 = 0; k0 < c; k0 += GN_BN_LANES) {
    const int lanes = c - k0 < GN_BN_LANES ? c - k0 : GN_BN_LANES;
    float acc[GN_BN_LANES], shift[GN_BN_LANES];
    for (int k = 0; k < lanes; k++) acc[k] = 0, shift[k] = mu[k0 + k];
    for (size_t p = first; p < first + count; p++) {
      const float *row = x + p * (size_t)c + k0;
      for (int k = 0; k < lanes; k++) {
        const float d = row[k] - shift[k];
        acc[k] += d * d;
      }
    }
    memcpy(out + k0, acc, (size_t)lanes * sizeof(float));
  }
}

/* x̂ = (x − μ)·r: the one expression the forward and both backward passes compute it by, so the same value in each. */
static inline float normalized(float x, float mu, float r) {
  return (x - mu) * r;
}

/* y = γ·x̂ + β, then + the residual when there is one, then ReLU: the values of BN, Add and Relu, in one pass. */
GN_CLONES static void normalize_chunk(const float *x, const float *mu, const float *r, const float *gamma, const float *beta, const float *residual, int relu,
                                      size_t first, size_t count, int c, float *y) {
  for (size_t p = first; p < first + count; p++) {
    const size_t o = p * (size_t)c;
    if (residual) {
      for (int k = 0; k < c; k++) {
        const float h = normalized(x[o + k], mu[k], r[k]);
        const float normalized = h * gamma[k] + beta[k];
        y[o + k] = normalized + residual[o + k];
      }
    } else {
      for (int k = 0; k < c; k++) {
        const float h = normalized(x[o + k], mu[k], r[k]);
        y[o + k] = h * gamma[k] + beta[k];
      }
    }
    if (relu)
      for (int k = 0; k < c; k++) y[o + k] = gn_relu_value(y[o + k]);
  }
}

/* Σ dy and Σ dy·x̂ over a chunk, dy masked by relu_y's slope first when there is one (and kept in masked_dy when asked). */
GN_CLONES static void grad_sums_chunk(const float *dy, const float *relu_y, const float *x, const float *mu, const float *r, size_t first, size_t count, int c,
                                      float *sum_dy, float *sum_dy_xhat, float *masked_dy) {
  for (int k0 = 0; k0 < c; k0 += GN_BN_LANES) {
    const int lanes = c - k0 < GN_BN_LANES ? c - k0 : GN_BN_LANES;
    float a[GN_BN_LANES], b[GN_BN_LANES], masked[GN_BN_LANES];
    for (int k = 0; k < lanes; k++) a[k] = b[k] = 0;
    for (size_t p = first; p < first + count; p++) {
      const size_t o = p * (size_t)c + k0;
      const float *d = dy + o;
      if (relu_y) {
        for (int k = 0; k < lanes; k++) masked[k] = d[k] * gn_relu_step(relu_y[o + k]);
        if (masked_dy) memcpy(masked_dy + o, masked, (size_t)lanes * sizeof(float));
        d = masked;
      }
      for (int k = 0; k < lanes; k++) {
        a[k] += d[k];
        b[k] += d[k] * normalized(x[o + k], mu[k0 + k], r[k0 + k]);
      }
    }
    memcpy(sum_dy + k0, a, (size_t)lanes * sizeof(float));
    memcpy(sum_dy_xhat + k0, b, (size_t)lanes * sizeof(float));
  }
}

/* ∂x = coef·(m·dy − Σdy − x̂·Σdy·x̂), coef = γ·r/m: the composite's order of operations; dy masked by relu_y's slope first when there is one */
GN_CLONES static void grad_input_chunk(const float *dy, const float *relu_y, const float *x, const float *mu, const float *r, const float *sum_dy,
                                       const float *sum_dy_xhat, const float *coef, float m, size_t first, size_t count, int c, float *dx) {
  for (size_t p = first; p < first + count; p++) {
    const size_t o = p * (size_t)c;
    const float *d = dy + o;
    if (relu_y) {
      for (int k = 0; k < c; k++) dx[o + k] = d[k] * gn_relu_step(relu_y[o + k]);
      d = dx + o;
    }
    for (int k = 0; k < c; k++) {
      const float h = normalized(x[o + k], mu[k], r[k]);
      dx[o + k] = (d[k] * m - sum_dy[k] - h * sum_dy_xhat[k]) * coef[k];
    }
  }
}

static size_t chunk_count(size_t pixels) {
  return (pixels + GN_BN_CHUNK - 1) / GN_BN_CHUNK;
}

static void chunk_range(size_t pixels, int task, size_t *first, size_t *count) {
  *first = (size_t)task * GN_BN_CHUNK;
  *count = pixels - *first < GN_BN_CHUNK ? pixels - *first : GN_BN_CHUNK;
}

static void sum_task(void *raw, int task, int worker) {
  (void)worker;
  bn_ctx *c = raw;
  size_t first, count;
  chunk_range(c->pixels, task, &first, &count);
  sum_chunk(c->a, first, count, c->c, c->partial + (size_t)task * 2 * c->c);
}

static void squares_task(void *raw, int task, int worker) {
  (void)worker;
  bn_ctx *c = raw;
  size_t first, count;
  chunk_range(c->pixels, task, &first, &count);
  squares_chunk(c->a, c->shift, first, count, c->c, c->partial + (size_t)task * 2 * c->c);
}

static void normalize_task(void *raw, int task, int worker) {
  (void)worker;
  bn_ctx *c = raw;
  size_t first, count;
  chunk_range(c->pixels, task, &first, &count);
  normalize_chunk(c->a, c->shift, c->rstd, c->scale, c->offset, c->residual, c->relu, first, count, c->c, c->out1);
}

static void grad_sums_task(void *raw, int task, int worker) {
  (void)worker;
  bn_ctx *c = raw;
  size_t first, count;
  chunk_range(c->pixels, task, &first, &count);
  float *slot = c->partial + (size_t)task * 2 * c->c;
  grad_sums_chunk(c->a, c->relu_y, c->b, c->shift, c->rstd, first, count, c->c, slot, slot + c->c, c->masked_dy);
}

static void grad_input_task(void *raw, int task, int worker) {
  (void)worker;
  bn_ctx *c = raw;
  size_t first, count;
  chunk_range(c->pixels, task, &first, &count);
  grad_input_chunk(c->a, c->relu_y, c->b, c->shift, c->rstd, c->scale, c->offset, c->coef, (float)c->pixels, first, count, c->c, c->out1);
}

/* Σ over chunks, in chunk order, in float64: the `which`-th of the two per-chunk rows. */
static void add_chunks(const float *partial, size_t chunks, int c, int which, double *out) {
  for (int k = 0; k < c; k++) out[k] = 0;
  for (size_t t = 0; t < chunks; t++) {
    const float *row = partial + t * 2 * (size_t)c + (size_t)which * c;
    for (int k = 0; k < c; k++) out[k] += row[k];
  }
}

int gn_batch_norm_forward(const float *x, size_t pixels, int c, const float *gamma, const float *beta, float epsilon, const float *residual, int relu, float *y,
                          float *mean, float *variance, float *rstd, int threads) {
  const size_t chunks = chunk_count(pixels);
  float *partial = malloc(chunks * 2 * (size_t)c * sizeof(float));
  double *total = malloc((size_t)c * sizeof(double));
  if (!partial || !total) {
    free(partial);
    free(total);
    return -1;
  }
  bn_ctx ctx = {.a = x, .pixels = pixels, .c = c, .partial = partial};
  gn_parallel(threads, (int)chunks, sum_task, &ctx);
  add_chunks(partial, chunks, c, 0, total);
  for (int k = 0; k < c; k++) mean[k] = (float)(total[k] / (double)pixels);
  ctx.shift = mean;
  gn_parallel(threads, (int)chunks, squares_task, &ctx);
  add_chunks(partial, chunks, c, 0, total);
  for (int k = 0; k < c; k++) {
    variance[k] = (float)(total[k] / (double)pixels);
    rstd[k] = 1.0f / sqrtf(variance[k] + epsilon);
  }
  ctx.rstd = rstd;
  ctx.scale = gamma;
  ctx.offset = beta;
  ctx.residual = residual;
  ctx.relu = relu;
  ctx.out1 = y;
  gn_parallel(threads, (int)chunks, normalize_task, &ctx);
  free(partial);
  free(total);
  return 0;
}

int gn_batch_norm_backward(const float *dy, const float *relu_y, const float *x, const float *mean, size_t pixels, int c, const float *gamma, const float *rstd,
                           float *dx, float *dgamma, float *dbeta, float *masked_dy, int threads) {
  const size_t chunks = chunk_count(pixels);
  float *partial = malloc(chunks * 2 * (size_t)c * sizeof(float));
  double *total = malloc((size_t)c * sizeof(double));
  float *coef = malloc((size_t)c * sizeof(float));
  if (!partial || !total || !coef) {
    free(partial);
    free(total);
    free(coef);
    return -1;
  }
  bn_ctx ctx = {.a = dy, .b = x, .shift = mean, .rstd = rstd, .relu_y = relu_y, .masked_dy = masked_dy, .pixels = pixels, .c = c, .partial = partial};
  gn_parallel(threads, (int)chunks, grad_sums_task, &ctx);
  if (masked_dy) {
    /* the second pass reads the masked dy the first one kept */
    ctx.a = masked_dy;
    ctx.relu_y = NULL;
  }
  add_chunks(partial, chunks, c, 0, total);
  for (int k = 0; k < c; k++) dbeta[k] = (float)total[k];
  add_chunks(partial, chunks, c, 1, total);
  for (int k = 0; k < c; k++) dgamma[k] = (float)total[k];
  for (int k = 0; k < c; k++) coef[k] = gamma[k] * rstd[k] / (float)pixels;
  ctx.scale = dbeta;
  ctx.offset = dgamma;
  ctx.coef = coef;
  ctx.out1 = dx;
  gn_parallel(threads, (int)chunks, grad_input_task, &ctx);
  free(partial);
  free(total);
  free(coef);
  return 0;
}
