/*
 * Node-API glue of the native kernels. Trusts nothing: every integer is range-checked, every
 * typed array's element type and length are checked against the sizes derived here from the
 * primitive shape and conv spec (geometry is recomputed, never taken from the caller), and a
 * path runs only on a CPU that reports its instructions. Zero-copy: kernels read and write the
 * caller's typed arrays in place.
 */
#include <math.h>
#include <node_api.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "kernels.h"
#include "train.h"

#include "napi-args.h"

static int get_path(call_t *c, size_t i, int *path) {
  if (!get_int(c, i, "path", 0, GN_PATH_COUNT - 1, path)) return 0;
  const gn_path_impl *impl = gn_path(*path);
  if (!gn_cpu_supports(*path) || !impl || !impl->conv) return fail(c, "path: %s is not supported by this CPU or build", impl ? impl->name : "?");
  return 1;
}

/* paths() → names of the paths this CPU and build can run, fastest first. */
static napi_value Paths(napi_env env, napi_callback_info info) {
  napi_value list;
  napi_create_array(env, &list);
  uint32_t at = 0;
  for (int p = 0; p < GN_PATH_COUNT; p++) {
    const gn_path_impl *impl = gn_path(p);
    if (!impl->conv || !gn_cpu_supports(p)) continue;
    napi_value name;
    napi_create_string_utf8(env, impl->name, NAPI_AUTO_LENGTH, &name);
    napi_set_element(env, list, at++, name);
  }
  return list;
}

/* Spatial geometry from primitives; fails when the kernel does not fit. */
static int geometry(call_t *c, int h, int w, int kernel, int stride, int dilation, int padding, int *out_h, int *out_w, int *pad_top, int *pad_left) {
  if (c->failed) return 0;
  gn_axis_geometry(h, kernel, stride, dilation, padding, out_h, pad_top);
  gn_axis_geometry(w, kernel, stride, dilation, padding, out_w, pad_left);
  if (*out_h < 1 || *out_w < 1) return fail(c, "geometry: a %d×%d kernel with dilation %d does not fit a %d×%d input", kernel, kernel, dilation, h, w);
  return 1;
}

/*
 * conv(path, mode, bits, n, h, w, c, kernel, stride, dilation, padding, cout,
 *      input: Uint32Array, weights: Uint32Array (interleaved blocks), tapSums: Int32Array | null,
 *      scale: Float32Array | null, bias: Float32Array | null, out, threads: 1..GN_MAX_PARTS)
 */
