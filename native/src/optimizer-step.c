/*
 * One optimizer update per parameter, in one pass, with the arithmetic of src/nn/optim's
 * stock-op updates, operation for operation (each product and sum rounded to float32, the
 * constants rounded to float32 as tfjs rounds scalars), so a step is bit-identical to theirs:
 *
 *   decay         g = ∇w + w·wd                                     (when wd > 0)
 *   sgd-nesterov  b' = b·μ + g;   w' = w − (g + b'·μ)·lr
 *   adam          m' = m·β1 + g·(1−β1);   v' = v·β2 + (g·g)·(1−β2)
 *                 w' = w − ((m'/c1) / (√(v'/c2) + ε))·lr            (c1 = 1−β1^t, c2 = 1−β2^t)
 *
 * Element-wise, chunked over threads.
 */
#include <math.h>
#include "train.h"

#define GN_UPDATE_CHUNK 65536

typedef struct {
  const gn_optimizer_step *s;
  size_t size;
} update_ctx;

GN_CLONES static void sgd_nesterov(const gn_optimizer_step *s, size_t first, size_t count) {
  const float wd = s->weight_decay, mu = s->momentum, lr = s->learning_rate;
  const int decay = s->weight_decay > 0;
  for (size_t i = first; i < first + count; i++) {
    const float g = decay ? s->grad[i] + s->w[i] * wd : s->grad[i];
    const float b = s->slot0[i] * mu + g;
    s->out_slot0[i] = b;
    s->out_w[i] = s->w[i] - (g + b * mu) * lr;
  }
}

GN_CLONES static void adam(const gn_optimizer_step *s, size_t first, size_t count) {
  const float wd = s->weight_decay, b1 = s->beta1, b2 = s->beta2, one_b1 = s->one_minus_beta1, one_b2 = s->one_minus_beta2;
  const float c1 = s->c1, c2 = s->c2, eps = s->epsilon, lr = s->learning_rate;
  const int decay = s->weight_decay > 0;
  for (size_t i = first; i < first + count; i++) {
    const float g = decay ? s->grad[i] + s->w[i] * wd : s->grad[i];
    const float m = s->slot0[i] * b1 + g * one_b1;
    const float v = s->slot1[i] * b2 + (g * g) * one_b2;
    s->out_slot0[i] = m;
    s->out_slot1[i] = v;
    s->out_w[i] = s->w[i] - ((m / c1) / (sqrtf(v / c2) + eps)) * lr;
  }
}

static void update_task(void *raw, int task, int worker) {
  (void)worker;
  const update_ctx *c = raw;
  const size_t first = (size_t)task * GN_UPDATE_CHUNK;
  const size_t count = c->size - first < GN_UPDATE_CHUNK ? c->size - first : GN_UPDATE_CHUNK;
  if (c->s->rule == GN_RULE_ADAM) {
    adam(c->s, first, count);
  } else {
    sgd_nesterov(c->s, first, count);
  }
}

void gn_optimizer_step_run(const gn_optimizer_step *s, size_t size, int threads) {
  update_ctx c = {s, size};
  gn_parallel(threads, (int)((size + GN_UPDATE_CHUNK - 1) / GN_UPDATE_CHUNK), update_task, &c);
}
