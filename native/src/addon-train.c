/*
 * Node-API glue of the training kernels (train.h). The same trust boundary as addon.c: the
 * geometry arrives as 15 integers, each range-checked; the sizes of x, the filter, dy and the
 * output are derived here from it and every typed array must have exactly that length; the
 * output may not overlap an input; every index a kernel forms from a valid geometry stays
 * inside those arrays (taps outside the input read a row of zeros instead). Zero-copy: the
 * arrays may be views of the tfjs wasm heap, read and written in place.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "kernels.h"
#include "napi-args.h"
#include "train.h"

enum { GN_TRAIN_AVX512 = 0, GN_TRAIN_AVX2 = 1, GN_TRAIN_PORTABLE = 2, GN_TRAIN_COUNT = 3 };
enum { GN_CONV_FORWARD = 0, GN_CONV_BACKPROP_INPUT = 1, GN_CONV_BACKPROP_FILTER = 2 };
#define MAX_PAD 4096
/* Chunks of a reduction are counted in an int: at most INT32_MAX of 256 pixels. */
#define GN_BN_MAX_CHUNK_PIXELS 256

static int train_supported(int path) {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  __builtin_cpu_init();
  switch (path) {
    case GN_TRAIN_AVX512:
      return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("fma");
    case GN_TRAIN_AVX2:
      return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case GN_TRAIN_PORTABLE:
      return 1;
    default:
      return 0;
  }
#else
  return path == GN_TRAIN_PORTABLE;
#endif
}

static const gn_train_path *train_path(int path) {
  switch (path) {
    case GN_TRAIN_AVX512: return &gn_train_avx512;
    case GN_TRAIN_AVX2: return &gn_train_avx2;
    case GN_TRAIN_PORTABLE: return &gn_train_portable;
    default: return NULL;
  }
}

const gn_train_path *gn_train_path_for(int path) {
  for (int p = 0; p < GN_TRAIN_COUNT; p++) {
    if ((path < 0 || p == path) && train_path(p)->rows_count > 0 && train_supported(p)) return train_path(p);
  }
  return &gn_train_portable;
}

static int get_train_path(call_t *c, size_t i, const gn_train_path **out) {
  int path = 0;
  if (!get_int(c, i, "path", 0, GN_TRAIN_COUNT - 1, &path)) return 0;
  const gn_train_path *p = train_path(path);
  if (!p || p->rows_count == 0 || !train_supported(path)) return fail(c, "path: %s is not supported by this CPU or build", p ? p->name : "?");
  *out = p;
  return 1;
}

/* trainPaths() → names of the training paths this CPU and build can run, fastest first. */
static napi_value TrainPaths(napi_env env, napi_callback_info info) {
  napi_value list;
  napi_create_array(env, &list);
  uint32_t at = 0;
  for (int p = 0; p < GN_TRAIN_COUNT; p++) {
    const gn_train_path *impl = train_path(p);
    if (impl->rows_count == 0 || !train_supported(p)) continue;
    napi_value name;
    napi_create_string_utf8(env, impl->name, NAPI_AUTO_LENGTH, &name);
    napi_set_element(env, list, at++, name);
  }
  return list;
}

/* The geometry Int32Array [n, h, w, c, kh, kw, sh, sw, dh, dw, padTop, padLeft, outH, outW, cout], checked. */
static int get_geometry(call_t *c, size_t i, gn_fconv_geom *g) {
  void *raw = NULL;
  if (!get_array(c, i, "geometry", napi_int32_array, 15, &raw)) return 0;
  const int32_t *v = raw;
  static const char *const names[15] = {"n", "h", "w", "c", "kh", "kw", "strideH", "strideW", "dilationH", "dilationW", "padTop", "padLeft", "outH", "outW", "cout"};
  static const long long lo[15] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, -MAX_PAD, -MAX_PAD, 1, 1, 1};
  static const long long hi[15] = {MAX_SIDE, MAX_SIDE, MAX_SIDE, MAX_CHANNELS, MAX_KERNEL, MAX_KERNEL, MAX_STRIDE, MAX_STRIDE, MAX_DILATION, MAX_DILATION, MAX_PAD, MAX_PAD, MAX_SIDE, MAX_SIDE, MAX_CHANNELS};
  for (int k = 0; k < 15; k++) {
    if (v[k] < lo[k] || v[k] > hi[k]) return fail(c, "geometry.%s: expected an integer in %lld..%lld, got %d", names[k], lo[k], hi[k], v[k]);
  }
  g->n = v[0], g->h = v[1], g->w = v[2], g->c = v[3], g->kh = v[4], g->kw = v[5];
  g->stride_h = v[6], g->stride_w = v[7], g->dil_h = v[8], g->dil_w = v[9];
  g->pad_top = v[10], g->pad_left = v[11], g->out_h = v[12], g->out_w = v[13], g->cout = v[14];
  return 1;
}

static int overlaps(const void *a, size_t a_len, const void *b, size_t b_len) {
  const char *x = a, *y = b;
  return a_len > 0 && b_len > 0 && x < y + b_len * sizeof(float) && y < x + a_len * sizeof(float);
}

/*
 * conv2d(op, path, geometry: Int32Array(15), a, b, out, threads) with Float32Arrays:
 *   op 0 forward          a = x,  b = filter, out = y
 *   op 1 backprop input   a = dy, b = filter, out = dx
 *   op 2 backprop filter  a = x,  b = dy,     out = dFilter
 */
