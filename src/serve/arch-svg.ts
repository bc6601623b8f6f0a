/**
 * An architecture drawn as what it is (DESIGN §3): the full-precision stem, then each group as K
 * base lanes holding replicas of its blocks (coloured by activation bits), the connection between
 * consecutive groups (`aggregate`: the bases summed into one Σ and broadcast; `soft`: every base of
 * one group feeding every base of the next), and the pooled full-precision classifier. An LBD
 * architecture (`decomposition: 'layer'`) has one lane whose convs are each K binary convs.
 */
import type { ActivationBits, Arch, BlockKind } from '../space/arch.js';
import { escapeXml } from '../search/index.js';

const BLOCK_W = 46;
const BLOCK_H = 24;
const BLOCK_GAP = 6;
const LANE_H = 32;
const GROUP_PAD = 10;
const CONNECTOR_W = 54;
const HEADER = 52;
/** A block's label: B(asic), BN (bottleneck), P(lain), S(kip). */
const BLOCK_LABELS: Record<BlockKind, string> = { basic: 'B', bottleneck: 'BN', plain: 'P', skip: 'S' };
const BITS_COLORS: Record<ActivationBits, string> = { 1: '#4c78a8', 2: '#54a24b', 4: '#f58518', 32: '#9d9d9d' };

interface LaneEnds {
  /** Lane centre y of every base, and the x where the group starts and ends. */
  ys: number[];
  x0: number;
  x1: number;
}

/** The drawing as an SVG document; `title` is the caption above it. */
export function archSvg(arch: Arch, title = arch.name ?? 'architecture'): string {
  const lanesOf = (g: number) => (arch.decomposition === 'layer' ? 1 : arch.bases[g]!);
  const maxLanes = Math.max(1, ...arch.groups.map((_, g) => lanesOf(g)));
  const bodyH = maxLanes * LANE_H + 2 * GROUP_PAD;
  const midY = HEADER + bodyH / 2;
  const parts: string[] = [];
  let x = 8;

  const box = (bx: number, by: number, w: number, h: number, fill: string, label: string, tip: string) =>
    `<g><title>${escapeXml(tip)}</title><rect x="${bx}" y="${by}" width="${w}" height="${h}" rx="3" fill="${fill}" stroke="#333" stroke-width="0.6"/>` +
    `<text x="${bx + w / 2}" y="${by + h / 2 + 3.5}" font-size="9.5" text-anchor="middle" fill="white">${escapeXml(label)}</text></g>`;

  parts.push(
    box(
      x,
      midY - BLOCK_H / 2,
      BLOCK_W,
      BLOCK_H,
      BITS_COLORS[32],
      'stem',
      `stem: full-precision conv ${arch.stem.kernel}×${arch.stem.kernel}, ${arch.stem.filters} filters, stride ${arch.stem.stride}`,
    ),
  );
  let previous: LaneEnds = { ys: [midY], x0: x, x1: x + BLOCK_W };
  x += BLOCK_W + CONNECTOR_W / 2;

  arch.groups.forEach((group, g) => {
    const lanes = lanesOf(g);
    const blocks = group.end - group.start;
    const width = blocks * (BLOCK_W + BLOCK_GAP) - BLOCK_GAP + 2 * GROUP_PAD;
    const height = lanes * LANE_H + 2 * GROUP_PAD;
    const top = midY - height / 2;
    const bits = arch.bits[g]!;
    const color = BITS_COLORS[bits] ?? '#777';
    const bases = arch.bases[g]!;
    parts.push(
      `<rect x="${x}" y="${top}" width="${width}" height="${height}" rx="6" fill="#f6f6f6" stroke="#bbb"/>`,
      `<text x="${x + width / 2}" y="${top - 16}" font-size="10" text-anchor="middle" font-weight="bold">group ${g}</text>`,
      `<text x="${x + width / 2}" y="${top - 5}" font-size="9" text-anchor="middle">${bases} base${bases === 1 ? '' : 's'} · ${bits === 32 ? 'float' : `${bits}-bit`}${arch.decomposition === 'layer' ? ' · LBD' : ''}</text>`,
    );
    const ys: number[] = [];
    for (let lane = 0; lane < lanes; lane++) {
      const y = top + GROUP_PAD + lane * LANE_H + LANE_H / 2;
      ys.push(y);
      for (let b = group.start; b < group.end; b++) {
        const block = arch.blocks[b]!;
        const bx = x + GROUP_PAD + (b - group.start) * (BLOCK_W + BLOCK_GAP);
        const width = arch.widths[block.stage]!;
        const label = `${BLOCK_LABELS[block.kind]}${b}${block.stride === 2 ? '↓' : ''}`;
        const tip =
          `block ${b} (${arch.decomposition === 'layer' ? `each conv ${bases} binary convs` : `base ${lane}`}): ${block.kind}, ${width} filters, ` +
          `kernel ${block.kernel}, stride ${block.stride}${block.dilation > 1 ? `, dilation ${block.dilation}` : ''}, ${bits === 32 ? 'float' : `${bits}-bit activations`}`;
        parts.push(box(bx, y - BLOCK_H / 2, BLOCK_W, BLOCK_H, color, label, tip));
      }
    }
    // How the previous group (or the stem) feeds this one.
    const kind = g === 0 ? 'broadcast' : arch.connections[g - 1]!;
    parts.push(connector(previous, { ys, x0: x, x1: x + width }, kind));
    previous = { ys, x0: x, x1: x + width };
    x += width + CONNECTOR_W;
  });

  const headX = x - CONNECTOR_W / 2;
  parts.push(connector(previous, { ys: [midY], x0: headX, x1: headX + BLOCK_W }, 'aggregate'));
  parts.push(
    box(
      headX,
      midY - BLOCK_H / 2,
      BLOCK_W,
      BLOCK_H,
      BITS_COLORS[32],
      'pool·fc',
      `global average pool, full-precision classifier (${arch.head.classes} classes)`,
    ),
  );
  const width = Math.max(headX + BLOCK_W + 8, 8 + 4 * 78 + 330);
  const height = HEADER + bodyH + 26;
  const legend = ([1, 2, 4, 32] as const)
    .map(
      (b, i) =>
        `<rect x="${8 + i * 78}" y="${height - 16}" width="10" height="10" fill="${BITS_COLORS[b]}"/><text x="${22 + i * 78}" y="${height - 7}" font-size="9">${b === 32 ? 'float' : `${b}-bit act.`}</text>`,
    )
    .join('');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" class="arch">`,
    `<text x="8" y="13" font-size="11">${escapeXml(title)}</text>`,
    ...parts,
    legend,
    `<text x="${8 + 4 * 78}" y="${height - 7}" font-size="9" fill="#555">↓ stride 2 · Σ aggregate · crossing lines: soft connection</text>`,
    '</svg>',
  ].join('\n');
}

