/*
 * Drivers of the float training convolutions (see train.h for the GEMM view of each):
 * plan the column blocks, pack the filter into panels, build each band's indirection table
 * and hand tiles to the path's micro-kernels, one band (or, for the filter gradient, one part of
 * the pixels for a run of dW tiles) per task.
 */
#include <stdlib.h>
#include <string.h>
#include "train.h"

/* Rows per band of the forward and backprop-input passes come in units of GN_BAND, a multiple of every tile height. */
#define GN_BAND 84
#define GN_MAX_BAND (4 * GN_BAND)
/*
 * Multiply-adds a band should hold: each band builds its indirection table and streams the filter
 * panels once, which a narrow layer's rows (32 channels: 9·32·32 a row) did not repay in 84 rows. With
 * 336-row bands two threads ran its forward and input gradient 6–8% faster, stride-2 layers 6–7%,
 * 128-channel layers the same; 16 channels: the forward 4% slower, the input gradient 4% faster.
 */
#define GN_BAND_MACS (6u << 20)
/* Bands a pass keeps at least (when it has the rows), so that threads still share it evenly. */
#define GN_MIN_BANDS 8
/* Output pixels per block of the filter gradient's reduction (dy block stays in L2). */
#define GN_REDUCE_BLOCK 256

/* A row of zeros for taps that fall into the padding; long enough for any channel count used. */
static const float *zeros_for(size_t count, float **owned) {
  *owned = calloc(count + 64, sizeof(float));
  return *owned;
}

/* The variant whose panel width wastes the fewest columns of `cols` (ties: the wider). */
static int pick(const int *widths, int count, int cols) {
  int best = 0;
  double best_eff = -1;
  for (int v = 0; v < count; v++) {
    const int nr = widths[v];
    const double eff = (double)cols / (double)(((cols + nr - 1) / nr) * nr);
    if (eff > best_eff + 1e-9) {
      best_eff = eff;
      best = v;
    }
  }
  return best;
}

static const gn_rows_variant *rows_variant(const gn_train_path *p, int cols) {
  int widths[GN_MAX_VARIANTS];
  for (int v = 0; v < p->rows_count; v++) widths[v] = p->rows[v].nr;
  return &p->rows[pick(widths, p->rows_count, cols)];
}

static const gn_reduce_variant *reduce_variant(const gn_train_path *p, int cols) {
  int widths[GN_MAX_VARIANTS];
  for (int v = 0; v < p->reduce_count; v++) widths[v] = p->reduce[v].nr;
  return &p->reduce[pick(widths, p->reduce_count, cols)];
}

/* ---- rows passes (forward, backprop input) ---- */

typedef struct {
  const gn_fconv_geom *g;
  const gn_rows_variant *var;
  int backward; /* 0: forward, 1: backprop input */
  const float *src; /* x (forward) or dy (backprop input) */
  float *dst;       /* y or dx */
  const float *panels; /* column block b, tap t: panels + (b·taps + t)·kc·NR */
  int blocks;
  int cols, kc, taps;
  const float *zeros;
  /* backprop input: the stride phases and where each one's bands start */
  int phases;
  int *phase_band_start; /* phases + 1 entries */
  int *phase_taps;       /* per phase: count, then that many tap indices (taps + 1 ints each) */
  size_t rows;           /* forward: output pixels */
  int band;              /* rows per band: a multiple of GN_BAND, at most GN_MAX_BAND */
  void **scratch;        /* per worker: indirection [taps][band], output rows, tap panels */
  size_t scratch_len;
  gn_rows_epilogue_fn epilogue; /* backprop input: run on each band's rows once they are done (NULL: none) */
  const void *epilogue_ctx;
} rows_ctx;

/* The first q in [0, run] with (j + q)·step + offset ≥ bound (run when none). */
static int first_column_at_least(int bound, int j, int step, int offset, int run) {
  const int need = bound - offset; /* (j + q)·step ≥ need */
  const int column = need <= 0 ? 0 : (need + step - 1) / step;
  const int q = column - j;
  return q < 0 ? 0 : q > run ? run : q;
}

