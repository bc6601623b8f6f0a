/*
 * ReLU on the kernels' threads, forward and gradient.
 *
 * Forward, gn_relu_value (train.h): tfjs-wasm's XNNPACK clamp to [0, ∞) on one thread, value for
 * value (subnormals stay). On the pool, each thread writes the part of y the next kernel's same
 * thread reads, instead of the caller writing all of it.
 *
 * Gradient, dx = dy · gn_relu_step(x): tfjs' own gradient (Step, Cast, Multiply: three passes on one
 * thread) as one pass.
 */
#include "train.h"

#define GN_RELU_CHUNK 16384

typedef struct {
  const float *x, *dy; /* dy: NULL for the forward */
  float *dx;           /* the forward's y */
  size_t size;
} relu_ctx;

GN_CLONES static void relu_chunk(const float *x, float *y, size_t count) {
  for (size_t i = 0; i < count; i++) y[i] = gn_relu_value(x[i]);
}

GN_CLONES static void relu_grad_chunk(const float *x, const float *dy, float *dx, size_t count) {
  for (size_t i = 0; i < count; i++) dx[i] = dy[i] * gn_relu_step(x[i]);
}

static void relu_task(void *raw, int task, int worker) {
  (void)worker;
  const relu_ctx *c = raw;
  const size_t first = (size_t)task * GN_RELU_CHUNK;
  const size_t count = c->size - first < GN_RELU_CHUNK ? c->size - first : GN_RELU_CHUNK;
  if (c->dy)
    relu_grad_chunk(c->x + first, c->dy + first, c->dx + first, count);
  else
    relu_chunk(c->x + first, c->dx + first, count);
}

static void relu_run(const relu_ctx *c, int threads) {
  gn_parallel(threads, (int)((c->size + GN_RELU_CHUNK - 1) / GN_RELU_CHUNK), relu_task, (void *)c);
}

void gn_relu(const float *x, float *y, size_t size, int threads) {
  relu_run(&(relu_ctx){.x = x, .dy = NULL, .dx = y, .size = size}, threads);
}

void gn_relu_grad(const float *x, const float *dy, float *dx, size_t size, int threads) {
  relu_run(&(relu_ctx){.x = x, .dy = dy, .dx = dx, .size = size}, threads);
}
