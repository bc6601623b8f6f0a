/*
 * The conv driver shared by every path, included once per path file under that path's
 * `#pragma GCC target`, so its loops are compiled (and auto-vectorized) for that ISA and the
 * path's micro-kernel inlines into it. The including file defines:
 *   GN_TILE_P                     pixels per micro-kernel tile;
 *   gn_micro(A, lda, W, K, and, pop)  pop[p·32 + j] = Σ_k popcount(A[p·lda + k] OP W[k·32 + j])
 *                                 for p < GN_TILE_P, j < 32, OP = AND if `and` else XOR;
 *   gn_popcount_words(x, count)   Σ popcount of `count` words;
 * and optionally GN_HAVE_COPY_WORDS with gn_copy_words(dst, src, count), GN_HAVE_EMIT32 with
 * gn_emit32(job, d, pix, o0): the output mode for a whole 32-channel block, vectorized, and
 * GN_HAVE_TILE_EMIT with gn_tile_emit(…): a ±1 tile of a full block from the accumulators
 * straight to the output (no round trip through memory).
 *
 * Blocking: output pixels are taken in bands whose im2col rows fit in L1/L2 (GN_BAND_BYTES);
 * within a band each 32-channel weight block (kernel²·words·128 bytes) is swept across all
 * pixel tiles while it stays in L1, and the micro-kernel keeps GN_TILE_P × 32 accumulators in
 * registers for the whole of K. Results: exact integers d, then the output mode.
 */
#include <stdlib.h>
#include <string.h>

#define GN_BAND_BYTES (24 * 1024)

/** Per call, shared read-only by the parts: the border classes and the padding table. */
typedef struct {
  int32_t *row_class;
  int32_t *col_class;
  int32_t *base;
  int col_classes;
} gn_shared;

/** Per part: the im2col band (all planes), row popcounts, padding-table rows. */
typedef struct {
  uint32_t *rows;
  int32_t *row_pop;
  /** Per band pixel: offset of its row of the padding table (binary mode). */
  size_t *base_of;
} gn_scratch;

/** Border class of each output index along one axis: which kernel offsets fall outside. */
static int gn_classify(int out_size, int size, int pad, int kernel, int stride, int dilation, int32_t *class_of, uint64_t *masks) {
  int count = 0;
  for (int o = 0; o < out_size; o++) {
    uint64_t mask = 0;
    for (int k = 0; k < kernel; k++) {
      const long long i = (long long)o * stride - pad + (long long)k * dilation;
      if (i < 0 || i >= size) mask |= (uint64_t)1 << k;
    }
    int cls = 0;
    while (cls < count && masks[cls] != mask) cls++;
    if (cls == count) masks[count++] = mask;
    class_of[o] = cls;
  }
  return count;
}

/** base[(rc·colClasses + cc)·coutPad + o] = K − Σ tapSum over the taps padded in that class. */
static int gn_padding_table(const gn_conv_job *j, int cout_pad, gn_shared *s) {
  const int k = j->kernel;
  const int taps = k * k;
  uint64_t *row_masks = (uint64_t *)malloc(sizeof(uint64_t) * (size_t)j->out_h);
  uint64_t *col_masks = (uint64_t *)malloc(sizeof(uint64_t) * (size_t)j->out_w);
  if (!row_masks || !col_masks) {
    free(row_masks);
    free(col_masks);
    return -1;
  }
  const int rcs = gn_classify(j->out_h, j->h, j->pad_top, k, j->stride, j->dilation, s->row_class, row_masks);
  const int ccs = gn_classify(j->out_w, j->w, j->pad_left, k, j->stride, j->dilation, s->col_class, col_masks);
  s->col_classes = ccs;
  s->base = (int32_t *)malloc(sizeof(int32_t) * (size_t)rcs * (size_t)ccs * (size_t)cout_pad);
  if (!s->base) {
    free(row_masks);
    free(col_masks);
    return -1;
  }
  const int32_t K = (int32_t)taps * j->c;
  for (int rc = 0; rc < rcs; rc++) {
    for (int cc = 0; cc < ccs; cc++) {
      int32_t *row = s->base + ((size_t)rc * ccs + cc) * cout_pad;
      for (int o = 0; o < cout_pad; o++) {
        int32_t padded = 0;
        if (o < j->cout) {
          for (int ky = 0; ky < k; ky++) {
            for (int kx = 0; kx < k; kx++) {
              if (((row_masks[rc] >> ky) & 1) || ((col_masks[cc] >> kx) & 1)) padded += j->tap_sums[(size_t)o * taps + ky * k + kx];
            }
          }
        }
        row[o] = K - padded;
      }
    }
  }
  free(row_masks);
  free(col_masks);
  return 0;
}

