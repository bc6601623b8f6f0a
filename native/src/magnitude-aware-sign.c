/*
 * Weight binarization with a per-output-channel scale (src/nn/quantizers/magnitude-aware-sign.ts)
 * for a weight of `rows` × `cout` floats, the output channel last (HWIO conv filters, IO dense):
 *
 *   forward   α_o = mean_r |W[r,o]|,   Wb[r,o] = α_o·sign(W[r,o])        (sign(0) = +1, NaN kept)
 *   backward  ∂W[r,o] = (∂Wb[r,o] · 1{|W[r,o]| ≤ 1}) · α_o                (NaN where W is NaN)
 *
 * The composite takes 14 small tfjs ops a weight on the main thread, a training step hundreds of
 * them; here each direction is one call. Tasks own blocks of output channels, so each α_o is one
 * sequential chain over the rows whichever thread runs it.
 */
#include <math.h>
#include "train.h"

/* Output channels per task. */
#define GN_MAS_LANES 16
/*
 * Elements below which one thread does it all: a task writes a few bytes of each row, the rows of
 * neighbouring tasks share cache lines, and a conv weight of a ResNet-18-sized unit (≤ 3·3·128·128)
 * took longer on two threads than on one.
 */
#define GN_MAS_MIN_PARALLEL (1u << 18)

typedef struct {
  const float *w, *dy; /* dy: NULL for the forward */
  float *out;          /* forward: Wb; backward: ∂W */
  float *alpha;        /* forward: written; backward: read */
  size_t rows;
  int cout;
} mas_ctx;

GN_CLONES static void forward_block(const float *w, size_t rows, int cout, int o0, int lanes, float *alpha, float *wb) {
  float acc[GN_MAS_LANES] = {0};
  for (size_t r = 0; r < rows; r++) {
    const float *row = w + r * (size_t)cout + o0;
    for (int k = 0; k < lanes; k++) acc[k] += fabsf(row[k]);
  }
  for (int k = 0; k < lanes; k++) alpha[o0 + k] = acc[k] / (float)rows;
  for (size_t r = 0; r < rows; r++) {
    const float *row = w + r * (size_t)cout + o0;
    float *dst = wb + r * (size_t)cout + o0;
    for (int k = 0; k < lanes; k++) {
      const float v = row[k];
      const float sign = v < 0.0f ? -1.0f : (v != v ? v : 1.0f);
      dst[k] = sign * alpha[o0 + k];
    }
  }
}

GN_CLONES static void backward_block(const float *w, const float *dy, const float *alpha, size_t rows, int cout, int o0, int lanes, float *dw) {
  for (size_t r = 0; r < rows; r++) {
    const size_t at = r * (size_t)cout + o0;
    for (int k = 0; k < lanes; k++) {
      const float a = fabsf(w[at + k]);
      const float inside = a <= 1.0f ? 1.0f : (a != a ? a : 0.0f);
      dw[at + k] = (dy[at + k] * inside) * alpha[o0 + k];
    }
  }
}

static void mas_task(void *raw, int task, int worker) {
  (void)worker;
  const mas_ctx *c = raw;
  const int o0 = task * GN_MAS_LANES;
  const int lanes = c->cout - o0 < GN_MAS_LANES ? c->cout - o0 : GN_MAS_LANES;
  if (c->dy)
    backward_block(c->w, c->dy, c->alpha, c->rows, c->cout, o0, lanes, c->out);
  else
    forward_block(c->w, c->rows, c->cout, o0, lanes, c->alpha, c->out);
}

static void mas_run(const mas_ctx *c, int threads) {
  if (c->rows * (size_t)c->cout < GN_MAS_MIN_PARALLEL) threads = 1;
  gn_parallel(threads, (c->cout + GN_MAS_LANES - 1) / GN_MAS_LANES, mas_task, (void *)c);
}

void gn_magnitude_aware_sign(const float *w, size_t rows, int cout, float *wb, float *alpha, int threads) {
  mas_run(&(mas_ctx){.w = w, .out = wb, .alpha = alpha, .rows = rows, .cout = cout}, threads);
}

void gn_magnitude_aware_sign_grad(const float *w, const float *dy, const float *alpha, size_t rows, int cout, float *dw, int threads) {
  mas_run(&(mas_ctx){.w = w, .dy = dy, .out = dw, .alpha = (float *)alpha, .rows = rows, .cout = cout}, threads);
}
