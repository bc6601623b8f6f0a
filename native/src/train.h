/*
 * The native training kernels (DESIGN §5 "Training kernels"): the float convolutions of a
 * training step and both their gradients, as implicit GEMMs, with no im2col copy.
 *
 * Every one of the three is  C[row, col] = Σ_tap Σ_k A_tap[row][k] · B_tap[k, col]  where the
 * A rows are found through an indirection table (a pointer per row and tap: an input pixel's
 * channels, or a row of zeros where the tap falls in the padding):
 *
 *   forward           rows = output pixels, k = input channels,  B_tap = filter[tap]     (HWIO)
 *   backprop input    rows = input pixels,  k = output channels, B_tap = filter[tap]ᵀ;
 *                     rows are visited by stride phase (ih mod s, iw mod s), and each phase
 *                     uses only the taps that reach it, so no multiply-by-zero is spent on the
 *                     holes a strided forward leaves
 *   backprop filter   rows = (tap, input channel), k = output pixels (the long reduction),
 *                     A = the input pixel under the tap, B = dy
 *
 * Determinism: every output element is one multiply-add chain over its k in a fixed order,
 * started from zero (unfused in the forward: see gn_rows_fn); tiles and blocks change which thread computes an element and
 * when, never the order of its chain. Threads split outputs, never a reduction, so results
 * are bit-identical for any thread count (and equal across the avx512 and avx2 paths).
 */
#ifndef GROUPNAS_TRAIN_H
#define GROUPNAS_TRAIN_H

#include <stddef.h>
#include <stdlib.h>
#include <stdint.h>

/* Loops the compiler vectorizes once per ISA, the best chosen at load time (GCC on x86-64 Linux). */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__linux__)
#define GN_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define GN_CLONES
#endif

/* Forward geometry of a 2-D convolution, NHWC activations, HWIO filter [kh, kw, c, cout]. */
typedef struct {
  int n, h, w, c;
  int kh, kw;
  int stride_h, stride_w;
  int dil_h, dil_w;
  int pad_top, pad_left;
  int out_h, out_w, cout;
} gn_fconv_geom;

/*
 * Micro-kernel over indirect rows: for i < mr, j < nr
 *   out[i][j] = Σ_{t < taps} Σ_{k < kc} a[t·lda + i][k] · b[t][k·NR + j]
 * with NR the kernel's panel width (b panels are NR floats wide, zero past nr). Each output
 * is one chain in (t, k) order starting from 0: fused multiply-adds, or (the `_unfused` kind)
 * each product rounded and then added — XNNPACK's arithmetic, which the forward convolution
 * keeps so that its results equal tfjs-wasm's, the packed engine's and the ONNX export's bit
 * for bit (a float value next to zero that feeds a sign quantizer would otherwise flip).
 * taps == 0 stores zeros.
 */
typedef void (*gn_rows_fn)(int mr, int nr, int taps, int kc, const float *const *a, int lda, const float *const *b, float *const *out);

/*
 * Micro-kernel of the long reduction: for i < mr, j < nr
 *   c[i·ldc + j] = (accumulate ? c[i·ldc + j] : 0) ⊕ Σ_{m < count} a[m][aoff + i] · b[m·ldb + j]
 * continuing c's FMA chain (so splitting the m range into blocks changes nothing).
 */
typedef void (*gn_reduce_fn)(int mr, int nr, int count, const float *const *a, int aoff, const float *b, size_t ldb, float *c, size_t ldc,
                             int accumulate);

/* The kernel shapes a path offers: panel width NR and the most rows a tile may have. */
typedef struct {
  int nr;
  int mr_max;
  gn_rows_fn rows;
  gn_rows_fn rows_unfused;
} gn_rows_variant;

typedef struct {
  int nr;
  int mr_max;
  gn_reduce_fn reduce;
} gn_reduce_variant;

#define GN_MAX_VARIANTS 4

/* Sign and STE-mask bits of `pixels` rows of `c` floats, `words` words a row each (sign-conv.c). */
typedef void (*gn_pack_sign_mask_fn)(const float *x, size_t pixels, int c, int words, uint32_t *signs, uint32_t *masks);
/* x[p·c + k] ← 0 where bit k of row p of `masks` is clear (`pixels` rows, `words` words each). */
typedef void (*gn_apply_mask_fn)(const uint32_t *masks, size_t pixels, int c, int words, float *x);

