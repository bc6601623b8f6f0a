/*
 * Two-thread split of a kernel call (optional, `threads: 2`): the calling thread runs part 0
 * and one helper thread, started on first use and then parked on a condition variable, runs
 * part 1. One helper per process: a call that finds it busy (another Node worker thread is
 * using it) runs single-threaded instead of waiting.
 */
#include <pthread.h>
#include "kernels.h"

static pthread_mutex_t helper_owner = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t job_ready = PTHREAD_COND_INITIALIZER;
static pthread_cond_t job_finished = PTHREAD_COND_INITIALIZER;
static int started = 0;
static int pending = 0;
static int finished = 0;
static gn_part_fn job_fn;
static void *job_ctx;

static void *helper_main(void *arg) {
  (void)arg;
  pthread_mutex_lock(&lock);
  for (;;) {
    while (!pending) pthread_cond_wait(&job_ready, &lock);
    pending = 0;
    gn_part_fn fn = job_fn;
    void *ctx = job_ctx;
    pthread_mutex_unlock(&lock);
    fn(ctx, 1, 2);
    pthread_mutex_lock(&lock);
    finished = 1;
    pthread_cond_signal(&job_finished);
  }
  return 0;
}

int gn_run_parts(int threads, gn_part_fn fn, void *ctx) {
  if (threads < 2 || pthread_mutex_trylock(&helper_owner) != 0) {
    fn(ctx, 0, 1);
    return 1;
  }
  pthread_mutex_lock(&lock);
  if (!started) {
    pthread_t tid;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    const int err = pthread_create(&tid, &attr, helper_main, 0);
    pthread_attr_destroy(&attr);
    if (err != 0) {
      pthread_mutex_unlock(&lock);
      pthread_mutex_unlock(&helper_owner);
      fn(ctx, 0, 1);
      return 1;
    }
    started = 1;
  }
  job_fn = fn;
  job_ctx = ctx;
  finished = 0;
  pending = 1;
  pthread_cond_signal(&job_ready);
  pthread_mutex_unlock(&lock);
  fn(ctx, 0, 2);
  pthread_mutex_lock(&lock);
  while (!finished) pthread_cond_wait(&job_finished, &lock);
  pthread_mutex_unlock(&lock);
  pthread_mutex_unlock(&helper_owner);
  return 2;
}
