/*
 * The native binary kernels (DESIGN §5, issue 7): shared types of the conv driver, the
 * per-ISA paths and the Node-API glue. Every pointer and size in a job has been checked by
 * addon.c against the buffers JavaScript handed over before a path ever sees it.
 *
 * Layouts (the same bits as the js and wasm engines):
 * - activations: NHWC, channels packed into 32-bit words, bit 1 = −1, padding bits 0;
 *   bit-plane inputs hold `planes` such tensors one after another;
 * - weights: interleaved for the micro-kernels, blocks of CB = 32 output channels:
 *   w[(block·rowWords + k)·32 + j] = word k of the packed row of channel block·32 + j
 *   (rowWords = kernel²·words, taps in (ky, kx) order), 0 for channels past Cout.
 */
#ifndef GROUPNAS_KERNELS_H
#define GROUPNAS_KERNELS_H

#include <stddef.h>
#include <stdint.h>

/** Output channels per weight block: one packed output word, two AVX-512 vectors. */
#define GN_CB 32

enum gn_mode { GN_MODE_INT = 0, GN_MODE_FLOAT = 1, GN_MODE_ACCUMULATE = 2, GN_MODE_SIGN = 3 };
enum gn_padding { GN_PAD_SAME = 0, GN_PAD_VALID = 1, GN_PAD_SYMMETRIC = 2 };
enum gn_path { GN_PATH_AVX512 = 0, GN_PATH_AVX2 = 1, GN_PATH_POPCNT = 2, GN_PATH_PORTABLE = 3, GN_PATH_COUNT = 4 };

typedef struct {
  int mode;
  /** 0: ±1 activations (XOR, zero-padding correction); k ≥ 1: k bit planes (AND). */
  int bits;
  int n, h, w, c, words;
  int kernel, stride, dilation;
  int pad_top, pad_left, out_h, out_w;
  int cout;
  const uint32_t *input;
  const uint32_t *weights;
  /** cout × kernel² ±1 sums per tap (binary mode: the padding correction). */
  const int32_t *tap_sums;
  const float *scale;
  const float *bias;
  /** int32 (INT), float32 (FLOAT, ACCUMULATE) or packed uint32 (SIGN). */
  void *out;
  /** 1, or 2 to split the output pixels with a helper thread (large calls only). */
  int threads;
} gn_conv_job;

/** 0 on success, −1 when scratch memory could not be had. */
typedef int (*gn_conv_fn)(const gn_conv_job *job);
/** Sign packing of `pixels` rows of `c` floats into `words` words each. */
typedef void (*gn_pack_fn)(const float *x, size_t pixels, int c, int words, uint32_t *out);
/**
 * k-bit packing of `pixels` rows of `c` floats (packing.ts packBitPlanes, the same bits): level
 * q = round-half-even(f32(clip(x, 0, β)·factor)), factor = f32((2^bits − 1)/β) as the caller
 * computes it; bit i of q into plane i (`pixels`·`words` words each), padding bits 0. Branch-free
 * on every path, so its time does not depend on the data (the latency table times random inputs).
 */
typedef void (*gn_pack_planes_fn)(const float *x, size_t pixels, int c, int words, int bits, float beta, float factor, uint32_t *planes);
/** The roofline loop: XOR + popcount over an L1-resident buffer; returns a checksum. */
typedef uint64_t (*gn_roofline_fn)(const uint32_t *buf, size_t words, size_t iters);

typedef struct {
  const char *name;
  gn_conv_fn conv;
  gn_pack_fn pack_signs;
  gn_pack_planes_fn pack_planes;
  gn_roofline_fn roofline;
} gn_path_impl;

extern const gn_path_impl gn_path_avx512;
extern const gn_path_impl gn_path_avx2;
extern const gn_path_impl gn_path_popcnt;
extern const gn_path_impl gn_path_portable;

/* Adding and subtracting 2^23 rounds a float in [0, 2^23) to the nearest integer, ties to even. */
#define GN_ROUND_MAGIC 8388608.0f

/**
 * The levels of `count` ≤ 32 floats, bit i of element b into bit b of word[i] (the scalar paths, and
 * the vector paths' last partial word); NaN → level 0 as in packing.ts.
 */
static inline void gn_level_bits(const float *src, int count, int bits, float beta, float factor, uint32_t *word) {
  for (int b = 0; b < count; b++) {
    float v = src[b];
    v = v > 0.0f ? v : 0.0f;
    v = v < beta ? v : beta;
    const uint32_t q = (uint32_t)((v * factor + GN_ROUND_MAGIC) - GN_ROUND_MAGIC);
    for (int i = 0; i < bits; i++) word[i] |= ((q >> i) & 1u) << b;
  }
}

/** Whether this CPU can run a path. */
int gn_cpu_supports(int path);
const gn_path_impl *gn_path(int path);

/** Output size and leading padding along one axis (conv-spec.ts); out 0 when nothing fits. */
void gn_axis_geometry(int size, int kernel, int stride, int dilation, int padding, int *out, int *pad);

/** Part `part` of `parts` of a job. */
typedef void (*gn_part_fn)(void *ctx, int part, int parts);
/* The most threads a kernel call takes (MAX_NATIVE_THREADS in src/util/native-addon.ts). */
#define GN_MAX_PARTS 64
/**
 * Run fn(ctx, part, parts) for every part on the calling thread's pool with `threads` threads
 * (pool.c): one part for one thread, else a few per thread, at most GN_MAX_PARTS; returns the
 * parts used. Each part must own its outputs, so the result never depends on the parts.
 */
int gn_run_parts(int threads, gn_part_fn fn, void *ctx);

/** out_j = Σ_k weights[j·from + k]·parts[k], maps of `size` floats; outputs must not alias parts. */
void gn_mix(const float *const *parts, size_t from, const float *weights, float *const *outs, size_t to, size_t size);

#endif
