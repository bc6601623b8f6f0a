/**
 * The discrete architecture: what a search derives, a preset names, `buildModel`
 * builds, `summary` counts and `arch.json` stores (DESIGN §3, §6).
 *
 * A network is: full-precision stem conv → blocks (grouped; each group has K binary
 * bases, i.e. K replicas of its blocks) → global average pool → full-precision FC.
 *
 * Exact layer semantics (what `summary` counts and `buildModel` builds; all convs use
 * `same` padding, so a stride-s layer maps H to ceil(H/s)):
 * - `basic` block (c_in → w, stride s): unit 1 = conv k×k c_in→w stride s, unit 2 = conv k×k w→w;
 *   each unit has its own BN and shortcut (Bi-Real). Unit 1's shortcut is identity when
 *   s = 1 and c_in = w, else full-precision avg-pool(s) + conv1×1 c_in→w + BN.
 * - `bottleneck` block (c_in → 4w): conv1×1 c_in→w, conv k×k w→w stride s, conv1×1 w→4w, each + BN;
 *   one shortcut around the block (identity, or avg-pool + full-precision conv1×1 c_in→4w + BN).
 * - `plain` block (c_in → w): one conv k×k c_in→w stride s + BN, no shortcut.
 * - `skip` block (c_in → w): the shortcut alone, no binary layer: identity when s = 1 and c_in = w,
 *   else full-precision avg-pool(s) + conv1×1 c_in→w + BN (DARTS' skip_connect and its reduction form).
 * - `decomposition: 'group'`: each of a group's K bases is a full replica of its blocks
 *   (shortcuts included). `'layer'` (LBD): each conv is K binary convs on the same input, summed
 *   with learned scalars; the blocks themselves are not replicated.
 * - Between groups, `aggregate` costs K multiply-adds per output element (λ-weighted sum), `soft`
 *   K'·K (the K'×K matrix); the last group is aggregated before pooling. With one base on both sides
 *   the mix is a scalar folded into BN and costs nothing.
 */

/** Residual basic block (two 3×3 units), bottleneck (1×1, k×k, 1×1; out = 4·width), plain stack unit without shortcut, or skip (the shortcut alone). */
export type BlockKind = 'basic' | 'bottleneck' | 'plain' | 'skip';

/** Activation precision of a group: 1-bit sign, k-bit uniform (supplement S4.1), or 32 = full precision (float weights too, ReLU). */
export type ActivationBits = 1 | 2 | 4 | 32;

/**
 * How bases exchange information where one group ends and the next begins:
 * `aggregate` sums the bases with learned scalars λ and broadcasts the sum to every base of the next group;
 * `soft` is Group-Net's learned K'×K mixing matrix. Inside a group each base keeps its own path.
 */
export type Connection = 'aggregate' | 'soft';

/** `group`: Group-Net / GBD (bases replicate whole blocks). `layer`: LBD (K binary convs on the same input per layer, summed). */
export type Decomposition = 'group' | 'layer';

export interface ArchBlock {
  kind: BlockKind;
  /** Index into `widths`: which stage this block belongs to. */
  stage: number;
  /** Stride of the block's first conv (a stride-2 block down-samples; its shortcut is full precision). */
  stride: 1 | 2;
  /** Spatial kernel size of the block's main convs. */
  kernel: number;
  /** Dilation of the block's main convs (atrous; 1 = ordinary). */
  dilation: number;
}

export interface ArchStem {
  filters: number;
  kernel: number;
  stride: number;
  /** Max-pool after the stem (`same` padding); absent = none. */
  pool?: { kernel: number; stride: number };
}

/** A run of consecutive blocks `[start, end)`; groups partition the blocks in order. */
export interface ArchGroup {
  start: number;
  end: number;
}

/**
 * Segmentation head (FCN, Long et al.): a full-precision 1×1 conv classifier on the last feature
 * map, bilinearly up-sampled to the input size (`32s`); `16s` also scores the output of the
 * second-to-last stage with its own 1×1 conv and adds it at that stage's resolution before the
 * final up-sampling. Absent = classification (global average pool → FC).
 */
export type FcnHead = '32s' | '16s';

export interface ArchHead {
  classes: number;
  /** Present: the network labels every pixel (semantic segmentation) with this FCN head. */
  fcn?: FcnHead;
}

export interface ArchMetrics {
  accuracy?: number;
  /** Segmentation: mean intersection-over-union over the classes present. */
  miou?: number;
  latencyMs?: number;
  predictedLatencyMs?: number;
  bops?: number;
  flops?: number;
  params?: number;
  memoryBytes?: number;
}

export interface ArchProvenance {
  tool: 'groupnas';
  toolVersion: string;
  /** e.g. `preset:groupnet-k5`, `search:<run dir name>`, `user`. */
  source: string;
  seed?: number;
  createdAt?: string;
}

export interface Arch {
  format: 'groupnas.arch';
  version: 1;
  name?: string;
  input: { height: number; width: number; channels: number };
  /** Full-precision first conv (+BN+ReLU), optionally followed by a max-pool (ResNet-18/50 and AlexNet at 224×224). */
  stem: ArchStem;
  blocks: ArchBlock[];
  /** Output channels per stage (for bottleneck blocks: the inner width; the block outputs 4×). */
  widths: number[];
  groups: ArchGroup[];
  /** Bases K per group (same length as `groups`). */
  bases: number[];
  /** Activation bits per group (same length as `groups`). */
  bits: ActivationBits[];
  /** One per boundary between consecutive groups (`groups.length - 1` entries). */
  connections: Connection[];
  decomposition: Decomposition;
  /**
   * BPAC (Binary Parallel Atrous Convolution): per group, the dilation rate of each of its bases,
   * overriding the blocks' own `dilation` in that base, so the K bases see K scales at the cost of
   * one (see base-dilation.ts). `[]` = the blocks' dilations. Absent = `[]` for every group.
   */
  dilations?: number[][];
  /** Full-precision classifier (or FCN head for segmentation). */
  head: ArchHead;
  metrics?: ArchMetrics;
  provenance: ArchProvenance;
}