static napi_value Conv(napi_env env, napi_callback_info info) {
  call_t c;
  gn_conv_job j;
  memset(&j, 0, sizeof j);
  int path = 0, padding = 0;
  if (!start(&c, env, info, 19, "conv")) return NULL;
  get_path(&c, 0, &path);
  get_int(&c, 1, "mode", 0, 3, &j.mode);
  get_int(&c, 2, "bits", 0, 8, &j.bits);
  get_int(&c, 3, "n", 1, MAX_SIDE, &j.n);
  get_int(&c, 4, "h", 1, MAX_SIDE, &j.h);
  get_int(&c, 5, "w", 1, MAX_SIDE, &j.w);
  get_int(&c, 6, "c", 1, MAX_CHANNELS, &j.c);
  get_int(&c, 7, "kernel", 1, MAX_KERNEL, &j.kernel);
  get_int(&c, 8, "stride", 1, MAX_STRIDE, &j.stride);
  get_int(&c, 9, "dilation", 1, MAX_DILATION, &j.dilation);
  get_int(&c, 10, "padding", 0, 2, &padding);
  get_int(&c, 11, "cout", 1, MAX_CHANNELS, &j.cout);
  get_int(&c, 18, "threads", 1, GN_MAX_PARTS, &j.threads);
  if (c.failed) return NULL;
  j.words = (j.c + 31) / 32;
  const size_t taps = (size_t)j.kernel * j.kernel;
  if (taps * (size_t)j.c > MAX_K) return fail(&c, "kernel²·c: at most %d bits per dot product", MAX_K), NULL;
  if (!geometry(&c, j.h, j.w, j.kernel, j.stride, j.dilation, padding, &j.out_h, &j.out_w, &j.pad_top, &j.pad_left)) return NULL;
  const size_t planes = j.bits > 0 ? (size_t)j.bits : 1;
  const size_t blocks = ((size_t)j.cout + GN_CB - 1) / GN_CB;
  size_t pixels_in = 0, plane_words = 0, input_words = 0, weight_words = 0, pixels_out = 0, out_len = 0;
  mul(&c, (size_t)j.n * j.h, (size_t)j.w, &pixels_in, "input");
  mul(&c, pixels_in, (size_t)j.words, &plane_words, "input");
  mul(&c, plane_words, planes, &input_words, "input");
  mul(&c, blocks * GN_CB, taps * j.words, &weight_words, "weights");
  mul(&c, (size_t)j.n * j.out_h, (size_t)j.out_w, &pixels_out, "out");
  mul(&c, pixels_out, j.mode == GN_MODE_SIGN ? blocks : (size_t)j.cout, &out_len, "out");
  void *p;
  if (get_array(&c, 12, "input", napi_uint32_array, input_words, &p)) j.input = p;
  if (get_array(&c, 13, "weights", napi_uint32_array, weight_words, &p)) j.weights = p;
  if (j.bits == 0 && get_array(&c, 14, "tapSums", napi_int32_array, (size_t)j.cout * taps, &p)) j.tap_sums = p;
  if (j.mode != GN_MODE_INT) {
    if (get_array(&c, 15, "scale", napi_float32_array, (size_t)j.cout, &p)) j.scale = p;
    if (get_array(&c, 16, "bias", napi_float32_array, (size_t)j.cout, &p)) j.bias = p;
  }
  const napi_typedarray_type out_type = j.mode == GN_MODE_INT ? napi_int32_array : j.mode == GN_MODE_SIGN ? napi_uint32_array : napi_float32_array;
  if (get_array(&c, 17, "out", out_type, out_len, &p)) j.out = p;
  if (c.failed) return NULL;
  if (gn_path(path)->conv(&j) != 0) {
    napi_throw_error(env, "ERR_GROUPNAS_NATIVE_MEMORY", "conv: out of memory for scratch buffers");
    return NULL;
  }
  return undefined(env);
}

/* packSigns(path, x: Float32Array, pixels, c, out: Uint32Array) */
static napi_value PackSigns(napi_env env, napi_callback_info info) {
  call_t c;
  int path = 0, pixels = 0, ch = 0;
  if (!start(&c, env, info, 5, "packSigns")) return NULL;
  get_path(&c, 0, &path);
  get_int(&c, 2, "pixels", 1, 1 << 30, &pixels);
  get_int(&c, 3, "c", 1, MAX_CHANNELS, &ch);
  if (c.failed) return NULL;
  const int words = (ch + 31) / 32;
  size_t in_len = 0, out_len = 0;
  mul(&c, (size_t)pixels, (size_t)ch, &in_len, "x");
  mul(&c, (size_t)pixels, (size_t)words, &out_len, "out");
  void *x, *out;
  get_array(&c, 1, "x", napi_float32_array, in_len, &x);
  get_array(&c, 4, "out", napi_uint32_array, out_len, &out);
  if (c.failed) return NULL;
  gn_path(path)->pack_signs((const float *)x, (size_t)pixels, ch, words, (uint32_t *)out);
  return undefined(env);
}

