/**
 * Cost accounting of an architecture, like larq's `summary()`: per layer and in total, params
 * (binary and float), packed memory, binary MACs, BOPs and float MACs. The layer semantics are
 * the ones documented on `Arch` (arch.ts). Conventions: BN counts 4 float params per channel
 * (γ, β, running mean and variance, as Keras/larq report); pools and element-wise adds cost no
 * MACs; a binary weight is stored in 1 bit, a float in 32.
 */
import type { Arch, ArchBlock } from './arch.js';

/** Height, width, channels. */
export type Shape3 = [number, number, number];

export interface CostCounts {
  params: number;
  binaryParams: number;
  floatParams: number;
  /** Packed size: binary params at 1 bit, float params at 32 bits. */
  memoryBytes: number;
  /** Multiply-accumulates with binary weights (any activation precision). */
  binaryMacs: number;
  /** Bit operations: binary MACs × activation bits × weight bits (1). */
  bops: number;
  floatMacs: number;
}

export interface LayerSummary extends CostCounts {
  name: string;
  /** `resize`: the FCN head's bilinear up-sampling (4 multiply-adds per output value, no parameters). */
  kind: 'conv' | 'dense' | 'mix' | 'resize';
  precision: 'binary' | 'float';
  /** Block and group the layer belongs to; absent for the stem and head. */
  block?: number;
  group?: number;
  /** Copies of the layer: the group's K for replicated layers, else 1. Counts are totals over replicas. */
  replicas: number;
  /** Activation bits the layer's input is quantized to (32 = float). */
  bits: number;
  kernel?: number;
  stride?: number;
  /** Dilation of a block's k×k conv (1 = ordinary); MACs do not depend on it, latency may. */
  dilation?: number;
  /** BPAC: the dilation of each replica when the group's bases take their own rates (then `dilation` is absent). */
  baseDilations?: number[];
  inputShape: Shape3;
  outputShape: Shape3;
}

export interface ArchSummary {
  name?: string;
  layers: LayerSummary[];
  totals: CostCounts;
}

const BN_PARAMS_PER_CHANNEL = 4;

function zeroCounts(): CostCounts {
  return { params: 0, binaryParams: 0, floatParams: 0, memoryBytes: 0, binaryMacs: 0, bops: 0, floatMacs: 0 };
}

function counts(binaryParams: number, floatParams: number, binaryMacs: number, bits: number, floatMacs: number): CostCounts {
  return {
    params: binaryParams + floatParams,
    binaryParams,
    floatParams,
    memoryBytes: binaryParams / 8 + floatParams * 4,
    binaryMacs,
    bops: binaryMacs * bits,
    floatMacs,
  };
}

/** Output side of a `same`-padded layer of stride s. */
function outSide(side: number, stride: number): number {
  return Math.ceil(side / stride);
}

interface ConvSpec {
  name: string;
  kernel: number;
  stride: number;
  cin: number;
  cout: number;
  dilation?: number;
}

/** Convolutions of one block (main path, then its projection shortcut if any) and the block's output channels. */
function blockConvs(block: ArchBlock, index: number, cin: number, width: number): { main: ConvSpec[]; shortcut?: ConvSpec; cout: number } {
  const p = `block${index}`;
  const k = block.kernel;
  if (block.kind === 'basic') {
    const main = [
      { name: `${p}.conv1`, kernel: k, stride: block.stride, cin, cout: width, dilation: block.dilation },
      { name: `${p}.conv2`, kernel: k, stride: 1, cin: width, cout: width, dilation: block.dilation },
    ];
    const needsProjection = block.stride !== 1 || cin !== width;
    return { main, cout: width, ...(needsProjection ? { shortcut: { name: `${p}.shortcut`, kernel: 1, stride: block.stride, cin, cout: width } } : {}) };
  }
  if (block.kind === 'bottleneck') {
    const out = 4 * width;
    const main = [
      { name: `${p}.conv1`, kernel: 1, stride: 1, cin, cout: width },
      { name: `${p}.conv2`, kernel: k, stride: block.stride, cin: width, cout: width, dilation: block.dilation },
      { name: `${p}.conv3`, kernel: 1, stride: 1, cin: width, cout: out },
    ];
    const needsProjection = block.stride !== 1 || cin !== out;
    return { main, cout: out, ...(needsProjection ? { shortcut: { name: `${p}.shortcut`, kernel: 1, stride: block.stride, cin, cout: out } } : {}) };
  }
  if (block.kind === 'skip') {
    const needsProjection = block.stride !== 1 || cin !== width;
    return { main: [], cout: width, ...(needsProjection ? { shortcut: { name: `${p}.shortcut`, kernel: 1, stride: block.stride, cin, cout: width } } : {}) };
  }
  return { main: [{ name: `${p}.conv1`, kernel: k, stride: block.stride, cin, cout: width, dilation: block.dilation }], cout: width };
}