static napi_value Conv2d(napi_env env, napi_callback_info info) {
  call_t c;
  int op = 0, threads = 1;
  const gn_train_path *p = NULL;
  gn_fconv_geom g;
  memset(&g, 0, sizeof g);
  if (!start(&c, env, info, 7, "conv2d")) return NULL;
  get_int(&c, 0, "op", 0, 2, &op);
  get_train_path(&c, 1, &p);
  get_geometry(&c, 2, &g);
  get_int(&c, 6, "threads", 1, GN_MAX_PARTS, &threads);
  if (c.failed) return NULL;
  size_t x_len = 0, f_len = 0, y_len = 0, t = 0;
  mul(&c, (size_t)g.n * g.h, (size_t)g.w * g.c, &x_len, "x");
  mul(&c, (size_t)g.kh * g.kw, (size_t)g.c, &t, "filter");
  mul(&c, t, (size_t)g.cout, &f_len, "filter");
  mul(&c, (size_t)g.n * g.out_h, (size_t)g.out_w * g.cout, &y_len, "dy");
  if (c.failed) return NULL;
  const size_t a_len = op == GN_CONV_BACKPROP_INPUT ? y_len : x_len;
  const size_t b_len = op == GN_CONV_BACKPROP_FILTER ? y_len : f_len;
  const size_t out_len = op == GN_CONV_FORWARD ? y_len : op == GN_CONV_BACKPROP_INPUT ? x_len : f_len;
  static const char *const a_names[3] = {"x", "dy", "x"}, *const b_names[3] = {"filter", "filter", "dy"};
  void *a, *b, *out;
  get_array(&c, 3, a_names[op], napi_float32_array, a_len, &a);
  get_array(&c, 4, b_names[op], napi_float32_array, b_len, &b);
  get_array(&c, 5, "out", napi_float32_array, out_len, &out);
  if (c.failed) return NULL;
  if (overlaps(out, out_len, a, a_len) || overlaps(out, out_len, b, b_len)) return fail(&c, "out: must not overlap an input"), NULL;
  int status;
  if (op == GN_CONV_FORWARD) {
    status = gn_fconv_forward(p, &g, a, b, out, threads);
  } else if (op == GN_CONV_BACKPROP_INPUT) {
    status = gn_fconv_backprop_input(p, &g, a, b, out, threads, NULL, NULL);
  } else {
    status = gn_fconv_backprop_filter(p, &g, a, b, out, threads);
  }
  if (status != 0) {
    napi_throw_error(env, "ERR_GROUPNAS_NATIVE_MEMORY", "conv2d: out of memory for scratch buffers");
    return NULL;
  }
  return undefined(env);
}

/* Read a Float32Array argument of exactly `len` floats into `spans` (for the overlap check). */
typedef struct {
  float *p;
  size_t len;
} span_t;

static float *get_floats(call_t *c, size_t i, const char *name, size_t len, span_t *span) {
  void *p = NULL;
  if (!get_array(c, i, name, napi_float32_array, len, &p)) return NULL;
  span->p = p;
  span->len = len;
  return p;
}

/* Outputs (spans[first_out..count)) may not overlap each other or any input. */
static int check_disjoint(call_t *c, const span_t *spans, size_t count, size_t first_out) {
  if (c->failed) return 0;
  for (size_t o = first_out; o < count; o++) {
    for (size_t k = 0; k < count; k++) {
      if (k != o && overlaps(spans[o].p, spans[o].len, spans[k].p, spans[k].len)) return fail(c, "outputs: must not overlap each other or an input");
    }
  }
  return 1;
}

/* The pixels of an NHWC array of `c`-channel pixels (its length must be a multiple of c). */
static size_t pixels_of(call_t *c, size_t i, const char *name, int channels) {
  if (c->failed) return 0;
  bool is_typed = false;
  napi_typedarray_type t;
  size_t len = 0, off;
  void *ignored;
  napi_value ab;
  if (napi_is_typedarray(c->env, c->argv[i], &is_typed) != napi_ok || !is_typed) return fail(c, "%s: expected a Float32Array", name), 0;
  napi_get_typedarray_info(c->env, c->argv[i], &t, &len, &ignored, &ab, &off);
  if (len == 0 || len % (size_t)channels != 0) return fail(c, "%s: %zu values are not whole %d-channel pixels", name, len, channels), 0;
  if (len / (size_t)channels > (size_t)INT32_MAX * GN_BN_MAX_CHUNK_PIXELS) return fail(c, "%s: too many pixels", name), 0;
  return len / (size_t)channels;
}

/* Whether argument i is null (an optional array left out). */
static int is_null(call_t *c, size_t i) {
  napi_valuetype type = napi_undefined;
  return !c->failed && napi_typeof(c->env, c->argv[i], &type) == napi_ok && type == napi_null;
}

static int get_epsilon(call_t *c, size_t i, float *out) {
  if (c->failed) return 0;
  double v;
  if (napi_get_value_double(c->env, c->argv[i], &v) != napi_ok || !(v >= 0 && v <= 1)) return fail(c, "epsilon: expected a number in 0..1");
  *out = (float)v;
  return 1;
}

/*
 * batchNormForward(x, c, gamma, beta, epsilon, y, mean, variance, rstd, threads, residual, relu):
 * residual null or as x, added to y; relu a boolean, ReLU on y after it.
 */