/* packBitPlanes(path, x: Float32Array, pixels, c, bits, beta, factor, out: Uint32Array): k-bit levels as bit planes */
static napi_value PackBitPlanes(napi_env env, napi_callback_info info) {
  call_t c;
  int path = 0, pixels = 0, ch = 0, bits = 0;
  double beta = 0, factor = 0;
  if (!start(&c, env, info, 8, "packBitPlanes")) return NULL;
  get_path(&c, 0, &path);
  get_int(&c, 2, "pixels", 1, 1 << 30, &pixels);
  get_int(&c, 3, "c", 1, MAX_CHANNELS, &ch);
  get_int(&c, 4, "bits", 1, 8, &bits);
  if (!c.failed && (napi_get_value_double(env, c.argv[5], &beta) != napi_ok || !isfinite(beta) || !(beta > 0))) fail(&c, "beta: expected a finite number > 0");
  /* levels past 2^bits − 1 would not fit the planes */
  if (!c.failed && (napi_get_value_double(env, c.argv[6], &factor) != napi_ok || !(factor > 0) || !(factor * beta < (double)(1 << bits) - 0.5)))
    fail(&c, "factor: expected (2^bits − 1)/beta, got %g", factor);
  if (c.failed) return NULL;
  const int words = (ch + 31) / 32;
  size_t in_len = 0, row_words = 0, out_len = 0;
  mul(&c, (size_t)pixels, (size_t)ch, &in_len, "x");
  mul(&c, (size_t)pixels, (size_t)words, &row_words, "out");
  mul(&c, row_words, (size_t)bits, &out_len, "out");
  void *x, *out;
  get_array(&c, 1, "x", napi_float32_array, in_len, &x);
  get_array(&c, 7, "out", napi_uint32_array, out_len, &out);
  if (c.failed) return NULL;
  gn_path(path)->pack_planes((const float *)x, (size_t)pixels, ch, words, bits, (float)beta, (float)factor, (uint32_t *)out);
  return undefined(env);
}
/* floatConv(x, n, h, w, c, filter, cout, kernel, stride, dilation, padding, out, threads): the training
 * forward convolution (conv-train.c), so stems and shortcuts sum as tfjs-wasm does and use the pool. */
static napi_value FloatConv(napi_env env, napi_callback_info info) {
  call_t c;
  int n = 0, h = 0, w = 0, ch = 0, cout = 0, kernel = 0, stride = 0, dilation = 0, padding = 0, out_h = 0, out_w = 0, pad_top = 0, pad_left = 0;
  int threads = 1;
  if (!start(&c, env, info, 13, "floatConv")) return NULL;
  get_int(&c, 1, "n", 1, MAX_SIDE, &n);
  get_int(&c, 2, "h", 1, MAX_SIDE, &h);
  get_int(&c, 3, "w", 1, MAX_SIDE, &w);
  get_int(&c, 4, "c", 1, MAX_CHANNELS, &ch);
  get_int(&c, 6, "cout", 1, MAX_CHANNELS, &cout);
  get_int(&c, 7, "kernel", 1, MAX_KERNEL, &kernel);
  get_int(&c, 8, "stride", 1, MAX_STRIDE, &stride);
  get_int(&c, 9, "dilation", 1, MAX_DILATION, &dilation);
  get_int(&c, 10, "padding", 0, 2, &padding);
  if (!geometry(&c, h, w, kernel, stride, dilation, padding, &out_h, &out_w, &pad_top, &pad_left)) return NULL;
  size_t in_len = 0, filter_len = 0, out_len = 0, t = 0;
  mul(&c, (size_t)n * h, (size_t)w * ch, &in_len, "x");
  mul(&c, (size_t)kernel * kernel, (size_t)ch, &t, "filter");
  mul(&c, t, (size_t)cout, &filter_len, "filter");
  mul(&c, (size_t)n * out_h, (size_t)out_w * cout, &out_len, "out");
  void *x, *filter, *out;
  get_array(&c, 0, "x", napi_float32_array, in_len, &x);
  get_array(&c, 5, "filter", napi_float32_array, filter_len, &filter);
  get_array(&c, 11, "out", napi_float32_array, out_len, &out);
  get_int(&c, 12, "threads", 1, GN_MAX_PARTS, &threads);
  if (c.failed) return NULL;
  const gn_fconv_geom g = {n, h, w, ch, kernel, kernel, stride, stride, dilation, dilation, pad_top, pad_left, out_h, out_w, cout};
  if (gn_fconv_forward(gn_train_path_for(-1), &g, (const float *)x, (const float *)filter, (float *)out, threads) != 0) {
    napi_throw_error(env, "ERR_GROUPNAS_NATIVE_MEMORY", "floatConv: out of memory for scratch buffers");
    return NULL;
  }
  return undefined(env);
}

