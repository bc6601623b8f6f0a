/**
 * The latency-table entries an architecture consists of: one per conv layer, with the
 * spatial size it runs at, its activation bits and how many bases run it (K paths under
 * group decomposition, K convs per layer under LBD — the same work either way).
 * Summing their measured latencies predicts the model's latency; `groupnas bench` prints
 * that prediction beside the measured whole-model time so the table's error is visible.
 */
import type { Arch } from '../space/arch.js';
import { convGeometry } from './conv-spec.js';
import { lookupLatency, type LatencyEntry, type LatencyTable } from './latency-table.js';

function outSize(size: number, kernel: number, stride: number, dilation: number): number {
  return convGeometry(size, size, { kernel, stride, dilation, padding: 'symmetric' }).outH;
}

export function latencyEntriesOf(arch: Arch): LatencyEntry[] {
  const entries: LatencyEntry[] = [];
  const conv = (h: number, w: number, inChannels: number, outChannels: number, kernel: number, stride: number, dilation: number, bits: LatencyEntry['bits'], bases: number): void => {
    entries.push({ h, w, inChannels, outChannels, kernel, stride, dilation, bits, bases });
  };
  const { stem } = arch;
  conv(arch.input.height, arch.input.width, arch.input.channels, stem.filters, stem.kernel, stem.stride, 1, 32, 1);
  let h = outSize(arch.input.height, stem.kernel, stem.stride, 1);
  let w = outSize(arch.input.width, stem.kernel, stem.stride, 1);
  let channels = stem.filters;
  arch.groups.forEach((group, g) => {
    const bits = arch.bits[g]!;
    const bases = arch.bases[g]!;
    for (let i = group.start; i < group.end; i++) {
      const b = arch.blocks[i]!;
      const width = arch.widths[b.stage]!;
      const oh = outSize(h, b.kernel, b.stride, b.dilation);
      const ow = outSize(w, b.kernel, b.stride, b.dilation);
      const out = b.kind === 'bottleneck' ? 4 * width : width;
      if (b.kind === 'basic') {
        conv(h, w, channels, width, b.kernel, b.stride, b.dilation, bits, bases);
        conv(oh, ow, width, width, b.kernel, 1, b.dilation, bits, bases);
      } else if (b.kind === 'bottleneck') {
        conv(h, w, channels, width, 1, 1, 1, bits, bases);
        conv(h, w, width, width, b.kernel, b.stride, b.dilation, bits, bases);
        conv(oh, ow, width, out, 1, 1, 1, bits, bases);
      } else {
        conv(h, w, channels, width, b.kernel, b.stride, b.dilation, bits, bases);
      }
      // the full-precision projection shortcut, once per path
      if (b.kind !== 'plain' && (b.stride !== 1 || channels !== out)) conv(oh, ow, channels, out, 1, 1, 1, 32, arch.decomposition === 'layer' ? 1 : bases);
      h = oh;
      w = ow;
      channels = out;
    }
  });
  return entries;
}

/** Predicted batch-1 latency of an arch: the sum of its entries' measured latencies. */
export function predictArchLatency(table: LatencyTable, arch: Arch): number {
  return latencyEntriesOf(arch).reduce((sum, e) => sum + lookupLatency(table, e), 0);
}
