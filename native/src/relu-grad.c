/*
 * The gradient of ReLU, dx = dy · step(x) with step(x) = 1 for x > 0, NaN for NaN, 0 otherwise:
 * tfjs' own gradient (Step, Cast, Multiply: three passes on one thread) as one pass, so
 * dy · 0 keeps its sign (−0 for negative dy) and NaN propagates as there.
 */
#include "train.h"

#define GN_RELU_CHUNK 16384

typedef struct {
  const float *x, *dy;
  float *dx;
  size_t size;
} relu_ctx;

GN_CLONES static void relu_grad_chunk(const float *x, const float *dy, float *dx, size_t count) {
  for (size_t i = 0; i < count; i++) {
    const float v = x[i];
    const float step = v > 0.0f ? 1.0f : (v != v ? v : 0.0f);
    dx[i] = dy[i] * step;
  }
}

static void relu_task(void *raw, int task, int worker) {
  (void)worker;
  const relu_ctx *c = raw;
  const size_t first = (size_t)task * GN_RELU_CHUNK;
  const size_t count = c->size - first < GN_RELU_CHUNK ? c->size - first : GN_RELU_CHUNK;
  relu_grad_chunk(c->x + first, c->dy + first, c->dx + first, count);
}

void gn_relu_grad(const float *x, const float *dy, float *dx, size_t size, int threads) {
  relu_ctx c = {.x = x, .dy = dy, .dx = dx, .size = size};
  gn_parallel(threads, (int)((size + GN_RELU_CHUNK - 1) / GN_RELU_CHUNK), relu_task, &c);
}
