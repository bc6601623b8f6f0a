/**
 * Buffers re-used by a computation that asks for the same sequence of buffers every time it runs
 * (a packed model's sub-batch). Inside `arena.run(fn)`, the k-th `scratchFloat32` / `scratchUint32`
 * call gets the k-th buffer of the arena's run before when its type and length match, else a new
 * one; outside any run they allocate as `new` does.
 *
 * Why: a sub-batch of 8 images through Group-Net R (K=5) allocated ~30 MB in ~160 arrays, and V8
 * answered that churn with a collection every few milliseconds ("external memory pressure") whose
 * helper threads took the second core from a second model thread: batch 64 on two threads ran
 * 1.07–1.38× one, 1.93–1.98× with `node --single-threaded-gc`.
 *
 * A scratch buffer's contents are whatever the run before left there: every caller writes each
 * element before reading it. It stays valid until the same position of the arena's next run, so
 * whatever leaves `run` must be copied.
 */

type Scratch = Float32Array | Uint32Array;

export class BufferArena {
  private readonly buffers: Scratch[] = [];
  private next = 0;

  /** fn() with this arena handing out the scratch buffers (runs nest: the inner arena serves until it returns). */
  run<T>(fn: () => T): T {
    const outer = active;
    active = this;
    this.next = 0;
    try {
      return fn();
    } finally {
      active = outer;
    }
  }

  /** Buffers held between runs (for tests and memory reports). */
  get size(): number {
    return this.buffers.length;
  }

  take<T extends Scratch>(kind: new (length: number) => T, length: number): T {
    const k = this.next++;
    const held = this.buffers[k];
    if (held instanceof kind && held.length === length) return held;
    const fresh = new kind(length);
    this.buffers[k] = fresh;
    return fresh;
  }
}

let active: BufferArena | undefined;

/** A Float32Array of `length` whose every element the caller writes before reading it. */
export function scratchFloat32(length: number): Float32Array {
  return active ? active.take(Float32Array, length) : new Float32Array(length);
}

/** A Uint32Array of `length` whose every element the caller writes before reading it. */
export function scratchUint32(length: number): Uint32Array {
  return active ? active.take(Uint32Array, length) : new Uint32Array(length);
}