/*
 * Row pointers of a run of `run` grid columns j, j + 1, … of one grid row, under one tap: column
 * j + q meets source column (j + q)·step + offset of source row `row` (NULL: the tap's row falls
 * outside), or `zeros` where it falls outside. Bounds are found once per run, not per column:
 * checked per column and tap, building the table cost as much as a 16-channel layer's multiplies.
 */
static void fill_run(const float **dst, int run, const float *row, int j, int step, int offset, int width, size_t channels, const float *zeros) {
  int from = 0, to = 0; /* columns [from, to) fall inside the source */
  if (row) {
    from = first_column_at_least(0, j, step, offset, run);
    to = first_column_at_least(width, j, step, offset, run);
    if (to < from) to = from;
  }
  for (int q = 0; q < from; q++) dst[q] = zeros;
  if (to > from) {
    const float *at = row + (size_t)((j + from) * step + offset) * channels;
    for (int q = from; q < to; q++, at += (size_t)step * channels) dst[q] = at;
  }
  for (int q = to; q < run; q++) dst[q] = zeros;
}

static void rows_task(void *raw, int task, int worker) {
  const rows_ctx *c = raw;
  const gn_fconv_geom *g = c->g;
  const int mr_max = c->var->mr_max;
  const int nr_panel = c->var->nr;
  /* which rows this band covers */
  int phase = 0, ph = 0, pw = 0, phase_h = 0, phase_w = 0;
  size_t first, count, phase_rows;
  const int *tap_list = NULL;
  int taps = c->taps;
  if (!c->backward) {
    first = (size_t)task * c->band;
    phase_rows = c->rows;
  } else {
    while (task >= c->phase_band_start[phase + 1]) phase++;
    ph = phase / g->stride_w;
    pw = phase % g->stride_w;
    phase_h = (g->h - ph + g->stride_h - 1) / g->stride_h;
    phase_w = (g->w - pw + g->stride_w - 1) / g->stride_w;
    phase_rows = (size_t)g->n * phase_h * phase_w;
    first = (size_t)(task - c->phase_band_start[phase]) * c->band;
    tap_list = c->phase_taps + (size_t)phase * (c->taps + 1);
    taps = tap_list[0];
    tap_list++;
  }
  count = phase_rows - first < (size_t)c->band ? phase_rows - first : (size_t)c->band;

  const size_t ind_len = (size_t)c->taps * c->band;
  const float **ind = (const float **)(c->scratch + (size_t)worker * c->scratch_len);
  float **out = (float **)(ind + ind_len);
  const float **bt = (const float **)(out + c->band);
  int *off_h = (int *)(bt + (size_t)c->blocks * c->taps), *off_w = off_h + c->taps;

  /*
   * Row (n, i, j) meets, under its t-th tap, the source pixel (i·step + off_h[t], j·step + off_w[t])
   * of image n: forward, the input pixel under the tap; backward, the dy pixel whose window
   * put this tap on the input pixel (exact: the phase only lists taps whose offset divides).
   */
  const int grid_w = c->backward ? phase_w : g->out_w, grid_h = c->backward ? phase_h : g->out_h;
  const int src_h = c->backward ? g->out_h : g->h, src_w = c->backward ? g->out_w : g->w;
  const size_t src_c = c->backward ? (size_t)g->cout : (size_t)g->c;
  const int step_h = c->backward ? 1 : g->stride_h, step_w = c->backward ? 1 : g->stride_w;
  for (int t = 0; t < taps; t++) {
    const int tap = c->backward ? tap_list[t] : t;
    const int ky = tap / g->kw, kx = tap % g->kw;
    if (!c->backward) {
      off_h[t] = ky * g->dil_h - g->pad_top;
      off_w[t] = kx * g->dil_w - g->pad_left;
    } else {
      off_h[t] = (ph + g->pad_top - ky * g->dil_h) / g->stride_h;
      off_w[t] = (pw + g->pad_left - kx * g->dil_w) / g->stride_w;
    }
  }
  /* the band's rows a run at a time: a run is its rows in one grid row (n, i) */
  int j = (int)(first % grid_w), i = (int)(first / grid_w % grid_h), n = (int)(first / ((size_t)grid_w * grid_h));
  for (size_t r = 0; r < count;) {
    const int run = count - r < (size_t)(grid_w - j) ? (int)(count - r) : grid_w - j;
    const float *image = c->src + (size_t)n * src_h * src_w * src_c;
    for (int t = 0; t < taps; t++) {
      const int si = i * step_h + off_h[t];
      const float *row = si >= 0 && si < src_h ? image + (size_t)si * src_w * src_c : NULL;
      fill_run(ind + (size_t)t * c->band + r, run, row, j, step_w, off_w[t], src_w, src_c, c->zeros);
    }
    for (int q = 0; q < run; q++) {
      out[r + q] = c->backward ? c->dst + (((size_t)n * g->h + ph + i * g->stride_h) * g->w + pw + (j + q) * g->stride_w) * (size_t)c->cols
                               : c->dst + (first + r + q) * (size_t)c->cols;
    }
    r += (size_t)run;
    j += run;
    if (j == grid_w) {
      j = 0;
      if (++i == grid_h) {
        i = 0;
        n++;
      }
    }
  }
  for (int b = 0; b < c->blocks; b++) {
    const int col0 = b * nr_panel;
    const int nr = c->cols - col0 < nr_panel ? c->cols - col0 : nr_panel;
    for (int t = 0; t < taps; t++) {
      const int tap = c->backward ? tap_list[t] : t;
      bt[(size_t)b * taps + t] = c->panels + ((size_t)b * c->taps + tap) * (size_t)c->kc * nr_panel;
    }
    float *cols_out[GN_MAX_BAND];
    for (size_t r = 0; r < count; r++) cols_out[r] = out[r] + col0;
    for (size_t r = 0; r < count; r += (size_t)mr_max) {
      const int mr = count - r < (size_t)mr_max ? (int)(count - r) : mr_max;
      const gn_rows_fn rows = c->backward ? c->var->rows : c->var->rows_unfused;
      rows(mr, nr, taps, c->kc, ind + r, c->band, bt + (size_t)b * taps, cols_out + r);
    }
  }
  if (c->epilogue) c->epilogue(c->epilogue_ctx, out, count);
}