static napi_value BatchNormForward(napi_env env, napi_callback_info info) {
  call_t c;
  int ch = 0, threads = 1;
  float epsilon = 0;
  bool relu = false;
  span_t s[8];
  if (!start(&c, env, info, 12, "batchNormForward")) return NULL;
  get_int(&c, 1, "c", 1, MAX_CHANNELS, &ch);
  get_epsilon(&c, 4, &epsilon);
  get_int(&c, 9, "threads", 1, GN_MAX_PARTS, &threads);
  get_bool(&c, 11, "relu", &relu);
  const size_t pixels = pixels_of(&c, 0, "x", ch);
  const size_t n = pixels * (size_t)ch;
  /* inputs first (x, gamma, beta, the residual), then the outputs */
  const size_t inputs = is_null(&c, 10) ? 3 : 4;
  const float *x = get_floats(&c, 0, "x", n, &s[0]);
  const float *gamma = get_floats(&c, 2, "gamma", (size_t)ch, &s[1]);
  const float *beta = get_floats(&c, 3, "beta", (size_t)ch, &s[2]);
  const float *residual = inputs == 4 ? get_floats(&c, 10, "residual", n, &s[3]) : NULL;
  float *y = get_floats(&c, 5, "y", n, &s[inputs]);
  float *mean = get_floats(&c, 6, "mean", (size_t)ch, &s[inputs + 1]);
  float *variance = get_floats(&c, 7, "variance", (size_t)ch, &s[inputs + 2]);
  float *rstd = get_floats(&c, 8, "rstd", (size_t)ch, &s[inputs + 3]);
  if (!check_disjoint(&c, s, inputs + 4, inputs)) return NULL;
  if (gn_batch_norm_forward(x, pixels, ch, gamma, beta, epsilon, residual, relu, y, mean, variance, rstd, threads) != 0) {
    napi_throw_error(env, "ERR_GROUPNAS_NATIVE_MEMORY", "batchNormForward: out of memory");
    return NULL;
  }
  return undefined(env);
}

/*
 * batchNormBackward(dy, x, mean, c, gamma, rstd, dx, dgamma, dbeta, threads, reluY, maskedDy): x, mean
 * and rstd as the forward had and gave them; reluY null, or as dy, the output of a ReLU fused into the
 * forward; maskedDy null, or as dy (with reluY), receives the masked dy.
 */
static napi_value BatchNormBackward(napi_env env, napi_callback_info info) {
  call_t c;
  int ch = 0, threads = 1;
  span_t s[10];
  if (!start(&c, env, info, 12, "batchNormBackward")) return NULL;
  get_int(&c, 3, "c", 1, MAX_CHANNELS, &ch);
  get_int(&c, 9, "threads", 1, GN_MAX_PARTS, &threads);
  const size_t pixels = pixels_of(&c, 0, "dy", ch);
  const size_t n = pixels * (size_t)ch;
  const int relu = !is_null(&c, 10);
  if (!relu && !is_null(&c, 11)) fail(&c, "maskedDy: expected null without reluY");
  /* inputs first (dy, x, mean, gamma, rstd, reluY), then the outputs */
  const size_t inputs = relu ? 6 : 5;
  const float *dy = get_floats(&c, 0, "dy", n, &s[0]);
  const float *x = get_floats(&c, 1, "x", n, &s[1]);
  const float *mean = get_floats(&c, 2, "mean", (size_t)ch, &s[2]);
  const float *gamma = get_floats(&c, 4, "gamma", (size_t)ch, &s[3]);
  const float *rstd = get_floats(&c, 5, "rstd", (size_t)ch, &s[4]);
  const float *relu_y = relu ? get_floats(&c, 10, "reluY", n, &s[5]) : NULL;
  float *dx = get_floats(&c, 6, "dx", n, &s[inputs]);
  float *dgamma = get_floats(&c, 7, "dgamma", (size_t)ch, &s[inputs + 1]);
  float *dbeta = get_floats(&c, 8, "dbeta", (size_t)ch, &s[inputs + 2]);
  float *masked_dy = relu && !is_null(&c, 11) ? get_floats(&c, 11, "maskedDy", n, &s[inputs + 3]) : NULL;
  if (!check_disjoint(&c, s, inputs + (masked_dy ? 4 : 3), inputs)) return NULL;
  if (gn_batch_norm_backward(dy, relu_y, x, mean, pixels, ch, gamma, rstd, dx, dgamma, dbeta, masked_dy, threads) != 0) {
    napi_throw_error(env, "ERR_GROUPNAS_NATIVE_MEMORY", "batchNormBackward: out of memory");
    return NULL;
  }
  return undefined(env);
}

/*
 * avgPool(geometry, x, y, threads) and avgPoolGrad(geometry, dy, dx, threads): the conv geometry of
 * a kh × kw pooling window, with dilation 1, cout = c and 0 ≤ pad < window (avg-pool.c).
 */
