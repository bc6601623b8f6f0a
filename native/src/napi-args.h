/*
 * Argument checking shared by the Node-API glue files (addon.c, addon-train.c): a call's
 * arguments are read once, every integer is range-checked and every typed array's element
 * type and length are compared with the sizes the glue derives itself. The first failure
 * throws a RangeError and makes every later check a no-op, so glue code can check a whole
 * argument list and test `c.failed` once.
 */
#ifndef GROUPNAS_NAPI_ARGS_H
#define GROUPNAS_NAPI_ARGS_H

#include <node_api.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define MAX_ARGS 20
#define MAX_SIDE 65536
#define MAX_KERNEL 64
#define MAX_STRIDE 64
#define MAX_DILATION 1024
#define MAX_CHANNELS (1 << 24)
/* K·(2^8 − 1) must fit an int32 for the widest bit-plane sums. */
#define MAX_K (1 << 22)

typedef struct {
  napi_env env;
  napi_value argv[MAX_ARGS];
  size_t argc;
  int failed;
} call_t;

static inline int fail(call_t *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline int fail(call_t *c, const char *fmt, ...) {
  if (c->failed) return 0;
  char msg[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  napi_throw_range_error(c->env, "ERR_GROUPNAS_NATIVE_ARGUMENT", msg);
  c->failed = 1;
  return 0;
}

static inline int start(call_t *c, napi_env env, napi_callback_info info, size_t expected, const char *fn) {
  c->env = env;
  c->failed = 0;
  c->argc = MAX_ARGS;
  if (napi_get_cb_info(env, info, &c->argc, c->argv, NULL, NULL) != napi_ok) return fail(c, "%s: cannot read arguments", fn);
  if (c->argc != expected) return fail(c, "%s: expected %zu arguments, got %zu", fn, expected, c->argc);
  return 1;
}

static inline int get_int(call_t *c, size_t i, const char *name, long long min, long long max, int *out) {
  if (c->failed) return 0;
  double v;
  if (napi_get_value_double(c->env, c->argv[i], &v) != napi_ok) return fail(c, "%s: expected a number", name);
  if (!(v >= (double)min && v <= (double)max) || v != (double)(long long)v) return fail(c, "%s: expected an integer in %lld..%lld, got %g", name, min, max, v);
  *out = (int)v;
  return 1;
}

static inline int get_bool(call_t *c, size_t i, const char *name, bool *out) {
  if (c->failed) return 0;
  if (napi_get_value_bool(c->env, c->argv[i], out) != napi_ok) return fail(c, "%s: expected a boolean", name);
  return 1;
}

static inline const char *type_name(napi_typedarray_type t) {
  switch (t) {
    case napi_uint32_array: return "Uint32Array";
    case napi_int32_array: return "Int32Array";
    case napi_float32_array: return "Float32Array";
    default: return "another typed array";
  }
}

/* A typed array of `type` with exactly `length` elements (optional ones may be null). */
static inline int get_array_value(call_t *c, napi_value value, const char *name, napi_typedarray_type type, size_t length, void **data) {
  if (c->failed) return 0;
  bool is_typed = false;
  if (napi_is_typedarray(c->env, value, &is_typed) != napi_ok || !is_typed) return fail(c, "%s: expected a %s", name, type_name(type));
  napi_typedarray_type got;
  size_t got_length;
  void *ptr;
  napi_value buffer;
  size_t offset;
  if (napi_get_typedarray_info(c->env, value, &got, &got_length, &ptr, &buffer, &offset) != napi_ok) return fail(c, "%s: unreadable typed array", name);
  if (got != type) return fail(c, "%s: expected a %s, got %s", name, type_name(type), type_name(got));
  if (got_length != length) return fail(c, "%s: expected %zu elements, got %zu", name, length, got_length);
  if (length > 0 && (ptr == NULL || ((uintptr_t)ptr % 4) != 0)) return fail(c, "%s: detached or misaligned buffer", name);
  *data = ptr;
  return 1;
}

static inline int get_array(call_t *c, size_t i, const char *name, napi_typedarray_type type, size_t length, void **data) {
  return get_array_value(c, c->argv[i], name, type, length, data);
}

static inline int mul(call_t *c, size_t a, size_t b, size_t *out, const char *what) {
  if (c->failed) return 0;
  if (__builtin_mul_overflow(a, b, out)) return fail(c, "%s: size overflows", what);
  return 1;
}


static inline napi_value undefined(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

#endif
