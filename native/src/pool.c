/*
 * The kernels' persistent thread pool. Each calling thread (the Node main thread, each
 * evaluation worker) owns its helpers, so two workers never wait for each other and
 * `threads` = cores ÷ workers keeps the machine exactly busy. Helpers spin briefly after a
 * job, since a training step calls kernels back to back (a sleeping helper takes tens of
 * microseconds to wake), then sleep on a condition variable.
 *
 * Each thread runs its own contiguous range of a job's tasks, then takes what is left of the
 * others' (see run_tasks), so which thread runs a task still varies from run to run; kernels
 * make that harmless by giving every task its own outputs and a fixed order of work.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include "kernels.h"
#include "train.h"

#if defined(__x86_64__)
#include <immintrin.h>
#define GN_PAUSE() _mm_pause()
#else
#define GN_PAUSE() ((void)0)
#endif

/*
 * Pause instructions a helper spins for before it sleeps (≈ 1 ms): a training step leaves tens to
 * hundreds of microseconds of JavaScript between kernel calls, and a helper that slept through
 * them costs each call a wake-up.
 */
#define GN_SPIN 40000
#define GN_MAX_HELPERS 63

typedef struct {
  pthread_mutex_t lock;
  pthread_cond_t wake;
  pthread_t tids[GN_MAX_HELPERS];
  int helpers;
  int stopping;
  /* generation << 8 | active: helpers 0..active−1 take part in job `generation`; one word,
   * so a helper never pairs one job's generation with another's helper count */
  _Atomic uint64_t state;
  /* the current job */
  gn_task_fn fn;
  void *ctx;
  int tasks;
  int workers; /* the active helpers and the caller */
  /* worker w's own range of tasks is [w·tasks/workers, (w+1)·tasks/workers); next[w] is its front */
  struct {
    _Alignas(64) _Atomic int front;
  } next[GN_MAX_HELPERS + 1];
  _Atomic int running; /* active helpers that have not finished the job */
} gn_pool;

typedef struct {
  gn_pool *pool;
  int index;
  uint64_t seen; /* the state before the helper existed: any later job is news to it */
} gn_helper_arg;

static _Thread_local gn_pool *own_pool;

static int range_end(const gn_pool *p, int w) {
  return (int)((long)p->tasks * (w + 1) / p->workers);
}

/*
 * A worker runs its own contiguous range first, then helps with the others' from their fronts.
 * Kernels cut their work along the batch in task order, so a thread keeps the same part of
 * consecutive kernels' tensors: data one thread wrote and the other then reads crosses between
 * the cores' caches, which costs this VM's cores more than the work itself.
 */
static void run_tasks(gn_pool *p, int worker) {
  for (int k = 0; k < p->workers; k++) {
    const int w = (worker + k) % p->workers;
    const int end = range_end(p, w);
    for (;;) {
      const int t = atomic_fetch_add_explicit(&p->next[w].front, 1, memory_order_relaxed);
      if (t >= end) break;
      p->fn(p->ctx, t, worker);
    }
  }
}

static void *helper_main(void *raw) {
  gn_helper_arg arg = *(gn_helper_arg *)raw;
  free(raw);
  gn_pool *p = arg.pool;
  uint64_t seen = arg.seen;
  for (;;) {
    uint64_t s = seen;
    for (int spin = 0; spin < GN_SPIN && (s = atomic_load_explicit(&p->state, memory_order_acquire)) == seen; spin++) GN_PAUSE();
    if (s == seen) {
      pthread_mutex_lock(&p->lock);
      while ((s = atomic_load_explicit(&p->state, memory_order_acquire)) == seen && !p->stopping) pthread_cond_wait(&p->wake, &p->lock);
      const int stop = p->stopping;
      pthread_mutex_unlock(&p->lock);
      if (stop) return NULL;
    }
    seen = s;
    if (arg.index < (int)(s & 0xff)) {
      run_tasks(p, arg.index + 1);
      atomic_fetch_sub_explicit(&p->running, 1, memory_order_release);
    }
  }
}

static gn_pool *pool_with(int helpers) {
  gn_pool *p = own_pool;
  if (!p) {
    p = calloc(1, sizeof *p);
    if (!p) return NULL;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->wake, NULL);
    own_pool = p;
  }
  while (p->helpers < helpers) {
    gn_helper_arg *arg = malloc(sizeof *arg);
    if (!arg) break;
    arg->pool = p;
    arg->index = p->helpers;
    arg->seen = atomic_load_explicit(&p->state, memory_order_relaxed);
    if (pthread_create(&p->tids[p->helpers], NULL, helper_main, arg) != 0) {
      free(arg);
      break;
    }
    p->helpers++;
  }
  return p;
}

int gn_parallel(int threads, int tasks, gn_task_fn fn, void *ctx) {
  if (tasks <= 0) return 1;
  int want = threads - 1;
  if (want > tasks - 1) want = tasks - 1;
  if (want > GN_MAX_HELPERS) want = GN_MAX_HELPERS;
  gn_pool *p = want > 0 ? pool_with(want) : NULL;
  if (!p || p->helpers == 0) {
    for (int t = 0; t < tasks; t++) fn(ctx, t, 0);
    return 1;
  }
  const int active = want < p->helpers ? want : p->helpers;
  p->fn = fn;
  p->ctx = ctx;
  p->tasks = tasks;
  p->workers = active + 1;
  for (int w = 0; w < p->workers; w++) atomic_store_explicit(&p->next[w].front, (int)((long)tasks * w / p->workers), memory_order_relaxed);
  atomic_store_explicit(&p->running, active, memory_order_relaxed);
  const uint64_t generation = (atomic_load_explicit(&p->state, memory_order_relaxed) >> 8) + 1;
  pthread_mutex_lock(&p->lock);
  atomic_store_explicit(&p->state, generation << 8 | (uint64_t)active, memory_order_release);
  pthread_cond_broadcast(&p->wake);
  pthread_mutex_unlock(&p->lock);
  run_tasks(p, 0);
  while (atomic_load_explicit(&p->running, memory_order_acquire) > 0) GN_PAUSE();
  return active + 1;
}

typedef struct {
  gn_part_fn fn;
  void *ctx;
  int parts;
} gn_parts_job;

static void part_task(void *ctx, int task, int worker) {
  (void)worker;
  const gn_parts_job *job = (const gn_parts_job *)ctx;
  job->fn(job->ctx, task, job->parts);
}

int gn_run_parts(int threads, gn_part_fn fn, void *ctx) {
  const int wanted = threads <= 1 ? 1 : threads * GN_TASKS_PER_THREAD;
  const int parts = wanted > GN_MAX_PARTS ? GN_MAX_PARTS : wanted;
  if (parts == 1) {
    fn(ctx, 0, 1);
    return 1;
  }
  gn_parts_job job = {fn, ctx, parts};
  gn_parallel(threads, parts, part_task, &job);
  return parts;
}

/* Stop and join the calling thread's helpers (its Node environment is going away). */
void gn_pool_shutdown(void) {
  gn_pool *p = own_pool;
  if (!p) return;
  pthread_mutex_lock(&p->lock);
  p->stopping = 1;
  pthread_cond_broadcast(&p->wake);
  pthread_mutex_unlock(&p->lock);
  for (int i = 0; i < p->helpers; i++) pthread_join(p->tids[i], NULL);
  pthread_cond_destroy(&p->wake);
  pthread_mutex_destroy(&p->lock);
  free(p);
  own_pool = NULL;
}