static napi_value pool_call(napi_env env, napi_callback_info info, int forward) {
  const char *fn = forward ? "avgPool" : "avgPoolGrad";
  call_t c;
  int threads = 1;
  gn_fconv_geom g;
  memset(&g, 0, sizeof g);
  span_t s[2];
  if (!start(&c, env, info, 4, fn)) return NULL;
  get_geometry(&c, 0, &g);
  get_int(&c, 3, "threads", 1, GN_MAX_PARTS, &threads);
  if (c.failed) return NULL;
  if (g.dil_h != 1 || g.dil_w != 1) return fail(&c, "geometry: pooling windows take no dilation"), NULL;
  if (g.cout != g.c) return fail(&c, "geometry.cout: expected c (%d), got %d", g.c, g.cout), NULL;
  if (g.pad_top < 0 || g.pad_top >= g.kh || g.pad_left < 0 || g.pad_left >= g.kw) return fail(&c, "geometry: padding must be in 0..window − 1"), NULL;
  if ((size_t)g.n * g.h > INT32_MAX || (size_t)g.n * g.out_h > INT32_MAX) return fail(&c, "geometry: n·h must be below 2^31"), NULL;
  size_t x_len = 0, y_len = 0;
  mul(&c, (size_t)g.n * g.h, (size_t)g.w * g.c, &x_len, forward ? "x" : "dx");
  mul(&c, (size_t)g.n * g.out_h, (size_t)g.out_w * g.c, &y_len, forward ? "y" : "dy");
  const float *in = get_floats(&c, 1, forward ? "x" : "dy", forward ? x_len : y_len, &s[0]);
  float *out = get_floats(&c, 2, forward ? "y" : "dx", forward ? y_len : x_len, &s[1]);
  if (!check_disjoint(&c, s, 2, 1)) return NULL;
  if (forward)
    gn_avg_pool(&g, in, out, threads);
  else
    gn_avg_pool_grad(&g, in, out, threads);
  return undefined(env);
}

static napi_value AvgPool(napi_env env, napi_callback_info info) {
  return pool_call(env, info, 1);
}

static napi_value AvgPoolGrad(napi_env env, napi_callback_info info) {
  return pool_call(env, info, 0);
}

/* relu(x, y, threads): y = max(x, +0), NaN kept (relu.c), two arrays of one length. */
static napi_value Relu(napi_env env, napi_callback_info info) {
  call_t c;
  int threads = 1;
  span_t s[2];
  if (!start(&c, env, info, 3, "relu")) return NULL;
  get_int(&c, 2, "threads", 1, GN_MAX_PARTS, &threads);
  const size_t size = pixels_of(&c, 0, "x", 1);
  const float *x = get_floats(&c, 0, "x", size, &s[0]);
  float *y = get_floats(&c, 1, "y", size, &s[1]);
  if (!check_disjoint(&c, s, 2, 1)) return NULL;
  gn_relu(x, y, size, threads);
  return undefined(env);
}

/* reluGrad(x, dy, dx, threads): dx = dy · step(x) (relu.c), three arrays of one length. */
static napi_value ReluGrad(napi_env env, napi_callback_info info) {
  call_t c;
  int threads = 1;
  span_t s[3];
  if (!start(&c, env, info, 4, "reluGrad")) return NULL;
  get_int(&c, 3, "threads", 1, GN_MAX_PARTS, &threads);
  const size_t size = pixels_of(&c, 0, "x", 1);
  const float *x = get_floats(&c, 0, "x", size, &s[0]);
  const float *dy = get_floats(&c, 1, "dy", size, &s[1]);
  float *dx = get_floats(&c, 2, "dx", size, &s[2]);
  if (!check_disjoint(&c, s, 3, 2)) return NULL;
  gn_relu_grad(x, dy, dx, size, threads);
  return undefined(env);
}

/* magnitudeAwareSign(w, cout, wb, alpha, threads): Wb = α·sign(W), α_o = mean |W[·,o]| (magnitude-aware-sign.c). */
static napi_value MagnitudeAwareSign(napi_env env, napi_callback_info info) {
  call_t c;
  int threads = 1, cout = 1;
  span_t s[3];
  if (!start(&c, env, info, 5, "magnitudeAwareSign")) return NULL;
  get_int(&c, 1, "cout", 1, MAX_CHANNELS, &cout);
  get_int(&c, 4, "threads", 1, GN_MAX_PARTS, &threads);
  const size_t rows = pixels_of(&c, 0, "w", cout);
  const size_t size = rows * (size_t)cout;
  const float *w = get_floats(&c, 0, "w", size, &s[0]);
  float *wb = get_floats(&c, 2, "wb", size, &s[1]);
  float *alpha = get_floats(&c, 3, "alpha", (size_t)cout, &s[2]);
  if (!check_disjoint(&c, s, 3, 1)) return NULL;
  gn_magnitude_aware_sign(w, rows, cout, wb, alpha, threads);
  return undefined(env);
}

/* magnitudeAwareSignGrad(w, cout, dy, alpha, dw, threads): ∂W = (∂Wb · 1{|W| ≤ 1}) · α_o. */
static napi_value MagnitudeAwareSignGrad(napi_env env, napi_callback_info info) {
  call_t c;
  int threads = 1, cout = 1;
  span_t s[4];
  if (!start(&c, env, info, 6, "magnitudeAwareSignGrad")) return NULL;
  get_int(&c, 1, "cout", 1, MAX_CHANNELS, &cout);
  get_int(&c, 5, "threads", 1, GN_MAX_PARTS, &threads);
  const size_t rows = pixels_of(&c, 0, "w", cout);
  const size_t size = rows * (size_t)cout;
  const float *w = get_floats(&c, 0, "w", size, &s[0]);
  const float *dy = get_floats(&c, 2, "dy", size, &s[1]);
  const float *alpha = get_floats(&c, 3, "alpha", (size_t)cout, &s[2]);
  float *dw = get_floats(&c, 4, "dw", size, &s[3]);
  if (!check_disjoint(&c, s, 4, 3)) return NULL;
  gn_magnitude_aware_sign_grad(w, dy, alpha, rows, cout, dw, threads);
  return undefined(env);
}

