/*
 * The convolution of a binary unit in training, y = sign(x) ⊛ Wb (sign(0) = +1), with the
 * clipped straight-through estimator for x — conv2d(steSign(x), Wb) of src/nn, fused:
 *
 *   forward          packs sign(x) and the STE mask 1{|x| ≤ 1} as bits (the only record of x
 *                    the backward needs: 2 bits an element instead of 32) and, when Wb has the
 *                    binary form α_o·(±1) of magnitudeAwareSign and the padding is symmetric,
 *                    convolves on the packed bits with the XOR/popcount kernels of the packed
 *                    engine (exact integers, times α); any other filter takes the float kernel
 *   backprop input   dx = 1{|x| ≤ 1} ⊙ (dy ⊛ᵀ Wb)  (+ an addend: the gradient x gets from its other use,
 *                    a residual, added while dx's rows are in cache instead of by a later pass)
 *   backprop filter  dWb = Σ sign(x)ᵀ·dy, on the ±1 values unpacked from the bits
 *
 * Bits: `words` = ⌈c/32⌉ per pixel; signs of all pixels (bit 1 = −1, padding bits 0), then the
 * masks of all pixels.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "kernels.h"
#include "train.h"

/* Pixels per packing / masking task. */
#define GN_PIXEL_CHUNK 1024

typedef struct {
  const gn_train_path *tp;
  const float *x;
  float *out;
  uint32_t *signs, *masks;
  const uint32_t *csigns, *cmasks;
  const float *addend; /* backprop input: added to dx after the mask (NULL: none) */
  size_t pixels;
  int c, words;
} bits_ctx;

static void chunk_of(size_t pixels, int task, size_t *first, size_t *count) {
  *first = (size_t)task * GN_PIXEL_CHUNK;
  *count = pixels - *first < GN_PIXEL_CHUNK ? pixels - *first : GN_PIXEL_CHUNK;
}

static int chunks_of(size_t pixels) {
  return (int)((pixels + GN_PIXEL_CHUNK - 1) / GN_PIXEL_CHUNK);
}

/* Portable packing: the path's own (vectorized) one when it has it. */
static void pack_sign_mask_scalar(const float *x, size_t pixels, int c, int words, uint32_t *signs, uint32_t *masks) {
  for (size_t p = 0; p < pixels; p++) {
    const float *row = x + p * (size_t)c;
    for (int w = 0; w < words; w++) {
      uint32_t s = 0, m = 0;
      const int end = c - w * 32 < 32 ? c - w * 32 : 32;
      for (int b = 0; b < end; b++) {
        const float v = row[w * 32 + b];
        s |= (uint32_t)(v < 0) << b;
        m |= (uint32_t)(fabsf(v) <= 1.0f) << b;
      }
      signs[p * (size_t)words + w] = s;
      masks[p * (size_t)words + w] = m;
    }
  }
}

static void pack_task(void *raw, int task, int worker) {
  (void)worker;
  const bits_ctx *b = raw;
  size_t first, count;
  chunk_of(b->pixels, task, &first, &count);
  const size_t at = first * (size_t)b->words;
  if (b->tp->pack_sign_mask) {
    b->tp->pack_sign_mask(b->x + first * (size_t)b->c, count, b->c, b->words, b->signs + at, b->masks + at);
  } else {
    pack_sign_mask_scalar(b->x + first * (size_t)b->c, count, b->c, b->words, b->signs + at, b->masks + at);
  }
}

/*
 * ±1 floats from sign bits, written as their IEEE patterns (1.0f with the sign bit from the
 * bit) so that the compiler vectorizes the loop with per-lane shifts; a per-element branch
 * here cost more than the whole filter gradient it feeds.
 */
GN_CLONES static void unpack_signs(const uint32_t *signs, size_t first, size_t count, int c, int words, float *out) {
  for (size_t p = first; p < first + count; p++) {
    const uint32_t *row = signs + p * (size_t)words;
    uint32_t *dst = (uint32_t *)(out + p * (size_t)c);
    for (int w = 0; w < words; w++) {
      const uint32_t bits = row[w];
      const int end = c - w * 32 < 32 ? c - w * 32 : 32;
      for (int b = 0; b < end; b++) dst[w * 32 + b] = 0x3f800000u | ((bits >> b) & 1u) << 31;
    }
  }
}

static void unpack_task(void *raw, int task, int worker) {
  (void)worker;
  const bits_ctx *b = raw;
  size_t first, count;
  chunk_of(b->pixels, task, &first, &count);
  unpack_signs(b->csigns, first, count, b->c, b->words, b->out);
}

