import { describe, expect, it } from 'vitest';
import { BufferArena, scratchFloat32, scratchUint32 } from '../../src/kernels/buffer-arena.js';

describe('BufferArena', () => {
  it('hands the k-th buffer of a run back at the same position of the next run when type and length match', () => {
    const arena = new BufferArena();
    const ask = () => [scratchFloat32(4), scratchUint32(3), scratchFloat32(4)] as const;
    const first = arena.run(ask);
    expect(first[0]).not.toBe(first[2]);
    const second = arena.run(ask);
    second.forEach((buffer, k) => expect(buffer).toBe(first[k]));
    expect(arena.size).toBe(3);
  });

  it('a position asked for another type or length gets a new buffer, kept for the next run', () => {
    const arena = new BufferArena();
    const first = arena.run(() => scratchFloat32(4));
    const longer = arena.run(() => scratchFloat32(5));
    expect(longer).not.toBe(first);
    expect(longer.length).toBe(5);
    const other = arena.run(() => scratchUint32(5));
    expect(other).toBeInstanceOf(Uint32Array);
    expect(arena.run(() => scratchUint32(5))).toBe(other);
  });

  it('outside a run every call allocates; a nested run serves until it returns, even when it throws', () => {
    expect(scratchFloat32(2)).not.toBe(scratchFloat32(2));
    const outer = new BufferArena();
    const inner = new BufferArena();
    const seen = outer.run(() => {
      const a = scratchFloat32(2);
      expect(() =>
        inner.run(
          () => (
            scratchFloat32(2),
            (() => {
              throw new Error('boom');
            })()
          ),
        ),
      ).toThrow('boom');
      const b = scratchFloat32(2);
      return [a, b];
    });
    expect(outer.size).toBe(2);
    expect(inner.size).toBe(1);
    const again = outer.run(() => [scratchFloat32(2), scratchFloat32(2)]);
    expect(again).toEqual(seen);
    expect(again[0]).toBe(seen[0]);
    expect(again[1]).toBe(seen[1]);
  });
});