/* The packed engine's path for the popcount forward: −1 = float only (checked like addon.c's). */
static int get_binary_path(call_t *c, size_t i, int *out) {
  if (!get_int(c, i, "binaryPath", -1, GN_PATH_COUNT - 1, out)) return 0;
  if (*out < 0) return 1;
  const gn_path_impl *impl = gn_path(*out);
  if (!gn_cpu_supports(*out) || !impl || !impl->conv) return fail(c, "binaryPath: %s is not supported by this CPU or build", impl ? impl->name : "?");
  return 1;
}

/* Sizes of a sign convolution's operands; false (thrown) on overflow. */
static int sign_conv_sizes(call_t *c, const gn_fconv_geom *g, size_t *x_len, size_t *f_len, size_t *y_len, size_t *bits_len) {
  size_t t = 0, pixels = 0;
  mul(c, (size_t)g->n * g->h, (size_t)g->w, &pixels, "x");
  mul(c, pixels, (size_t)g->c, x_len, "x");
  mul(c, (size_t)g->kh * g->kw, (size_t)g->c, &t, "filter");
  mul(c, t, (size_t)g->cout, f_len, "filter");
  mul(c, (size_t)g->n * g->out_h, (size_t)g->out_w * g->cout, y_len, "dy");
  mul(c, pixels, 2 * (size_t)((g->c + 31) / 32), bits_len, "bits");
  return !c->failed;
}

static napi_value memory_error(napi_env env, const char *fn) {
  char msg[96];
  snprintf(msg, sizeof msg, "%s: out of memory for scratch buffers", fn);
  napi_throw_error(env, "ERR_GROUPNAS_NATIVE_MEMORY", msg);
  return NULL;
}

/*
 * signConv2d(op, path, binaryPath, geometry, a, b, out, threads, bits, addend) — the binary unit's conv (sign-conv.c):
 *   op 0 forward          a = x (Float32Array), b = filter, out = y; also writes `bits` (Int32Array)
 *   op 1 backprop input   a = dy, b = filter, out = dx; reads `bits`; `addend` (as dx, or null) is added to dx
 *   op 2 backprop filter  a = dy, b = null, out = dFilter; reads `bits`
 * `addend` is null but for op 1.
 */
static napi_value SignConv2d(napi_env env, napi_callback_info info) {
  call_t c;
  int op = 0, threads = 1, bin_path = -1;
  const gn_train_path *p = NULL;
  gn_fconv_geom g;
  memset(&g, 0, sizeof g);
  if (!start(&c, env, info, 10, "signConv2d")) return NULL;
  get_int(&c, 0, "op", 0, 2, &op);
  get_train_path(&c, 1, &p);
  get_binary_path(&c, 2, &bin_path);
  get_geometry(&c, 3, &g);
  get_int(&c, 7, "threads", 1, GN_MAX_PARTS, &threads);
  size_t x_len = 0, f_len = 0, y_len = 0, bits_len = 0;
  if (c.failed || !sign_conv_sizes(&c, &g, &x_len, &f_len, &y_len, &bits_len)) return NULL;
  static const char *const a_names[3] = {"x", "dy", "dy"};
  const size_t a_len = op == GN_CONV_FORWARD ? x_len : y_len;
  const size_t out_len = op == GN_CONV_FORWARD ? y_len : op == GN_CONV_BACKPROP_INPUT ? x_len : f_len;
  span_t s[5] = {{0}};
  float *a = get_floats(&c, 4, a_names[op], a_len, &s[0]);
  float *b = NULL;
  if (op != GN_CONV_BACKPROP_FILTER) {
    b = get_floats(&c, 5, "filter", f_len, &s[1]);
  } else if (!is_null(&c, 5)) {
    fail(&c, "filter: expected null for the filter gradient");
  }
  void *bits = NULL;
  if (get_array(&c, 8, "bits", napi_int32_array, bits_len, &bits)) s[2] = (span_t){bits, bits_len};
  const float *addend = NULL;
  if (!c.failed && !is_null(&c, 9)) {
    if (op == GN_CONV_BACKPROP_INPUT) addend = get_floats(&c, 9, "addend", x_len, &s[3]);
    else fail(&c, "addend: expected null but for the input gradient");
  }
  /* inputs first (a, b, bits, the addend), then out */
  const size_t outputs_from = addend ? 4 : 3;
  float *out = get_floats(&c, 6, "out", out_len, &s[outputs_from]);
  if (c.failed) return NULL;
  /* forward writes out and bits; the gradients write out only */
  if (op == GN_CONV_FORWARD ? !check_disjoint(&c, s, 4, 2) : !check_disjoint(&c, s, outputs_from + 1, outputs_from)) return NULL;
  int status;
  if (op == GN_CONV_FORWARD) {
    status = gn_sign_conv_forward(p, bin_path, &g, a, b, out, bits, threads);
  } else if (op == GN_CONV_BACKPROP_INPUT) {
    status = gn_sign_conv_backprop_input(p, &g, a, b, bits, addend, out, threads);
  } else {
    status = gn_sign_conv_backprop_filter(p, &g, bits, a, out, threads);
  }
  if (status != 0) return memory_error(env, "signConv2d");
  return undefined(env);
}

