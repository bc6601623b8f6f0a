/**
 * A counting semaphore over a pool's workers. A task takes a slot before it is handed to piscina,
 * so the tasks of several evaluations that share one pool (the presets beside the candidates)
 * never wait inside piscina's queue, and a task's timeout counts from the moment a worker is free
 * for it rather than from when it was asked for. Slots are granted first come, first served.
 */
export class WorkerSlots {
  private free: number;
  private readonly queue: (() => void)[] = [];

  constructor(count: number) {
    this.free = count;
  }

  /** Resolves with the slot's release (idempotent) once one is free; rejects if `signal` aborts first. */
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const grant = () => {
        signal?.removeEventListener('abort', onAbort);
        let released = false;
        resolve(() => {
          if (released) return;
          released = true;
          this.release();
        });
      };
      const onAbort = () => {
        const at = this.queue.indexOf(grant);
        if (at >= 0) this.queue.splice(at, 1);
        reject(signal!.reason);
      };
      if (this.free > 0) {
        this.free--;
        grant();
        return;
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(grant);
    });
  }

  private release(): void {
    const next = this.queue.shift();
    if (next !== undefined) next();
    else this.free++;
  }
}