#ifndef GN_HAVE_COPY_WORDS
/** Copy `count` words; an inline loop, since most runs are a few words and a libc call costs more than the copy. */
static inline void gn_copy_words(uint32_t *restrict dst, const uint32_t *restrict src, size_t count) {
  for (size_t i = 0; i < count; i++) dst[i] = src[i];
}
#endif

/** im2col of one output pixel (one plane): the taps' words in (ky, kx) order, 0 where padded. */
static void gn_im2col_pixel(const gn_conv_job *j, const uint32_t *plane, int n, int oy, int ox, uint32_t *row) {
  const int k = j->kernel, words = j->words, dil = j->dilation;
  const size_t row_words = (size_t)k * k * words;
  const int iy0 = oy * j->stride - j->pad_top;
  const int ix0 = ox * j->stride - j->pad_left;
  const int span = (k - 1) * dil;
  const size_t line = (size_t)j->w * words;
  const uint32_t *origin = plane + ((size_t)n * j->h) * line;
  if (iy0 >= 0 && iy0 + span < j->h && ix0 >= 0 && ix0 + span < j->w) {
    /* interior: every tap in bounds, nothing to zero */
    for (int ky = 0; ky < k; ky++) {
      const uint32_t *src = origin + (size_t)(iy0 + ky * dil) * line + (size_t)ix0 * words;
      uint32_t *dst = row + (size_t)ky * k * words;
      if (dil == 1) {
        gn_copy_words(dst, src, (size_t)k * words);
      } else {
        for (int kx = 0; kx < k; kx++) gn_copy_words(dst + (size_t)kx * words, src + (size_t)kx * dil * words, (size_t)words);
      }
    }
    return;
  }
  memset(row, 0, row_words * sizeof(uint32_t));
  int kx0 = 0, kx1 = k;
  while (kx0 < k && ix0 + kx0 * dil < 0) kx0++;
  while (kx1 > kx0 && ix0 + (kx1 - 1) * dil >= j->w) kx1--;
  if (kx0 >= kx1) return;
  for (int ky = 0; ky < k; ky++) {
    const int iy = iy0 + ky * dil;
    if (iy < 0 || iy >= j->h) continue;
    const uint32_t *src = origin + (size_t)iy * line + (size_t)(ix0 + kx0 * dil) * words;
    uint32_t *dst = row + ((size_t)ky * k + kx0) * words;
    if (dil == 1) {
      gn_copy_words(dst, src, (size_t)(kx1 - kx0) * words);
    } else {
      for (int kx = kx0; kx < kx1; kx++) gn_copy_words(dst + (size_t)(kx - kx0) * words, src + (size_t)(kx - kx0) * dil * words, (size_t)words);
    }
  }
}