export function summarize(arch: Arch): ArchSummary {
  const layers: LayerSummary[] = [];
  let h = arch.input.height;
  let w = arch.input.width;
  let c = arch.input.channels;

  // Stem: float conv + BN (+ max-pool, free).
  {
    const { kernel, stride, filters } = arch.stem;
    const oh = outSide(h, stride);
    const ow = outSide(w, stride);
    const macs = oh * ow * filters * kernel * kernel * c;
    layers.push({
      name: 'stem.conv',
      kind: 'conv',
      precision: 'float',
      replicas: 1,
      bits: 32,
      kernel,
      stride,
      inputShape: [h, w, c],
      outputShape: [oh, ow, filters],
      ...counts(0, kernel * kernel * c * filters + BN_PARAMS_PER_CHANNEL * filters, 0, 0, macs),
    });
    h = oh;
    w = ow;
    c = filters;
    if (arch.stem.pool) {
      h = outSide(h, arch.stem.pool.stride);
      w = outSide(w, arch.stem.pool.stride);
    }
  }

  const layerwise = arch.decomposition === 'layer';
  /** FCN-16s scores the output of the second-to-last stage. */
  const skipStage = arch.widths.length - 2;
  let skip: Shape3 | undefined;
  arch.groups.forEach((group, g) => {
    const K = arch.bases[g]!;
    const rates = arch.dilations?.[g] ?? [];
    const bits = arch.bits[g]!;
    const binary = bits !== 32;
    for (let b = group.start; b < group.end; b++) {
      const block = arch.blocks[b]!;
      const convs = blockConvs(block, b, c, arch.widths[block.stage]!);
      const blockInput: Shape3 = [h, w, c];
      for (const conv of convs.main) {
        const oh = outSide(h, conv.stride);
        const ow = outSide(w, conv.stride);
        const weights = conv.kernel * conv.kernel * conv.cin * conv.cout;
        const macs = oh * ow * conv.cout * conv.kernel * conv.kernel * conv.cin;
        // Group decomposition replicates the BN with the block; LBD sums the K convs, then one BN.
        const bn = BN_PARAMS_PER_CHANNEL * conv.cout * (layerwise ? 1 : K);
        layers.push({
          name: conv.name,
          kind: 'conv',
          precision: binary ? 'binary' : 'float',
          block: b,
          group: g,
          replicas: K,
          bits,
          kernel: conv.kernel,
          stride: conv.stride,
          ...(conv.dilation !== undefined ? (rates.length > 0 ? { baseDilations: [...rates] } : { dilation: conv.dilation }) : {}),
          inputShape: [h, w, conv.cin],
          outputShape: [oh, ow, conv.cout],
          ...(binary ? counts(K * weights, bn, K * macs, bits, 0) : counts(0, K * weights + bn, 0, 0, K * macs)),
        });
        if (layerwise && K > 1) {
          layers.push(mixLayer(`${conv.name}.sum`, b, g, K, [oh, ow, conv.cout], K));
        }
        h = oh;
        w = ow;
      }
      if (convs.main.length === 0) {
        // A skip block: the shortcut alone sets the output resolution.
        h = outSide(h, block.stride);
        w = outSide(w, block.stride);
      }
      if (convs.shortcut) {
        const s = convs.shortcut;
        // avg-pool(stride) then a float 1×1 conv at the block's output resolution.
        const replicas = layerwise ? 1 : K;
        const macs = h * w * s.cout * s.cin;
        layers.push({
          name: s.name,
          kind: 'conv',
          precision: 'float',
          block: b,
          group: g,
          replicas,
          bits: 32,
          kernel: 1,
          stride: s.stride,
          inputShape: blockInput,
          outputShape: [h, w, s.cout],
          ...counts(0, replicas * (s.cin * s.cout + BN_PARAMS_PER_CHANNEL * s.cout), 0, 0, replicas * macs),
        });
      }
      c = convs.cout;
      if (block.stage === skipStage) skip = [h, w, c];
    }
    if (!layerwise && g < arch.groups.length - 1) {
      const next = arch.bases[g + 1]!;
      const connection = arch.connections[g]!;
      const mixed = connection === 'soft' ? K * next : K;
      layers.push(mixLayer(`group${g}.${connection}`, group.end - 1, g, K, [h, w, c], mixed));
    }
  });
  const lastK = arch.bases[arch.bases.length - 1] ?? 1;
  if (!layerwise) layers.push(mixLayer('head.aggregate', undefined, arch.groups.length - 1, lastK, [h, w, c], lastK));

  if (arch.head.fcn !== undefined) {
    layers.push(...fcnHeadLayers(arch, [h, w, c], arch.head.fcn === '16s' ? skip : undefined));
  } else {
    layers.push(classifierLayer(arch, c));
  }

  const kept = layers.filter((l) => l.kind !== 'mix' || l.params > 0);
  return { ...(arch.name !== undefined ? { name: arch.name } : {}), layers: kept, totals: addCounts(kept) };
}

