/*
 * Average pooling in training (NHWC): the forward, y = (Σ of the window's valid pixels, in row-major
 * window order) · (1/count), one output row per task; tfjs-wasm's XNNPACK sums in another order, so
 * this is for training only, where its ~1-ulp difference costs nothing and its threads save a serial pass.
 *
 * The gradient, as src/backend/kernels/avg-pool-grad.ts computes it:
 * each output's gradient spread over the valid input pixels of its window, divided by their
 * count (the forward averages over valid pixels only).
 *
 * Bit for bit the JavaScript kernel's arithmetic: that one adds dy·(1/count) into a float32
 * array in doubles, rounding after each add, windows in (oh, ow) order. Here each input pixel
 * gathers the windows that cover it in that same order, so tasks (rows of input pixels) write
 * disjoint outputs and the result is the same for any thread count.
 */
#include <string.h>
#include "train.h"

typedef struct {
  const gn_fconv_geom *g;
  const float *in; /* forward: x; gradient: dy */
  float *out;      /* forward: y; gradient: dx */
} pool_ctx;

/* First and last+1 output index whose window [o·s − pad, o·s − pad + k) covers input index i. */
static void covering(int i, int k, int s, int pad, int out, int *first, int *end) {
  const int lo = i + pad - k + 1; /* o·s ≥ lo */
  int f = lo <= 0 ? 0 : (lo + s - 1) / s;
  int e = (i + pad) / s + 1; /* o·s ≤ i + pad */
  *first = f;
  *end = e < out ? e : out;
}

/* The valid pixels [*first, *end) of window o along an axis of `size`. */
static void window_span(int o, int k, int s, int pad, int size, int *first, int *end) {
  const int start = o * s - pad;
  *first = start < 0 ? 0 : start;
  *end = start + k > size ? size : start + k;
}

/* Valid pixels of window o along an axis of `size`. */
static int valid_count(int o, int k, int s, int pad, int size) {
  int a, b;
  window_span(o, k, s, pad, size, &a, &b);
  return b > a ? b - a : 0;
}

GN_CLONES static void add_scaled(float *acc, const float *dy, double scale, int c) {
  for (int k = 0; k < c; k++) acc[k] = (float)((double)acc[k] + (double)dy[k] * scale);
}

/* One row of input pixels (image n, row ih) of dx. */
static void row_task(void *raw, int task, int worker) {
  (void)worker;
  const pool_ctx *p = raw;
  const gn_fconv_geom *g = p->g;
  const int n = task / g->h, ih = task % g->h;
  int oh0, oh1;
  covering(ih, g->kh, g->stride_h, g->pad_top, g->out_h, &oh0, &oh1);
  for (int iw = 0; iw < g->w; iw++) {
    float *acc = p->out + (((size_t)n * g->h + ih) * g->w + iw) * g->c;
    memset(acc, 0, (size_t)g->c * sizeof(float));
    int ow0, ow1;
    covering(iw, g->kw, g->stride_w, g->pad_left, g->out_w, &ow0, &ow1);
    for (int oh = oh0; oh < oh1; oh++) {
      const int rows = valid_count(oh, g->kh, g->stride_h, g->pad_top, g->h);
      for (int ow = ow0; ow < ow1; ow++) {
        const int count = rows * valid_count(ow, g->kw, g->stride_w, g->pad_left, g->w);
        if (count <= 0) continue;
        add_scaled(acc, p->in + (((size_t)n * g->out_h + oh) * g->out_w + ow) * g->c, 1.0 / count, g->c);
      }
    }
  }
}

GN_CLONES static void add_to(float *acc, const float *x, int c) {
  for (int k = 0; k < c; k++) acc[k] += x[k];
}

GN_CLONES static void scale_by(float *y, float scale, int c) {
  for (int k = 0; k < c; k++) y[k] *= scale;
}

/* One row of output pixels (image n, row oh) of y. */
static void forward_row_task(void *raw, int task, int worker) {
  (void)worker;
  const pool_ctx *p = raw;
  const gn_fconv_geom *g = p->g;
  const int n = task / g->out_h, oh = task % g->out_h;
  int h_start, h_end;
  window_span(oh, g->kh, g->stride_h, g->pad_top, g->h, &h_start, &h_end);
  for (int ow = 0; ow < g->out_w; ow++) {
    float *y = p->out + (((size_t)n * g->out_h + oh) * g->out_w + ow) * g->c;
    memset(y, 0, (size_t)g->c * sizeof(float));
    int w_start, w_end;
    window_span(ow, g->kw, g->stride_w, g->pad_left, g->w, &w_start, &w_end);
    for (int ih = h_start; ih < h_end; ih++) {
      for (int iw = w_start; iw < w_end; iw++) add_to(y, p->in + (((size_t)n * g->h + ih) * g->w + iw) * g->c, g->c);
    }
    const int count = (h_end - h_start) * (w_end - w_start);
    if (count > 0) scale_by(y, 1.0f / (float)count, g->c);
  }
}

void gn_avg_pool(const gn_fconv_geom *g, const float *x, float *y, int threads) {
  pool_ctx p = {.g = g, .in = x, .out = y};
  gn_parallel(threads, g->n * g->out_h, forward_row_task, &p);
}

void gn_avg_pool_grad(const gn_fconv_geom *g, const float *dy, float *dx, int threads) {
  pool_ctx p = {.g = g, .in = dy, .out = dx};
  gn_parallel(threads, g->n * g->h, row_task, &p);
}