/* dx ⊙ mask, as the composite's multiply by 0/1 (−0 and NaN as it gives them); a word at a time, so that it vectorizes. */
GN_CLONES static void apply_mask(const uint32_t *masks, size_t count, int c, int words, float *dx) {
  for (size_t p = 0; p < count; p++) {
    const uint32_t *row = masks + p * (size_t)words;
    float *d = dx + p * (size_t)c;
    for (int w = 0; w < words; w++) {
      const uint32_t bits = row[w];
      const int end = c - w * 32 < 32 ? c - w * 32 : 32;
      for (int b = 0; b < end; b++) d[w * 32 + b] *= (float)((bits >> b) & 1u);
    }
  }
}

/* The calling thread's buffer for sign(x) as floats (gn_reused_floats). */
static _Thread_local float *unpack_buffer;
static _Thread_local size_t unpack_capacity;

/* sign(x) as ±1 floats from its bits, in the calling thread's buffer; NULL without memory. */
static float *unpacked_signs(const gn_fconv_geom *g, const uint32_t *signs, int threads) {
  const size_t pixels = (size_t)g->n * g->h * g->w;
  float *values = gn_reused_floats(&unpack_buffer, &unpack_capacity, pixels * (size_t)g->c);
  if (!values) return NULL;
  bits_ctx b = {.csigns = signs, .out = values, .pixels = pixels, .c = g->c, .words = (g->c + 31) / 32};
  gn_parallel(threads, chunks_of(pixels), unpack_task, &b);
  return values;
}

/* α_o when every |W[..., o]| equals it (the binary form), else −1. */
static int binary_scales(const gn_fconv_geom *g, const float *f, float *alpha) {
  const size_t rows = (size_t)g->kh * g->kw * g->c;
  for (int o = 0; o < g->cout; o++) alpha[o] = fabsf(f[o]);
  for (size_t r = 0; r < rows; r++) {
    for (int o = 0; o < g->cout; o++) {
      if (fabsf(f[r * g->cout + o]) != alpha[o]) return -1;
    }
  }
  return 0;
}

/* The popcount kernels take square kernels, one stride and dilation, and the symmetric padding (k − 1)·d/2. */
static int popcount_geometry(const gn_fconv_geom *g) {
  if (g->kh != g->kw || g->stride_h != g->stride_w || g->dil_h != g->dil_w) return 0;
  const int span = (g->kh - 1) * g->dil_h;
  if (span % 2 != 0 || g->pad_top != span / 2 || g->pad_left != span / 2) return 0;
  int oh = 0, ow = 0, pt = 0, pl = 0;
  gn_axis_geometry(g->h, g->kh, g->stride_h, g->dil_h, GN_PAD_SYMMETRIC, &oh, &pt);
  gn_axis_geometry(g->w, g->kw, g->stride_w, g->dil_w, GN_PAD_SYMMETRIC, &ow, &pl);
  return oh == g->out_h && ow == g->out_w && pt == g->pad_top && pl == g->pad_left;
}

typedef struct {
  const gn_fconv_geom *g;
  const float *f;
  uint32_t *interleaved;
  int32_t *tap_sums;
} filter_pack_ctx;

/*
 * sign(W) of one block of GN_CB output channels, interleaved for the micro-kernels (kernels.h),
 * and each tap's ±1 sum; the filter is read along its rows (output channels are contiguous in HWIO).
 */
static void pack_filter_block(void *raw, int block, int worker) {
  (void)worker;
  const filter_pack_ctx *p = raw;
  const gn_fconv_geom *g = p->g;
  const int taps = g->kh * g->kw, words = (g->c + 31) / 32, row_words = taps * words;
  const int o0 = block * GN_CB, lanes = g->cout - o0 < GN_CB ? g->cout - o0 : GN_CB;
  uint32_t *dst = p->interleaved + (size_t)block * row_words * GN_CB;
  memset(dst, 0, (size_t)row_words * GN_CB * sizeof(uint32_t));
  for (int t = 0; t < taps; t++) {
    int negatives[GN_CB] = {0};
    for (int ci = 0; ci < g->c; ci++) {
      const float *row = p->f + ((size_t)t * g->c + ci) * g->cout + o0;
      uint32_t *word = dst + (size_t)(t * words + ci / 32) * GN_CB;
      for (int lane = 0; lane < lanes; lane++) {
        const uint32_t negative = row[lane] < 0;
        word[lane] |= negative << (ci & 31);
        negatives[lane] += (int)negative;
      }
    }
    for (int lane = 0; lane < lanes; lane++) p->tap_sums[(size_t)(o0 + lane) * taps + t] = g->c - 2 * negatives[lane];
  }
}