/* A JS array of `count` (1..GN_MIX_MAX_BASES, or exactly `count` when count > 0) Float32Arrays of `size` floats each. */
static int get_float_list(call_t *c, size_t i, const char *name, uint32_t *count, size_t *size, float **out, span_t *spans) {
  if (c->failed) return 0;
  bool is_array = false;
  uint32_t len = 0;
  if (napi_is_array(c->env, c->argv[i], &is_array) != napi_ok || !is_array || napi_get_array_length(c->env, c->argv[i], &len) != napi_ok || len == 0 ||
      len > GN_MIX_MAX_BASES || (*count > 0 && len != *count)) {
    return *count > 0 ? fail(c, "%s: expected an array of %u Float32Arrays", name, *count) : fail(c, "%s: expected an array of 1..%d Float32Arrays", name, GN_MIX_MAX_BASES);
  }
  *count = len;
  for (uint32_t k = 0; k < len; k++) {
    napi_value v;
    char label[48];
    snprintf(label, sizeof label, "%s[%u]", name, k);
    if (napi_get_element(c->env, c->argv[i], k, &v) != napi_ok) return fail(c, "%s: unreadable", label);
    if (*size == 0) {
      bool is_typed = false;
      napi_typedarray_type t;
      void *ignored;
      napi_value ab;
      size_t off, len0 = 0;
      if (napi_is_typedarray(c->env, v, &is_typed) != napi_ok || !is_typed) return fail(c, "%s: expected a Float32Array", label);
      napi_get_typedarray_info(c->env, v, &t, &len0, &ignored, &ab, &off);
      if (len0 == 0) return fail(c, "%s: expected a non-empty Float32Array", label);
      *size = len0;
    }
    void *p = NULL;
    if (!get_array_value(c, v, label, napi_float32_array, *size, &p)) return 0;
    out[k] = p;
    spans[k] = (span_t){p, *size};
  }
  return 1;
}

/* mixForward(weights: Float32Array(J·K), parts: Float32Array[K], outs: Float32Array[J], threads) */
static napi_value MixForward(napi_env env, napi_callback_info info) {
  call_t c;
  int threads = 1;
  uint32_t from = 0, to = 0;
  size_t size = 0;
  float *parts[GN_MIX_MAX_BASES], *outs[GN_MIX_MAX_BASES];
  span_t spans[2 * GN_MIX_MAX_BASES + 1];
  if (!start(&c, env, info, 4, "mixForward")) return NULL;
  get_int(&c, 3, "threads", 1, GN_MAX_PARTS, &threads);
  get_float_list(&c, 1, "parts", &from, &size, parts, spans);
  get_float_list(&c, 2, "outs", &to, &size, outs, spans + from);
  const float *weights = get_floats(&c, 0, "weights", (size_t)from * to, &spans[from + to]);
  /* the outputs (spans from..from+to) may not overlap each other, the parts or the weights */
  if (c.failed) return NULL;
  span_t ordered[2 * GN_MIX_MAX_BASES + 1];
  memcpy(ordered, spans, from * sizeof(span_t));
  ordered[from] = spans[from + to];
  memcpy(ordered + from + 1, spans + from, to * sizeof(span_t));
  if (!check_disjoint(&c, ordered, from + 1 + to, from + 1)) return NULL;
  gn_mix_forward((const float *const *)parts, from, weights, outs, to, size, threads);
  return undefined(env);
}

/* mixBackward(weights (J·K), parts: Float32Array[K], dys: Float32Array[J], dparts: Float32Array[K], dweights (J·K), threads) */
static napi_value MixBackward(napi_env env, napi_callback_info info) {
  call_t c;
  int threads = 1;
  uint32_t from = 0, to = 0, from2 = 0;
  size_t size = 0;
  float *parts[GN_MIX_MAX_BASES], *dys[GN_MIX_MAX_BASES], *dparts[GN_MIX_MAX_BASES];
  span_t spans[3 * GN_MIX_MAX_BASES + 2];
  if (!start(&c, env, info, 6, "mixBackward")) return NULL;
  get_int(&c, 5, "threads", 1, GN_MAX_PARTS, &threads);
  get_float_list(&c, 1, "parts", &from, &size, parts, spans);
  get_float_list(&c, 2, "dys", &to, &size, dys, spans + from);
  from2 = from;
  get_float_list(&c, 3, "dparts", &from2, &size, dparts, spans + from + to + 1);
  const float *weights = get_floats(&c, 0, "weights", (size_t)from * to, &spans[from + to]);
  float *dweights = get_floats(&c, 4, "dweights", (size_t)from * to, &spans[2 * from + to + 1]);
  if (c.failed || !check_disjoint(&c, spans, 2 * (size_t)from + to + 2, (size_t)from + to + 1)) return NULL;
  if (gn_mix_backward((const float *const *)parts, from, weights, (const float *const *)dys, to, size, dparts, dweights, threads) != 0) {
    return memory_error(env, "mixBackward");
  }
  return undefined(env);
}

/*
 * The quantizer of the mixed-quantizer calls, arguments 0–5: bits (Int32Array, 2..GN_MQ_MAX_WIDTHS
 * widths, each 1..8), p, factor, step (Float32Arrays of as many), beta (finite, > 0), approx (0 or 1).
 * Their spans go to spans[0..3).
 */