/** Lines from the previous group's lane ends to this group's lane starts. */
function connector(from: LaneEnds, to: LaneEnds, kind: 'aggregate' | 'soft' | 'broadcast'): string {
  const line = (x1: number, y1: number, x2: number, y2: number) =>
    `<line x1="${x1.toFixed(1)}" y1="${y1.toFixed(1)}" x2="${x2.toFixed(1)}" y2="${y2.toFixed(1)}" stroke="#555" stroke-width="0.9"/>`;
  const out: string[] = [];
  if (kind === 'soft') {
    for (const a of from.ys) for (const b of to.ys) out.push(line(from.x1, a, to.x0, b));
    return out.join('');
  }
  if (kind === 'broadcast' || from.ys.length === 1) {
    for (const a of from.ys) for (const b of to.ys) out.push(line(from.x1, a, to.x0, b));
    return out.join('');
  }
  const cx = (from.x1 + to.x0) / 2;
  const cy = (Math.min(...from.ys, ...to.ys) + Math.max(...from.ys, ...to.ys)) / 2;
  for (const a of from.ys) out.push(line(from.x1, a, cx - 7, cy));
  for (const b of to.ys) out.push(line(cx + 7, cy, to.x0, b));
  out.push(
    `<g><title>aggregate: the bases summed with learned λ, broadcast to every base of the next group</title><circle cx="${cx}" cy="${cy}" r="7" fill="white" stroke="#333"/>` +
      `<text x="${cx}" y="${cy + 3.5}" font-size="10" text-anchor="middle">Σ</text></g>`,
  );
  return out.join('');
}