/* Panels of NR columns: panel[b][t][k][j] = B_t[k, b·NR + j], zeros past the last column. */
static float *pack_panels(int blocks, int nr_panel, int taps, int kc, int cols, const float *f, int transposed, const gn_fconv_geom *g) {
  float *panels = calloc((size_t)blocks * taps * kc * nr_panel + 16, sizeof(float));
  if (!panels) return NULL;
  for (int b = 0; b < blocks; b++) {
    for (int t = 0; t < taps; t++) {
      float *dst = panels + ((size_t)b * taps + t) * (size_t)kc * nr_panel;
      for (int k = 0; k < kc; k++) {
        for (int j = 0; j < nr_panel; j++) {
          const int col = b * nr_panel + j;
          if (col >= cols) break;
          /* forward: B_t[ci, co] = f[t][ci][co]; backward: B_t[co, ci] = f[t][ci][co] */
          dst[(size_t)k * nr_panel + j] = transposed ? f[((size_t)t * g->c + col) * g->cout + k] : f[((size_t)t * g->c + k) * g->cout + col];
        }
      }
    }
  }
  return panels;
}

/* Rows per band of a pass over `rows` rows of `cols` columns, taps·kc multiply-adds each (the shape alone decides it, never the threads). */
static int band_rows(int taps, int kc, int cols, size_t rows) {
  const double row_macs = (double)taps * kc * cols;
  if (!(row_macs > 0)) return GN_BAND;
  int units = (int)((double)GN_BAND_MACS / (GN_BAND * row_macs) + 0.999);
  const size_t most = rows / ((size_t)GN_MIN_BANDS * GN_BAND);
  if ((size_t)units > most) units = (int)most;
  if (units > GN_MAX_BAND / GN_BAND) units = GN_MAX_BAND / GN_BAND;
  return (units < 1 ? 1 : units) * GN_BAND;
}

