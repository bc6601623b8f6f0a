/*
 * What two threads give on this machine's two cores, outside the project: an AVX-512 FMA loop
 * (compute only) and a streaming read-modify-write at several buffer sizes per thread (caches,
 * then DRAM), each as the throughput of two threads doing the same work as one, over one.
 *   gcc -O2 -march=native -pthread scripts/core-scaling.c -o /tmp/core-scaling && quiet /tmp/core-scaling
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#if defined(__AVX512F__)
#include <immintrin.h>
#endif

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

static volatile float sink;

static void *compute(void *arg) {
  const long iters = (long)arg;
#if defined(__AVX512F__)
  __m512 a[10];
  for (int i = 0; i < 10; i++) a[i] = _mm512_set1_ps(i * 0.001f);
  const __m512 b = _mm512_set1_ps(0.9999f), c = _mm512_set1_ps(0.0001f);
  for (long it = 0; it < iters; it++)
    for (int i = 0; i < 10; i++) a[i] = _mm512_fmadd_ps(a[i], b, c);
  __m512 s = a[0];
  for (int i = 1; i < 10; i++) s = _mm512_add_ps(s, a[i]);
  sink = _mm512_reduce_add_ps(s);
#else
  float a = 0.5f;
  for (long it = 0; it < iters * 10; it++) a = a * 0.9999f + 0.0001f;
  sink = a;
#endif
  return NULL;
}

typedef struct {
  float *x;
  size_t n;
  int rounds;
} stream_arg;

static void *stream(void *raw) {
  const stream_arg *s = raw;
  for (int r = 0; r < s->rounds; r++)
    for (size_t i = 0; i < s->n; i++) s->x[s->n + i] = s->x[i] * 1.0001f + s->x[s->n + i];
  return NULL;
}

/* Seconds of fn(args[0]) alone, then of fn(args[0]) and fn(args[1]) at once. */
static void pair(void *(*fn)(void *), void *a0, void *a1, double *one, double *two) {
  double t0 = now();
  fn(a0);
  *one = now() - t0;
  pthread_t th[2];
  t0 = now();
  pthread_create(&th[0], NULL, fn, a0);
  pthread_create(&th[1], NULL, fn, a1);
  pthread_join(th[0], NULL);
  pthread_join(th[1], NULL);
  *two = now() - t0;
}

int main(void) {
  double one, two;
  for (int rep = 0; rep < 3; rep++) {
    pair(compute, (void *)200000000L, (void *)200000000L, &one, &two);
    printf("compute (FMA): two threads / one %.2f\n", 2 * one / two);
  }
  const size_t sizes[] = {256u << 10, 2u << 20, 8u << 20, 64u << 20};
  for (int k = 0; k < 4; k++) {
    const size_t n = sizes[k] / 4;
    stream_arg s[2];
    for (int t = 0; t < 2; t++) s[t] = (stream_arg){calloc(2 * n, sizeof(float)), n, (int)((1u << 30) / sizes[k])};
    if (!s[0].x || !s[1].x) return 1;
    stream(&s[0]);
    stream(&s[1]);
    pair(stream, &s[0], &s[1], &one, &two);
    printf("stream %5zu KiB a thread: one thread %.1f GB/s, two threads / one %.2f\n", sizes[k] >> 10, 3.0 * n * 4 * s[0].rounds / one / 1e9, 2 * one / two);
    free(s[0].x);
    free(s[1].x);
  }
  return 0;
}