static int get_mixed_quantizer(call_t *c, gn_mixed_quantizer *q, span_t *spans) {
  if (c->failed) return 0;
  const size_t count = pixels_of(c, 1, "p", 1);
  if (c->failed) return 0;
  if (count < 2 || count > GN_MQ_MAX_WIDTHS) return fail(c, "p: expected 2..%d bit-width weights, got %zu", GN_MQ_MAX_WIDTHS, count);
  q->count = (int)count;
  void *bits = NULL;
  if (!get_array(c, 0, "bits", napi_int32_array, count, &bits)) return 0;
  for (size_t b = 0; b < count; b++) {
    const int32_t k = ((const int32_t *)bits)[b];
    if (k < 1 || k > 8) return fail(c, "bits[%zu]: expected 1..8, got %d", b, k);
    q->bits[b] = k;
  }
  const float *p = get_floats(c, 1, "p", count, &spans[0]);
  const float *factor = get_floats(c, 2, "factor", count, &spans[1]);
  const float *step = get_floats(c, 3, "step", count, &spans[2]);
  double beta;
  if (!c->failed && (napi_get_value_double(c->env, c->argv[4], &beta) != napi_ok || !isfinite(beta) || !(beta > 0))) {
    return fail(c, "beta: expected a finite number > 0");
  }
  get_int(c, 5, "approx", 0, 1, &q->approx);
  if (c->failed) return 0;
  for (size_t b = 0; b < count; b++) {
    q->p[b] = p[b];
    q->factor[b] = factor[b];
    q->step[b] = step[b];
  }
  q->beta = (float)beta;
  return 1;
}

/* mixedQuantizeForward(bits, p, factor, step, beta, approx, x, y, threads): y = Σ_b p_b·q_b(x) (mixed-quantize.c) */
static napi_value MixedQuantizeForward(napi_env env, napi_callback_info info) {
  call_t c;
  gn_mixed_quantizer q;
  span_t sp[5] = {{0}};
  int threads = 1;
  if (!start(&c, env, info, 9, "mixedQuantizeForward")) return NULL;
  get_mixed_quantizer(&c, &q, sp);
  const size_t size = pixels_of(&c, 6, "x", 1);
  const float *x = get_floats(&c, 6, "x", size, &sp[3]);
  float *y = get_floats(&c, 7, "y", size, &sp[4]);
  get_int(&c, 8, "threads", 1, GN_MAX_PARTS, &threads);
  if (c.failed || !check_disjoint(&c, sp, 5, 4)) return NULL;
  gn_mixed_quantize_forward(&q, x, y, size, threads);
  return undefined(env);
}

/* mixedQuantizeBackward(bits, p, factor, step, beta, approx, x, dy, dx, dp | null, threads): ∂x, and ∂p unless null */
static napi_value MixedQuantizeBackward(napi_env env, napi_callback_info info) {
  call_t c;
  gn_mixed_quantizer q;
  span_t sp[7] = {{0}};
  int threads = 1;
  if (!start(&c, env, info, 11, "mixedQuantizeBackward")) return NULL;
  get_mixed_quantizer(&c, &q, sp);
  const size_t size = pixels_of(&c, 6, "x", 1);
  const float *x = get_floats(&c, 6, "x", size, &sp[3]);
  const float *dy = get_floats(&c, 7, "dy", size, &sp[4]);
  float *dx = get_floats(&c, 8, "dx", size, &sp[5]);
  float *dp = NULL;
  size_t spans = 6;
  if (!c.failed && !is_null(&c, 9)) {
    dp = get_floats(&c, 9, "dp", (size_t)q.count, &sp[6]);
    spans = 7;
  }
  get_int(&c, 10, "threads", 1, GN_MAX_PARTS, &threads);
  if (c.failed || !check_disjoint(&c, sp, spans, 5)) return NULL;
  if (gn_mixed_quantize_backward(&q, x, dy, dx, dp, size, threads) != 0) return memory_error(env, "mixedQuantizeBackward");
  return undefined(env);
}

/* A float attribute of an optimizer rule (finite, stored as float32). */
static int get_float_attr(call_t *c, napi_value obj, const char *name, float *out) {
  if (c->failed) return 0;
  napi_value v;
  double d;
  bool has = false;
  if (napi_has_named_property(c->env, obj, name, &has) != napi_ok || !has) return fail(c, "rule.%s: missing", name);
  if (napi_get_named_property(c->env, obj, name, &v) != napi_ok || napi_get_value_double(c->env, v, &d) != napi_ok || !isfinite(d)) {
    return fail(c, "rule.%s: expected a finite number", name);
  }
  *out = (float)d;
  return 1;
}

/*
 * optimizerStep(rule, w, grad, slots: Float32Array[], outW, outSlots: Float32Array[], threads) with rule =
 * { kind: 0 (sgd-nesterov) | 1 (adam), learningRate, weightDecay, momentum | beta1, beta2, oneMinusBeta1,
 *   oneMinusBeta2, c1, c2, epsilon }: the update of one parameter (optimizer-step.c).
 */