typedef struct {
  const char *name;
  int rows_count;
  gn_rows_variant rows[GN_MAX_VARIANTS]; /* widest first */
  int reduce_count;
  gn_reduce_variant reduce[GN_MAX_VARIANTS]; /* widest first */
  gn_pack_sign_mask_fn pack_sign_mask;       /* NULL: the portable loop */
  gn_apply_mask_fn apply_mask;               /* NULL: the portable loop */
} gn_train_path;

extern const gn_train_path gn_train_avx512;
extern const gn_train_path gn_train_avx2;
extern const gn_train_path gn_train_portable;

/* Training path `path` if this CPU and build run it, with path < 0 the fastest they run; else the portable one. */
const gn_train_path *gn_train_path_for(int path);

/*
 * A calling thread's buffer of at least `count` floats, kept between calls in *buffer / *capacity
 * (the caller's _Thread_local slots): allocated afresh each call, its pages' first touches cost more
 * than the work. NULL without memory.
 */
static inline float *gn_reused_floats(float **buffer, size_t *capacity, size_t count) {
  if (count > *capacity) {
    free(*buffer);
    *buffer = malloc(count * sizeof(float) + 64);
    *capacity = *buffer ? count : 0;
  }
  return *buffer;
}

/*
 * ReLU with tfjs' values: x for x > 0, NaN for NaN, +0 otherwise (−0 becomes +0); its slope step(x) is
 * 1 for x > 0, NaN for NaN, 0 otherwise, so that dy · step(x) keeps dy's sign and propagates NaN.
 * step of the output equals step of the input, so a gradient may mask with either.
 */
static inline float gn_relu_value(float x) {
  return x > 0.0f ? x : (x != x ? x : 0.0f);
}
static inline float gn_relu_step(float x) {
  return x > 0.0f ? 1.0f : (x != x ? x : 0.0f);
}

/* The three convolutions; 0 on success, −1 when scratch memory could not be had. */
int gn_fconv_forward(const gn_train_path *p, const gn_fconv_geom *g, const float *x, const float *f, float *y, int threads);
/* Work on `count` finished rows (pixels) of dx, each `rows[i]` its first channel, while they are in cache. */
typedef void (*gn_rows_epilogue_fn)(const void *ctx, float *const *rows, size_t count);
/* The input gradient; `epilogue` (or NULL) runs on each band of dx rows as soon as the band is done. */
int gn_fconv_backprop_input(const gn_train_path *p, const gn_fconv_geom *g, const float *dy, const float *f, float *dx, int threads,
                            gn_rows_epilogue_fn epilogue, const void *epilogue_ctx);
int gn_fconv_backprop_filter(const gn_train_path *p, const gn_fconv_geom *g, const float *x, const float *dy, float *df, int threads);

/* The binary unit's convolution on sign(x), fused (sign-conv.c); bits: signs then STE masks, ⌈c/32⌉ words a pixel.
 * bin_path: the packed engine's path for the popcount forward (−1: float only). 0, or −1 without memory. */
int gn_sign_conv_forward(const gn_train_path *tp, int bin_path, const gn_fconv_geom *g, const float *x, const float *f, float *y, uint32_t *bits, int threads);
/* addend (NULL: none), as dx: added after the STE mask. */
int gn_sign_conv_backprop_input(const gn_train_path *tp, const gn_fconv_geom *g, const float *dy, const float *f, const uint32_t *bits, const float *addend, float *dx,
                                int threads);
int gn_sign_conv_backprop_filter(const gn_train_path *tp, const gn_fconv_geom *g, const uint32_t *bits, const float *dy, float *df, int threads);

/* Base mixing of a group boundary (mix-train.c): at most GN_MIX_MAX_BASES parts and outputs. */
#define GN_MIX_MAX_BASES 64
void gn_mix_forward(const float *const *parts, size_t from, const float *weights, float *const *outs, size_t to, size_t size, int threads);
int gn_mix_backward(const float *const *parts, size_t from, const float *weights, const float *const *dys, size_t to, size_t size, float *const *dparts,
                    float *dweights, int threads);

/* The supernet's mixed activation quantizer (mixed-quantize.c): `count` bit widths, their weights p,
 * and per k-bit width the float32 factor (2^k−1)/β and step β/(2^k−1); approx: Bi-Real's sign slope. */