/* outputTransform(dots: Int32Array, scale, bias, out: Float32Array, accumulate: boolean) */
static napi_value OutputTransform(napi_env env, napi_callback_info info) {
  call_t c;
  if (!start(&c, env, info, 5, "outputTransform")) return NULL;
  bool is_typed = false;
  size_t len = 0, channels = 0;
  napi_typedarray_type t;
  void *ignored;
  napi_value ab;
  size_t off;
  if (napi_is_typedarray(env, c.argv[0], &is_typed) != napi_ok || !is_typed) return fail(&c, "dots: expected an Int32Array"), NULL;
  napi_get_typedarray_info(env, c.argv[0], &t, &len, &ignored, &ab, &off);
  if (napi_is_typedarray(env, c.argv[1], &is_typed) != napi_ok || !is_typed) return fail(&c, "scale: expected a Float32Array"), NULL;
  napi_get_typedarray_info(env, c.argv[1], &t, &channels, &ignored, &ab, &off);
  if (channels == 0 || len % channels != 0) return fail(&c, "dots: %zu values are not whole %zu-channel pixels", len, channels), NULL;
  bool accumulate = false;
  if (napi_get_value_bool(env, c.argv[4], &accumulate) != napi_ok) return fail(&c, "accumulate: expected a boolean"), NULL;
  void *dots, *scale, *bias, *out;
  get_array(&c, 0, "dots", napi_int32_array, len, &dots);
  get_array(&c, 1, "scale", napi_float32_array, channels, &scale);
  get_array(&c, 2, "bias", napi_float32_array, channels, &bias);
  get_array(&c, 3, "out", napi_float32_array, len, &out);
  if (c.failed) return NULL;
  const int32_t *d = dots;
  const float *s = scale, *b = bias;
  float *y = out;
  for (size_t p = 0; p < len; p += channels) {
    for (size_t o = 0; o < channels; o++) {
      const float v = (float)d[p + o] * s[o] + b[o];
      y[p + o] = accumulate ? y[p + o] + v : v;
    }
  }
  return undefined(env);
}