static int run_rows(const gn_train_path *p, const gn_fconv_geom *g, int backward, const float *src, const float *f, float *dst, int threads,
                    gn_rows_epilogue_fn epilogue, const void *epilogue_ctx) {
  rows_ctx c;
  memset(&c, 0, sizeof c);
  c.epilogue = epilogue;
  c.epilogue_ctx = epilogue_ctx;
  c.g = g;
  c.backward = backward;
  c.src = src;
  c.dst = dst;
  c.taps = g->kh * g->kw;
  c.cols = backward ? g->c : g->cout;
  c.kc = backward ? g->cout : g->c;
  c.var = rows_variant(p, c.cols);
  c.blocks = (c.cols + c.var->nr - 1) / c.var->nr;
  float *zeros = NULL, *panels = NULL;
  int *phase_info = NULL;
  int status = -1;
  /* per worker: indirection, output rows, tap panels, tap offsets (2 ints a tap, in pointer-sized slots) */
  c.band = band_rows(c.taps, c.kc, c.cols, backward ? (size_t)g->n * g->h * g->w : (size_t)g->n * g->out_h * g->out_w);
  c.scratch_len = (size_t)c.taps * c.band + c.band + (size_t)c.blocks * c.taps + (size_t)c.taps;
  c.scratch = malloc((size_t)threads * c.scratch_len * sizeof(void *));
  if (!c.scratch) goto done;
  if (!zeros_for((size_t)(g->c > g->cout ? g->c : g->cout), &zeros)) goto done;
  c.zeros = zeros;
  panels = pack_panels(c.blocks, c.var->nr, c.taps, c.kc, c.cols, f, backward, g);
  if (!panels) goto done;
  c.panels = panels;
  int tasks;
  if (!backward) {
    c.rows = (size_t)g->n * g->out_h * g->out_w;
    tasks = (int)((c.rows + c.band - 1) / c.band);
  } else {
    c.phases = g->stride_h * g->stride_w;
    phase_info = calloc((size_t)c.phases * (c.taps + 1) + c.phases + 1, sizeof(int));
    if (!phase_info) goto done;
    c.phase_band_start = phase_info;
    c.phase_taps = phase_info + c.phases + 1;
    tasks = 0;
    for (int ph = 0; ph < c.phases; ph++) {
      const int a = ph / g->stride_w, b = ph % g->stride_w;
      const size_t rows = (size_t)g->n * ((g->h - a + g->stride_h - 1) / g->stride_h) * ((g->w - b + g->stride_w - 1) / g->stride_w);
      c.phase_band_start[ph] = tasks;
      tasks += (int)((rows + c.band - 1) / c.band);
      int *list = c.phase_taps + (size_t)ph * (c.taps + 1);
      list[0] = 0;
      for (int t = 0; t < c.taps; t++) {
        const int ky = t / g->kw, kx = t % g->kw;
        /* tap reaches this phase when (a + pad − k·d) is a multiple of the stride */
        const long dh = (long)a + g->pad_top - (long)ky * g->dil_h, dw = (long)b + g->pad_left - (long)kx * g->dil_w;
        if (((dh % g->stride_h) + g->stride_h) % g->stride_h == 0 && ((dw % g->stride_w) + g->stride_w) % g->stride_w == 0) list[1 + list[0]++] = t;
      }
    }
    c.phase_band_start[c.phases] = tasks;
  }
  gn_parallel(threads, tasks, rows_task, &c);
  status = 0;
done:
  free(c.scratch);
  free(zeros);
  free(panels);
  free(phase_info);
  return status;
}

int gn_fconv_forward(const gn_train_path *p, const gn_fconv_geom *g, const float *x, const float *f, float *y, int threads) {
  return run_rows(p, g, 0, x, f, y, threads, NULL, NULL);
}

int gn_fconv_backprop_input(const gn_train_path *p, const gn_fconv_geom *g, const float *dy, const float *f, float *dx, int threads,
                            gn_rows_epilogue_fn epilogue, const void *epilogue_ctx) {
  return run_rows(p, g, 1, dy, f, dx, threads, epilogue, epilogue_ctx);
}

/* ---- the filter gradient ---- */

/*
 * The output pixels are cut into at most GN_FILTER_PARTS parts of at least GN_PART_BLOCKS blocks,
 * each summed into its own copy of dW (part 0 into dW itself), the copies then added in part order.
 * The parts depend on the shape only, never on the thread count, so any number of threads gives the
 * same bits; and each thread reads only its parts' x and dy (split by dW tiles instead, every thread
 * streamed all of them, and two threads ran a 16-channel stride-2 gradient slower than one). Copies
 * take at most GN_PARTIAL_BYTES: wide layers, whose many tiles keep threads busy anyway, get fewer parts.
 */
