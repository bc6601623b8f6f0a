/**
 * The latency-table entries an architecture consists of: one per conv layer, with the
 * spatial size it runs at, its activation bits and how many bases run it (K paths under
 * group decomposition, K convs per layer under LBD — the same work either way).
 * The layers and their shapes come from src/space's `summarize` — the one walk of an arch
 * — so the priced layers are exactly the ones the cost accounting reports.
 * Summing their measured latencies predicts the model's latency; `groupnas bench kernels`
 * prints that prediction beside the measured whole-model time so the table's error is visible.
 */
import type { ActivationBits, Arch } from '../space/arch.js';
import { summarize } from '../space/summary.js';
import { lookupLatency, type LatencyEntry, type LatencyTable } from './latency-table.js';

export function latencyEntriesOf(arch: Arch): LatencyEntry[] {
  const entries: LatencyEntry[] = [];
  for (const layer of summarize(arch).layers) {
    if (layer.kind !== 'conv') continue;
    const [h, w, inChannels] = layer.inputShape;
    const outChannels = layer.outputShape[2];
    const kernel = layer.kernel ?? 1;
    const stride = layer.stride ?? 1;
    const bits = layer.bits as ActivationBits;
    const shortcut = layer.name.endsWith('.shortcut');
    // A projection shortcut average-pools first (stride), then runs a 1×1 conv at the output size.
    entries.push(
      shortcut
        ? { h: layer.outputShape[0], w: layer.outputShape[1], inChannels, outChannels, kernel, stride: 1, dilation: 1, bits, bases: layer.replicas }
        : { h, w, inChannels, outChannels, kernel, stride, dilation: layer.dilation ?? 1, bits, bases: layer.replicas },
    );
  }
  return entries;
}

/** Predicted batch-1 latency of an arch: the sum of its entries' measured latencies. */
export function predictArchLatency(table: LatencyTable, arch: Arch): number {
  return latencyEntriesOf(arch).reduce((sum, e) => sum + lookupLatency(table, e), 0);
}