/* mix(parts: Float32Array[], weights: Float32Array (to × from), outs: Float32Array[]): out_j = Σ_k w[j·from + k]·part_k */
static napi_value Mix(napi_env env, napi_callback_info info) {
  call_t c;
  if (!start(&c, env, info, 3, "mix")) return NULL;
  uint32_t from = 0, to = 0;
  bool is_array = false;
  if (napi_is_array(env, c.argv[0], &is_array) != napi_ok || !is_array || napi_get_array_length(env, c.argv[0], &from) != napi_ok || from == 0 || from > 4096) return fail(&c, "parts: expected 1..4096 Float32Arrays"), NULL;
  if (napi_is_array(env, c.argv[2], &is_array) != napi_ok || !is_array || napi_get_array_length(env, c.argv[2], &to) != napi_ok || to == 0 || to > 4096) return fail(&c, "outs: expected 1..4096 Float32Arrays"), NULL;
  const float **parts = calloc(from, sizeof *parts);
  float **outs = calloc(to, sizeof *outs);
  void *weights = NULL;
  size_t size = 0;
  if (!parts || !outs) {
    free(parts);
    free(outs);
    napi_throw_error(env, "ERR_GROUPNAS_NATIVE_MEMORY", "mix: out of memory");
    return NULL;
  }
  for (uint32_t k = 0; k < from && !c.failed; k++) {
    napi_value v;
    bool is_typed = false;
    napi_typedarray_type t;
    void *ignored;
    napi_value ab;
    size_t off;
    if (napi_get_element(env, c.argv[0], k, &v) != napi_ok) { fail(&c, "parts[%u]: unreadable", k); break; }
    if (k == 0) {
      if (napi_is_typedarray(env, v, &is_typed) != napi_ok || !is_typed) { fail(&c, "parts[0]: expected a Float32Array"); break; }
      napi_get_typedarray_info(env, v, &t, &size, &ignored, &ab, &off);
    }
    char name[32];
    snprintf(name, sizeof name, "parts[%u]", k);
    void *ptr;
    if (get_array_value(&c, v, name, napi_float32_array, size, &ptr)) parts[k] = ptr;
  }
  for (uint32_t jj = 0; jj < to && !c.failed; jj++) {
    napi_value v;
    if (napi_get_element(env, c.argv[2], jj, &v) != napi_ok) { fail(&c, "outs[%u]: unreadable", jj); break; }
    char name[32];
    snprintf(name, sizeof name, "outs[%u]", jj);
    void *ptr;
    if (get_array_value(&c, v, name, napi_float32_array, size, &ptr)) outs[jj] = ptr;
  }
  get_array(&c, 1, "weights", napi_float32_array, (size_t)from * to, &weights);
  for (uint32_t jj = 0; jj < to && !c.failed; jj++) {
    for (uint32_t k = 0; k < from; k++) {
      if (parts[k] == outs[jj] && size > 0) { fail(&c, "outs[%u]: must not be one of the parts", jj); break; }
    }
  }
  if (!c.failed) gn_mix(parts, from, (const float *)weights, outs, to, size);
  free(parts);
  free(outs);
  return c.failed ? NULL : undefined(env);
}

/* roofline(path, iters) → checksum; binary MACs done = iters · 4096 · 32 */
static napi_value Roofline(napi_env env, napi_callback_info info) {
  call_t c;
  int path = 0, iters = 0;
  if (!start(&c, env, info, 2, "roofline")) return NULL;
  get_path(&c, 0, &path);
  get_int(&c, 1, "iters", 1, 1 << 30, &iters);
  if (c.failed) return NULL;
  static uint32_t buf[4096] __attribute__((aligned(64)));
  for (int i = 0; i < 4096; i++) buf[i] = (uint32_t)i * 2654435761u;
  const uint64_t sum = gn_path(path)->roofline(buf, 4096, (size_t)iters);
  napi_value r;
  napi_create_double(env, (double)sum, &r);
  return r;
}

/* threadCpuSeconds() → this thread's CPU time in seconds (−1 where the system has no such clock).
 * Timings on the CPU clock read it: the process's time would also count the JIT's and the garbage
 * collector's helper threads, which run beside a timing loop for milliseconds at a time. */
static napi_value ThreadCpuSeconds(napi_env env, napi_callback_info info) {
  (void)info;
  double seconds = -1;
#if defined(CLOCK_THREAD_CPUTIME_ID)
  struct timespec ts;
  if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) == 0) seconds = (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
#endif
  napi_value r;
  napi_create_double(env, seconds, &r);
  return r;
}

static void export_fn(napi_env env, napi_value exports, const char *name, napi_callback cb) {
  napi_value fn;
  napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, NULL, &fn);
  napi_set_named_property(env, exports, name, fn);
}

void gn_export_training(napi_env env, napi_value exports);

NAPI_MODULE_INIT() {
  export_fn(env, exports, "paths", Paths);
  export_fn(env, exports, "conv", Conv);
  export_fn(env, exports, "packSigns", PackSigns);
  export_fn(env, exports, "packBitPlanes", PackBitPlanes);
  export_fn(env, exports, "floatConv", FloatConv);
  export_fn(env, exports, "outputTransform", OutputTransform);
  export_fn(env, exports, "mix", Mix);
  export_fn(env, exports, "roofline", Roofline);
  export_fn(env, exports, "threadCpuSeconds", ThreadCpuSeconds);
  gn_export_training(env, exports);
  return exports;
}