#define GN_FILTER_PARTS 4
#define GN_PART_BLOCKS 2
#define GN_PARTIAL_BYTES (8u << 20)

/* The calling thread's copies of dW (gn_reused_floats). */
static _Thread_local float *partial_buffer;
static _Thread_local size_t partial_capacity;

typedef struct {
  const gn_fconv_geom *g;
  const gn_reduce_variant *var;
  const float *x, *dy;
  float *df;
  float *partials; /* parts − 1 copies of dW */
  const float *zeros;
  int ci_tiles, tile_rows;
  int parts;
  int groups; /* tasks: part × group; group r owns the r-th of `groups` runs of consecutive tiles */
  const float **scratch; /* per worker: GN_REDUCE_BLOCK row pointers */
} filter_ctx;

/* The first pixel block of part `part` of `parts` over `blocks` blocks. */
static size_t part_start(size_t blocks, int part, int parts) {
  return blocks * (size_t)part / (size_t)parts;
}

/*
 * One task walks the pixel blocks of its part once for its tiles (a tile: one tap, a run of input
 * channels, all output channels): each block of dy is used by every tile while it is in cache.
 * Each tile's sums are chains over the part's pixels in order, continued from block to block, so
 * neither the blocks nor which thread runs a task change a bit of the result.
 */
static void filter_task(void *raw, int task, int worker) {
  const filter_ctx *c = raw;
  const gn_fconv_geom *g = c->g;
  const int taps = g->kh * g->kw;
  const int tiles = taps * c->ci_tiles;
  const size_t pixels = (size_t)g->n * g->out_h * g->out_w;
  const size_t blocks = (pixels + GN_REDUCE_BLOCK - 1) / GN_REDUCE_BLOCK;
  const int part = task / c->groups, group = task % c->groups;
  const size_t first_block = part_start(blocks, part, c->parts), end_block = part_start(blocks, part + 1, c->parts);
  float *sums = part == 0 ? c->df : c->partials + (size_t)(part - 1) * taps * g->c * g->cout;
  const float **a = c->scratch + (size_t)worker * GN_REDUCE_BLOCK;
  const int nr_panel = c->var->nr;
  /* a run of consecutive tiles: mostly of one tap, so the block's row table is built once a tap */
  const int first_tile = (int)((long)tiles * group / c->groups), end_tile = (int)((long)tiles * (group + 1) / c->groups);
  for (size_t block = first_block; block < end_block; block++) {
    const size_t m0 = block * GN_REDUCE_BLOCK;
    const int count = pixels - m0 < GN_REDUCE_BLOCK ? (int)(pixels - m0) : GN_REDUCE_BLOCK;
    const int n0 = (int)(m0 / ((size_t)g->out_h * g->out_w)), oh0 = (int)(m0 / g->out_w % g->out_h), ow0 = (int)(m0 % g->out_w);
    int built_tap = -1;
    for (int tile = first_tile; tile < end_tile; tile++) {
      const int tap = tile / c->ci_tiles;
      if (tap != built_tap) {
        /* row m of the block: the input pixel under `tap` of output pixel m0 + m, or zeros; a run per output row */
        const int off_h = tap / g->kw * g->dil_h - g->pad_top, off_w = tap % g->kw * g->dil_w - g->pad_left;
        int n = n0, oh = oh0, ow = ow0;
        for (int m = 0; m < count;) {
          const int run = count - m < g->out_w - ow ? count - m : g->out_w - ow;
          const int ih = oh * g->stride_h + off_h;
          const float *row = ih >= 0 && ih < g->h ? c->x + ((size_t)n * g->h + ih) * g->w * g->c : NULL;
          fill_run(a + m, run, row, ow, g->stride_w, off_w, g->w, (size_t)g->c, c->zeros);
          m += run;
          ow += run;
          if (ow == g->out_w) {
            ow = 0;
            if (++oh == g->out_h) {
              oh = 0;
              n++;
            }
          }
        }
        built_tap = tap;
      }
      const int ci0 = tile % c->ci_tiles * c->tile_rows;
      const int mr = g->c - ci0 < c->tile_rows ? g->c - ci0 : c->tile_rows;
      for (int col0 = 0; col0 < g->cout; col0 += nr_panel) {
        const int nr = g->cout - col0 < nr_panel ? g->cout - col0 : nr_panel;
        float *out = sums + ((size_t)tap * g->c + ci0) * g->cout + col0;
        c->var->reduce(mr, nr, count, a, ci0, c->dy + m0 * g->cout + col0, (size_t)g->cout, out, (size_t)g->cout, block > first_block);
      }
    }
  }
}

