/** An architecture in one line, for reports, tooltips and logs. */
import type { Arch } from './arch.js';

/**
 * "[0–0] K=2 1-bit [1–2] K=3 2-bit; connections soft; widths 16/32/64" — each group's blocks, bases
 * and bits, the connections and widths; then the block operations, kernels and dilations where
 * they are not the same for every block (what a search over them chose).
 */
export function describeArch(arch: Arch): string {
  const groups = arch.groups.map((g, i) => `[${g.start}–${g.end - 1}] K=${arch.bases[i]} ${arch.bits[i] === 32 ? 'float' : `${arch.bits[i]}-bit`}`).join(' ');
  const parts = [groups, ...(arch.connections.length > 0 ? [`connections ${arch.connections.join(', ')}`] : []), `widths ${arch.widths.join('/')}`];
  const varying = (label: string, values: (string | number)[]) => (new Set(values).size > 1 ? [`${label} ${values.join('/')}`] : []);
  parts.push(
    ...varying(
      'blocks',
      arch.blocks.map((b) => b.kind),
    ),
    ...varying(
      'kernels',
      arch.blocks.map((b) => b.kernel),
    ),
    ...varying(
      'dilations',
      arch.blocks.map((b) => b.dilation),
    ),
  );
  return parts.join('; ');
}