/** Apply the output mode to the exact dot products d[0..count) of channels o0.. at output pixel `pix`. */
static void gn_emit(const gn_conv_job *j, const int32_t *restrict d, size_t pix, int o0, int count) {
  const int cout = j->cout;
  if (j->mode == GN_MODE_INT) {
    int32_t *restrict out = (int32_t *)j->out + pix * cout + o0;
    for (int q = 0; q < count; q++) out[q] = d[q];
    return;
  }
  const float *restrict scale = j->scale + o0;
  const float *restrict bias = j->bias + o0;
  if (j->mode == GN_MODE_SIGN) {
    float y[GN_CB];
    for (int q = 0; q < count; q++) y[q] = (float)d[q] * scale[q] + bias[q];
    uint32_t bits = 0;
    for (int q = 0; q < count; q++) bits |= (uint32_t)(y[q] < 0.0f) << q;
    const size_t out_words = (size_t)(cout + 31) / 32;
    ((uint32_t *)j->out)[pix * out_words + (size_t)o0 / 32] = bits;
    return;
  }
  float *restrict out = (float *)j->out + pix * cout + o0;
  if (j->mode == GN_MODE_ACCUMULATE) {
    for (int q = 0; q < count; q++) out[q] = out[q] + ((float)d[q] * scale[q] + bias[q]);
  } else {
    for (int q = 0; q < count; q++) out[q] = (float)d[q] * scale[q] + bias[q];
  }
}

typedef struct {
  const gn_conv_job *j;
  const gn_shared *shared;
  int status[GN_MAX_PARTS];
} gn_conv_call;

