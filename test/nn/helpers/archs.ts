import type { ActivationBits, Arch, ArchBlock, BlockKind, Connection, Decomposition } from '../../../src/space/arch.js';

/** Hand-built test Archs (presets are src/space's): tiny shapes so a forward/backward pass takes milliseconds. */
export interface TinyArchOptions {
  kind?: BlockKind;
  /** Blocks per stage; default [1, 1] (two stages, the second down-sampling). */
  blocksPerStage?: number[];
  widths?: number[];
  /** Groups as [start, end) pairs; default one block per group. */
  groups?: [number, number][];
  bases?: number | number[];
  bits?: ActivationBits | ActivationBits[];
  connection?: Connection | Connection[];
  decomposition?: Decomposition;
  input?: { height: number; width: number; channels: number };
  classes?: number;
}

export function tinyArch(o: TinyArchOptions = {}): Arch {
  const perStage = o.blocksPerStage ?? [1, 1];
  const blocks: ArchBlock[] = [];
  perStage.forEach((n, stage) => {
    for (let i = 0; i < n; i++) {
      blocks.push({ kind: o.kind ?? 'basic', stage, stride: stage > 0 && i === 0 ? 2 : 1, kernel: 3, dilation: 1 });
    }
  });
  const groups = (o.groups ?? blocks.map((_, i) => [i, i + 1] as [number, number])).map(([start, end]) => ({ start, end }));
  const perGroup = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : groups.map(() => v));
  const connections =
    o.connection === undefined
      ? groups.slice(1).map((): Connection => 'soft')
      : Array.isArray(o.connection)
        ? o.connection
        : groups.slice(1).map(() => o.connection as Connection);
  return {
    format: 'groupnas.arch',
    version: 1,
    input: o.input ?? { height: 8, width: 8, channels: 1 },
    stem: { filters: 4, kernel: 3, stride: 1 },
    blocks,
    widths: o.widths ?? perStage.map((_, s) => 4 * 2 ** s),
    groups,
    bases: perGroup(o.bases ?? 1),
    bits: perGroup(o.bits ?? 32),
    connections,
    decomposition: o.decomposition ?? 'group',
    head: { classes: o.classes ?? 3 },
    provenance: { tool: 'groupnas', toolVersion: 'test', source: 'user' },
  };
}

/** The full-precision twin, K = 1: a plain tiny ResNet. */
export function tinyFpArch(o: TinyArchOptions = {}): Arch {
  return tinyArch({ bits: 32, bases: 1, connection: 'aggregate', ...o });
}