#define GN_MQ_MAX_WIDTHS 8
typedef struct {
  int count;
  int bits[GN_MQ_MAX_WIDTHS];
  float p[GN_MQ_MAX_WIDTHS], factor[GN_MQ_MAX_WIDTHS], step[GN_MQ_MAX_WIDTHS];
  float beta;
  int approx;
} gn_mixed_quantizer;
void gn_mixed_quantize_forward(const gn_mixed_quantizer *q, const float *x, float *y, size_t size, int threads);
/* dp may be NULL (no ∂p); 0, or −1 without memory. */
int gn_mixed_quantize_backward(const gn_mixed_quantizer *q, const float *x, const float *dy, float *dx, float *dp, size_t size, int threads);

/* Average pooling in training and its gradient (avg-pool.c): geometry with kh × kw windows, dilation 1, cout = c; x and dx have n·h·w·c floats. */
void gn_avg_pool(const gn_fconv_geom *g, const float *x, float *y, int threads);
void gn_avg_pool_grad(const gn_fconv_geom *g, const float *dy, float *dx, int threads);

/* ReLU (relu.c): y = max(x, +0) with NaN kept, as tfjs-wasm; x and y have `size` floats. */
void gn_relu(const float *x, float *y, size_t size, int threads);

/* The gradient of ReLU (relu.c): dx = dy · step(x), tfjs' arithmetic; x, dy and dx have `size` floats. */
void gn_relu_grad(const float *x, const float *dy, float *dx, size_t size, int threads);

/* Weight binarization (magnitude-aware-sign.c): α_o = mean_r |W[r,o]|, Wb = α·sign(W); W and Wb are rows × cout, α cout. */
void gn_magnitude_aware_sign(const float *w, size_t rows, int cout, float *wb, float *alpha, int threads);

/* Its gradient: ∂W = (∂Wb · 1{|W| ≤ 1}) · α_o, with the forward's α. */
void gn_magnitude_aware_sign_grad(const float *w, const float *dy, const float *alpha, size_t rows, int cout, float *dw, int threads);

/* An optimizer's update of one parameter (optimizer-step.c): the constants as float32, as tfjs rounds scalars. */
enum { GN_RULE_SGD_NESTEROV = 0, GN_RULE_ADAM = 1 };
typedef struct {
  int rule;
  float learning_rate, weight_decay;
  float momentum;                                              /* sgd-nesterov */
  float beta1, beta2, one_minus_beta1, one_minus_beta2, c1, c2, epsilon; /* adam */
  const float *w, *grad, *slot0, *slot1;                       /* slot0: momentum or m; slot1: v */
  float *out_w, *out_slot0, *out_slot1;
} gn_optimizer_step;
void gn_optimizer_step_run(const gn_optimizer_step *s, size_t size, int threads);

/*
 * Training-mode batch norm over `pixels` NHWC pixels of `c` channels (batch-norm.c): y plus `residual`
 * unless NULL, then ReLU when `relu`; 0, or −1 without memory. The backward's `relu_y` is that ReLU's
 * output (NULL: no ReLU), whose sign masks dy; `masked_dy` (NULL, or as dy) receives the masked dy, the
 * residual's gradient. The backward takes the forward's x, mean and rstd (x̂ is computed again).
 */
int gn_batch_norm_forward(const float *x, size_t pixels, int c, const float *gamma, const float *beta, float epsilon, const float *residual, int relu, float *y,
                          float *mean, float *variance, float *rstd, int threads);
int gn_batch_norm_backward(const float *dy, const float *relu_y, const float *x, const float *mean, size_t pixels, int c, const float *gamma, const float *rstd,
                           float *dx, float *dgamma, float *dbeta, float *masked_dy, int threads);

/*
 * The persistent thread pool: fn(ctx, task, worker) for every task in [0, tasks), on the
 * calling thread (worker 0) and up to threads − 1 helpers of its own (workers 1, 2, …; each
 * calling thread, e.g. each Node worker, has its own helpers). Tasks must write disjoint
 * outputs; `worker` < threads indexes per-worker scratch. Returns the workers that took part.
 */
typedef void (*gn_task_fn)(void *ctx, int task, int worker);
int gn_parallel(int threads, int tasks, gn_task_fn fn, void *ctx);

/*
 * The fewest tasks a thread of a multi-threaded job gets: cut into exactly one task a thread, a job
 * waits for its slowest thread, and where every core runs a kernel thread the runtime's own threads
 * (the JavaScript compiler, the garbage collector) take turns on those cores; with more tasks than
 * threads, the others take over the tasks of a thread that lost its core.
 */
#define GN_TASKS_PER_THREAD 4

void gn_pool_shutdown(void);

#endif