/** Output pixels of one part: whole tiles, split evenly. */
static void gn_conv_part(void *ctx, int part, int parts) {
  gn_conv_call *call = (gn_conv_call *)ctx;
  const gn_conv_job *j = call->j;
  const gn_shared *sh = call->shared;
  const int taps = j->kernel * j->kernel;
  const size_t row_words = (size_t)taps * j->words;
  const int planes = j->bits > 0 ? j->bits : 1;
  const size_t plane_words = (size_t)j->n * j->h * j->w * j->words;
  const int blocks = (j->cout + GN_CB - 1) / GN_CB;
  const int cout_pad = blocks * GN_CB;
  const size_t all_pixels = (size_t)j->n * j->out_h * j->out_w;
  const size_t hw_out = (size_t)j->out_h * j->out_w;
  const size_t tiles = (all_pixels + GN_TILE_P - 1) / GN_TILE_P;
  const size_t begin = tiles * (size_t)part / (size_t)parts * GN_TILE_P;
  size_t end = tiles * (size_t)(part + 1) / (size_t)parts * GN_TILE_P;
  if (end > all_pixels) end = all_pixels;
  call->status[part] = 0;
  if (begin >= end) return;
  const size_t pixels_pad = (end - begin + GN_TILE_P - 1) / GN_TILE_P * GN_TILE_P;

  size_t band = GN_BAND_BYTES / (row_words * sizeof(uint32_t) * planes);
  band = band / GN_TILE_P * GN_TILE_P;
  if (band < GN_TILE_P) band = GN_TILE_P;
  if (band > pixels_pad) band = pixels_pad;

  gn_scratch s = {0};
  s.rows = (uint32_t *)aligned_alloc(64, ((band * row_words * planes * sizeof(uint32_t)) + 63) / 64 * 64);
  s.row_pop = (int32_t *)malloc(sizeof(int32_t) * band * planes);
  s.base_of = (size_t *)malloc(sizeof(size_t) * band);
  if (!s.rows || !s.row_pop || !s.base_of) {
    call->status[part] = -1;
  } else {
    int32_t pop[GN_TILE_P * GN_CB] __attribute__((aligned(64)));
    int32_t d[GN_TILE_P * GN_CB] __attribute__((aligned(64)));
    for (size_t p0 = begin; p0 < end; p0 += band) {
      const size_t count = end - p0 < band ? end - p0 : band;
      const size_t count_pad = (count + GN_TILE_P - 1) / GN_TILE_P * GN_TILE_P;
      for (int i = 0; i < planes; i++) {
        uint32_t *rows = s.rows + (size_t)i * band * row_words;
        /* walk the band's pixels with running coordinates (no divisions per pixel) */
        int n = (int)(p0 / hw_out);
        int oy = (int)(p0 % hw_out / j->out_w);
        int ox = (int)(p0 % j->out_w);
        for (size_t q = 0; q < count; q++) {
          gn_im2col_pixel(j, j->input + (size_t)i * plane_words, n, oy, ox, rows + q * row_words);
          if (j->bits > 0) s.row_pop[(size_t)i * band + q] = (int32_t)gn_popcount_words(rows + q * row_words, row_words);
          else if (i == 0) s.base_of[q] = ((size_t)sh->row_class[oy] * sh->col_classes + sh->col_class[ox]) * cout_pad;
          if (++ox == j->out_w) {
            ox = 0;
            if (++oy == j->out_h) {
              oy = 0;
              n++;
            }
          }
        }
        memset(rows + count * row_words, 0, (count_pad - count) * row_words * sizeof(uint32_t));
      }
      for (int b = 0; b < blocks; b++) {
        const uint32_t *wb = j->weights + (size_t)b * row_words * GN_CB;
        const int o0 = b * GN_CB;
        const int valid = j->cout - o0 < GN_CB ? j->cout - o0 : GN_CB;
        for (size_t t = 0; t < count_pad; t += GN_TILE_P) {
          const int tile = (int)(count - t < GN_TILE_P ? count - t : GN_TILE_P);
#ifdef GN_HAVE_TILE_EMIT
          if (j->bits == 0 && valid == GN_CB) {
            gn_tile_emit(j, s.rows + t * row_words, row_words, wb, row_words, sh->base + o0, s.base_of + t, tile, p0 + t, o0);
            continue;
          }
#endif
          if (j->bits == 0) {
            gn_micro(s.rows + t * row_words, row_words, wb, row_words, 0, pop);
            for (int p = 0; p < tile; p++) {
              const int32_t *base = sh->base + s.base_of[t + p] + o0;
              for (int q = 0; q < GN_CB; q++) d[p * GN_CB + q] = base[q] - 2 * pop[p * GN_CB + q];
            }
          } else {
            memset(d, 0, sizeof d);
            for (int i = 0; i < planes; i++) {
              gn_micro(s.rows + ((size_t)i * band + t) * row_words, row_words, wb, row_words, 1, pop);
              for (int p = 0; p < tile; p++) {
                const int32_t set = s.row_pop[(size_t)i * band + t + p];
                for (int q = 0; q < GN_CB; q++) d[p * GN_CB + q] += (set - 2 * pop[p * GN_CB + q]) * (1 << i);
              }
            }
          }
#ifdef GN_HAVE_EMIT32
          if (valid == GN_CB) {
            for (int p = 0; p < tile; p++) gn_emit32(j, d + p * GN_CB, p0 + t + p, o0);
            continue;
          }
#endif
          for (int p = 0; p < tile; p++) gn_emit(j, d + p * GN_CB, p0 + t + p, o0, valid);
        }
      }
    }
  }
  free(s.rows);
  free(s.row_pop);
  free(s.base_of);
}

/* Below this many binary MACs a second thread costs more (wake-up, its own im2col) than it saves. */
#define GN_TWO_THREAD_MIN_MACS (8u << 20)

static int gn_conv_impl(const gn_conv_job *j) {
  const int blocks = (j->cout + GN_CB - 1) / GN_CB;
  gn_shared sh = {0};
  int status = -1;
  sh.row_class = (int32_t *)malloc(sizeof(int32_t) * (size_t)j->out_h);
  sh.col_class = (int32_t *)malloc(sizeof(int32_t) * (size_t)j->out_w);
  if (sh.row_class && sh.col_class && (j->bits != 0 || gn_padding_table(j, blocks * GN_CB, &sh) == 0)) {
    const double macs = (double)j->n * j->out_h * j->out_w * j->cout * j->kernel * j->kernel * j->c * (j->bits > 0 ? j->bits : 1);
    gn_conv_call call = {j, &sh, {0}};
    const int parts = gn_run_parts(macs >= GN_TWO_THREAD_MIN_MACS ? j->threads : 1, gn_conv_part, &call);
    status = 0;
    for (int part = 0; part < parts; part++) status |= call.status[part];
  }
  free(sh.row_class);
  free(sh.col_class);
  free(sh.base);
  return status;
}