int gn_sign_conv_forward(const gn_train_path *tp, int bin_path, const gn_fconv_geom *g, const float *x, const float *f, float *y, uint32_t *bits, int threads) {
  const size_t pixels = (size_t)g->n * g->h * g->w;
  const int words = (g->c + 31) / 32;
  bits_ctx b = {.tp = tp, .x = x, .signs = bits, .masks = bits + pixels * words, .pixels = pixels, .c = g->c, .words = words};
  gn_parallel(threads, chunks_of(pixels), pack_task, &b);

  const gn_path_impl *bp = bin_path >= 0 ? gn_path(bin_path) : NULL;
  float *alpha = malloc((size_t)g->cout * 2 * sizeof(float));
  if (!alpha) return -1;
  if (bp && bp->conv && gn_cpu_supports(bin_path) && popcount_geometry(g) && binary_scales(g, f, alpha) == 0) {
    const int taps = g->kh * g->kw, blocks = (g->cout + GN_CB - 1) / GN_CB;
    uint32_t *interleaved = malloc((size_t)blocks * taps * words * GN_CB * sizeof(uint32_t));
    int32_t *tap_sums = malloc((size_t)g->cout * taps * sizeof(int32_t));
    int status = -1;
    if (interleaved && tap_sums) {
      filter_pack_ctx pack = {.g = g, .f = f, .interleaved = interleaved, .tap_sums = tap_sums};
      gn_parallel(threads, blocks, pack_filter_block, &pack);
      float *zero = alpha + g->cout;
      for (int o = 0; o < g->cout; o++) zero[o] = 0;
      gn_conv_job j;
      memset(&j, 0, sizeof j);
      j.mode = GN_MODE_FLOAT;
      j.n = g->n, j.h = g->h, j.w = g->w, j.c = g->c, j.words = words;
      j.kernel = g->kh, j.stride = g->stride_h, j.dilation = g->dil_h;
      j.pad_top = g->pad_top, j.pad_left = g->pad_left, j.out_h = g->out_h, j.out_w = g->out_w, j.cout = g->cout;
      j.input = b.signs, j.weights = interleaved, j.tap_sums = tap_sums, j.scale = alpha, j.bias = zero, j.out = y;
      j.threads = threads;
      status = bp->conv(&j);
    }
    free(interleaved);
    free(tap_sums);
    free(alpha);
    return status;
  }
  free(alpha);
  float *values = unpacked_signs(g, b.signs, threads);
  if (!values) return -1;
  return gn_fconv_forward(tp, g, values, f, y, threads);
}

/* d += a, element by element (IEEE addition: the values of tf.add). */
GN_CLONES static void add_to(float *d, const float *a, size_t count) {
  for (size_t i = 0; i < count; i++) d[i] += a[i];
}

/* dx ⊙ mask (+ the addend) on `count` consecutive pixels of dx from `row` on. */
static void mask_rows_of(const bits_ctx *b, float *row, size_t count) {
  const size_t first = (size_t)(row - b->out) / (size_t)b->c;
  const gn_apply_mask_fn mask = b->tp->apply_mask ? b->tp->apply_mask : apply_mask;
  mask(b->cmasks + first * (size_t)b->words, count, b->c, b->words, row);
  if (b->addend) add_to(row, b->addend + first * (size_t)b->c, count * (size_t)b->c);
}

/*
 * The STE mask on a band of dx rows just computed, while they are in cache (a pass over all of dx
 * afterwards reads it back from memory), a run of consecutive pixels at a time: a stride-1 band is one run.
 */
static void mask_rows(const void *raw, float *const *rows, size_t count) {
  const bits_ctx *b = raw;
  for (size_t r = 0; r < count;) {
    size_t run = 1;
    while (r + run < count && rows[r + run] == rows[r] + run * (size_t)b->c) run++;
    mask_rows_of(b, rows[r], run);
    r += run;
  }
}

static void mask_task(void *raw, int task, int worker) {
  (void)worker;
  const bits_ctx *b = raw;
  size_t first, count;
  chunk_of(b->pixels, task, &first, &count);
  mask_rows_of(b, b->out + first * (size_t)b->c, count);
}

int gn_sign_conv_backprop_input(const gn_train_path *tp, const gn_fconv_geom *g, const float *dy, const float *f, const uint32_t *bits, const float *addend, float *dx,
                                int threads) {
  const size_t pixels = (size_t)g->n * g->h * g->w;
  const int words = (g->c + 31) / 32;
  bits_ctx b = {.tp = tp, .cmasks = bits + pixels * words, .addend = addend, .out = dx, .pixels = pixels, .c = g->c, .words = words};
  /* A strided gradient's bands hold every other pixel: masked one pixel a call, they ran slower than in one pass after. */
  if (g->stride_h == 1 && g->stride_w == 1) return gn_fconv_backprop_input(tp, g, dy, f, dx, threads, mask_rows, &b);
  if (gn_fconv_backprop_input(tp, g, dy, f, dx, threads, NULL, NULL) != 0) return -1;
  gn_parallel(threads, chunks_of(pixels), mask_task, &b);
  return 0;
}

int gn_sign_conv_backprop_filter(const gn_train_path *tp, const gn_fconv_geom *g, const uint32_t *bits, const float *dy, float *df, int threads) {
  float *values = unpacked_signs(g, bits, threads);
  if (!values) return -1;
  return gn_fconv_backprop_filter(tp, g, values, dy, df, threads);
}