static napi_value OptimizerStep(napi_env env, napi_callback_info info) {
  call_t c;
  int threads = 1, kind = 0;
  gn_optimizer_step s;
  memset(&s, 0, sizeof s);
  if (!start(&c, env, info, 7, "optimizerStep")) return NULL;
  napi_value rule = c.argv[0], kind_value;
  napi_valuetype rule_type;
  if (napi_typeof(env, rule, &rule_type) != napi_ok || rule_type != napi_object) return fail(&c, "rule: expected an object"), NULL;
  if (napi_get_named_property(env, rule, "kind", &kind_value) != napi_ok) return fail(&c, "rule.kind: missing"), NULL;
  double kd;
  if (napi_get_value_double(env, kind_value, &kd) != napi_ok || (kd != 0 && kd != 1)) return fail(&c, "rule.kind: expected 0 (sgd-nesterov) or 1 (adam)"), NULL;
  kind = (int)kd;
  s.rule = kind;
  get_float_attr(&c, rule, "learningRate", &s.learning_rate);
  get_float_attr(&c, rule, "weightDecay", &s.weight_decay);
  if (kind == GN_RULE_SGD_NESTEROV) {
    get_float_attr(&c, rule, "momentum", &s.momentum);
  } else {
    get_float_attr(&c, rule, "beta1", &s.beta1);
    get_float_attr(&c, rule, "beta2", &s.beta2);
    get_float_attr(&c, rule, "oneMinusBeta1", &s.one_minus_beta1);
    get_float_attr(&c, rule, "oneMinusBeta2", &s.one_minus_beta2);
    get_float_attr(&c, rule, "c1", &s.c1);
    get_float_attr(&c, rule, "c2", &s.c2);
    get_float_attr(&c, rule, "epsilon", &s.epsilon);
  }
  get_int(&c, 6, "threads", 1, GN_MAX_PARTS, &threads);
  if (c.failed) return NULL;
  const uint32_t slots = kind == GN_RULE_ADAM ? 2 : 1;
  uint32_t count_in = slots, count_out = slots;
  size_t size = 0;
  bool is_typed = false;
  if (napi_is_typedarray(env, c.argv[1], &is_typed) != napi_ok || !is_typed) return fail(&c, "w: expected a Float32Array"), NULL;
  napi_typedarray_type t;
  void *ignored;
  napi_value ab;
  size_t off;
  napi_get_typedarray_info(env, c.argv[1], &t, &size, &ignored, &ab, &off);
  if (size == 0) return fail(&c, "w: expected a non-empty Float32Array"), NULL;
  span_t sp[8] = {{0}};
  float *ins[GN_MIX_MAX_BASES], *outs[GN_MIX_MAX_BASES];
  s.w = get_floats(&c, 1, "w", size, &sp[0]);
  s.grad = get_floats(&c, 2, "grad", size, &sp[1]);
  get_float_list(&c, 3, "slots", &count_in, &size, ins, sp + 2);
  s.out_w = get_floats(&c, 4, "outW", size, &sp[2 + slots]);
  get_float_list(&c, 5, "outSlots", &count_out, &size, outs, sp + 3 + slots);
  if (c.failed || !check_disjoint(&c, sp, 3 + 2 * (size_t)slots, 2 + slots)) return NULL;
  s.slot0 = ins[0];
  s.out_slot0 = outs[0];
  if (slots == 2) {
    s.slot1 = ins[1];
    s.out_slot1 = outs[1];
  }
  gn_optimizer_step_run(&s, size, threads);
  return undefined(env);
}

/*
 * adviseHugePages(buffer: ArrayBuffer) → bytes advised: ask the kernel to back the buffer (the
 * tfjs wasm heap) with transparent huge pages where it may ("madvise" mode). Activations of a
 * training step span tens of megabytes; with 4 KiB pages the convolutions' strided walks over
 * them miss the TLB (measured: 15–20% of a large layer's time). Advice only: nothing is read or
 * written, and a kernel that refuses changes nothing.
 */
static napi_value AdviseHugePages(napi_env env, napi_callback_info info) {
  call_t c;
  if (!start(&c, env, info, 1, "adviseHugePages")) return NULL;
  bool is_buffer = false;
  void *data = NULL;
  size_t length = 0;
  if (napi_is_arraybuffer(env, c.argv[0], &is_buffer) != napi_ok || !is_buffer || napi_get_arraybuffer_info(env, c.argv[0], &data, &length) != napi_ok) {
    return fail(&c, "buffer: expected an ArrayBuffer"), NULL;
  }
  double advised = 0;
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  const uintptr_t huge = (uintptr_t)2 << 20;
  const uintptr_t begin = ((uintptr_t)data + huge - 1) & ~(huge - 1);
  const uintptr_t end = ((uintptr_t)data + length) & ~(huge - 1);
  if (data != NULL && end > begin && madvise((void *)begin, end - begin, MADV_HUGEPAGE) == 0) advised = (double)(end - begin);
#endif
  napi_value r;
  napi_create_double(env, advised, &r);
  return r;
}

static void shutdown_pool(void *arg) {
  (void)arg;
  gn_pool_shutdown();
}

void gn_export_training(napi_env env, napi_value exports) {
  static const struct {
    const char *name;
    napi_callback fn;
  } fns[] = {{"trainPaths", TrainPaths}, {"conv2d", Conv2d}, {"batchNormForward", BatchNormForward}, {"batchNormBackward", BatchNormBackward},
                 {"signConv2d", SignConv2d}, {"mixForward", MixForward}, {"mixBackward", MixBackward},
                 {"mixedQuantizeForward", MixedQuantizeForward}, {"mixedQuantizeBackward", MixedQuantizeBackward},
                 {"adviseHugePages", AdviseHugePages}, {"optimizerStep", OptimizerStep}, {"avgPool", AvgPool}, {"avgPoolGrad", AvgPoolGrad}, {"relu", Relu}, {"reluGrad", ReluGrad},
                 {"magnitudeAwareSign", MagnitudeAwareSign}, {"magnitudeAwareSignGrad", MagnitudeAwareSignGrad}};
  for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
    napi_value fn;
    napi_create_function(env, fns[i].name, NAPI_AUTO_LENGTH, fns[i].fn, NULL, &fn);
    napi_set_named_property(env, exports, fns[i].name, fn);
  }
  /* this environment's thread owns its pool: stop the helpers when the environment goes */
  napi_add_env_cleanup_hook(env, shutdown_pool, NULL);
}