/* Elements of dW per task of the parts' sum. */
#define GN_SUM_CHUNK 16384

typedef struct {
  float *df;
  const float *partials;
  size_t size;
  int copies;
} partial_sum_ctx;

/* dW[i] += copy 1, copy 2, … in that order, for one chunk of i. */
static void partial_sum_task(void *raw, int task, int worker) {
  (void)worker;
  const partial_sum_ctx *s = raw;
  const size_t first = (size_t)task * GN_SUM_CHUNK;
  const size_t end = s->size - first < GN_SUM_CHUNK ? s->size : first + GN_SUM_CHUNK;
  for (int k = 0; k < s->copies; k++) {
    const float *copy = s->partials + (size_t)k * s->size;
    for (size_t i = first; i < end; i++) s->df[i] += copy[i];
  }
}

int gn_fconv_backprop_filter(const gn_train_path *p, const gn_fconv_geom *g, const float *x, const float *dy, float *df, int threads) {
  filter_ctx c;
  memset(&c, 0, sizeof c);
  c.g = g;
  c.x = x;
  c.dy = dy;
  c.df = df;
  c.var = reduce_variant(p, g->cout);
  /* even tiles: 16 channels → two tiles of 8 rather than 14 + 2 */
  const int tiles = (g->c + c.var->mr_max - 1) / c.var->mr_max;
  c.tile_rows = (g->c + tiles - 1) / tiles;
  c.ci_tiles = (g->c + c.tile_rows - 1) / c.tile_rows;
  const int taps = g->kh * g->kw;
  const size_t size = (size_t)taps * g->c * g->cout;
  const size_t pixels = (size_t)g->n * g->out_h * g->out_w;
  if (pixels == 0) {
    memset(df, 0, size * sizeof(float));
    return 0;
  }
  const size_t blocks = (pixels + GN_REDUCE_BLOCK - 1) / GN_REDUCE_BLOCK;
  const size_t affordable = 1 + GN_PARTIAL_BYTES / (size * sizeof(float));
  size_t parts = blocks / GN_PART_BLOCKS < GN_FILTER_PARTS ? blocks / GN_PART_BLOCKS : GN_FILTER_PARTS;
  if (parts > affordable) parts = affordable;
  if (parts < 1) parts = 1;
  c.parts = (int)parts;
  /* parts first (each thread its own pixels); tile groups where the parts are fewer than GN_TASKS_PER_THREAD a thread */
  const int wanted_groups = threads == 1 ? 1 : (GN_TASKS_PER_THREAD * threads + c.parts - 1) / c.parts;
  c.groups = wanted_groups < taps * c.ci_tiles ? wanted_groups : taps * c.ci_tiles;
  float *zeros = NULL;
  c.scratch = malloc((size_t)threads * GN_REDUCE_BLOCK * sizeof(void *));
  c.partials = c.parts > 1 ? gn_reused_floats(&partial_buffer, &partial_capacity, (size_t)(c.parts - 1) * size) : NULL;
  int status = -1;
  if (c.scratch && (c.parts == 1 || c.partials) && zeros_for((size_t)g->c, &zeros)) {
    c.zeros = zeros;
    gn_parallel(threads, c.parts * c.groups, filter_task, &c);
    if (c.parts > 1) {
      partial_sum_ctx sum = {.df = df, .partials = c.partials, .size = size, .copies = c.parts - 1};
      gn_parallel(threads, (int)((size + GN_SUM_CHUNK - 1) / GN_SUM_CHUNK), partial_sum_task, &sum);
    }
    status = 0;
  }
  free(c.scratch);
  free(zeros);
  return status;
}