function classifierLayer(arch: Arch, c: number): LayerSummary {
  return {
    name: 'head.fc',
    kind: 'dense',
    precision: 'float',
    replicas: 1,
    bits: 32,
    inputShape: [1, 1, c],
    outputShape: [1, 1, arch.head.classes],
    ...counts(0, c * arch.head.classes + arch.head.classes, 0, 0, c * arch.head.classes),
  };
}

/**
 * The FCN head: a float 1×1 classifier (with bias) on the last map; for 16s a second one on the
 * skip map, the coarse scores up-sampled to the skip's size and added; then the scores up-sampled
 * to the input. Each bilinear up-sampling costs 4 multiply-adds per output value (skipped when
 * the sizes already match).
 */
function fcnHeadLayers(arch: Arch, last: Shape3, skip: Shape3 | undefined): LayerSummary[] {
  const classes = arch.head.classes;
  const classifier = (name: string, [h, w, c]: Shape3): LayerSummary => ({
    name,
    kind: 'conv',
    precision: 'float',
    replicas: 1,
    bits: 32,
    kernel: 1,
    stride: 1,
    inputShape: [h, w, c],
    outputShape: [h, w, classes],
    ...counts(0, c * classes + classes, 0, 0, h * w * c * classes),
  });
  const resize = (name: string, [h, w]: Shape3, [oh, ow]: readonly [number, number]): LayerSummary[] =>
    h === oh && w === ow
      ? []
      : [
          {
            name,
            kind: 'resize',
            precision: 'float',
            replicas: 1,
            bits: 32,
            inputShape: [h, w, classes],
            outputShape: [oh, ow, classes],
            ...counts(0, 0, 0, 0, 4 * oh * ow * classes),
          },
        ];
  const layers = [classifier('head.classifier', last)];
  let scores: Shape3 = [last[0], last[1], classes];
  if (skip !== undefined) {
    layers.push(classifier('head.skip', skip), ...resize('head.upsample16', scores, [skip[0], skip[1]]));
    scores = [skip[0], skip[1], classes];
  }
  layers.push(...resize('head.upsample', scores, [arch.input.height, arch.input.width]));
  return layers;
}

/**
 * A λ-weighted mix of bases: `coefficients` learned scalars, `coefficients` multiply-adds per output
 * element. A single coefficient is folded into BN, so it costs nothing and is dropped.
 */
function mixLayer(name: string, block: number | undefined, group: number, replicas: number, shape: Shape3, coefficients: number): LayerSummary {
  const folded = coefficients <= 1;
  const elements = shape[0] * shape[1] * shape[2];
  return {
    name,
    kind: 'mix',
    precision: 'float',
    ...(block !== undefined ? { block } : {}),
    group,
    replicas,
    bits: 32,
    inputShape: shape,
    outputShape: shape,
    ...counts(0, folded ? 0 : coefficients, 0, 0, folded ? 0 : coefficients * elements),
  };
}

export function addCounts(items: readonly CostCounts[]): CostCounts {
  const total = zeroCounts();
  for (const l of items) {
    total.params += l.params;
    total.binaryParams += l.binaryParams;
    total.floatParams += l.floatParams;
    total.memoryBytes += l.memoryBytes;
    total.binaryMacs += l.binaryMacs;
    total.bops += l.bops;
    total.floatMacs += l.floatMacs;
  }
  return total;
}
