/**
 * Backbones: the fixed part of a network (input, stem, blocks, stage widths, classifier) that
 * presets and search spaces decorate with groups, bases, bits and connections. A registry maps
 * names to builders, timm-style, so every backbone is reachable by name from configs and the CLI.
 */
import { UsageError } from '../util/errors.js';
import type { ArchBlock, ArchHead, ArchStem, BlockKind } from './arch.js';

export interface Backbone {
  /** Registry name plus the width multiplier, e.g. `resnet-r@0.5`. */
  name: string;
  input: { height: number; width: number; channels: number };
  stem: ArchStem;
  blocks: ArchBlock[];
  /** Per stage: output channels (basic, plain) or inner width (bottleneck; the block outputs 4×). */
  widths: number[];
  head: ArchHead;
}

export interface BackboneOptions {
  /** Scales the stem and every stage width (R/2 = `resnet-r` at 0.5). Default 1. */
  widthMultiplier?: number;
  /** Classifier outputs; default 10 for the 28×28 backbones, 1000 for the ImageNet ones. */
  classes?: number;
}

interface StageSpec {
  kind: BlockKind;
  width: number;
  /** Kernel of each block of the stage. */
  kernels: number[];
  stride: 1 | 2;
}

interface BackboneRecipe {
  description: string;
  input: Backbone['input'];
  stem: ArchStem;
  stages: StageSpec[];
  classes: number;
}

function repeat(kernel: number, n: number): number[] {
  return Array.from({ length: n }, () => kernel);
}

const FASHION_INPUT = { height: 28, width: 28, channels: 1 };
const IMAGENET_INPUT = { height: 224, width: 224, channels: 3 };
const IMAGENET_STEM: ArchStem = { filters: 64, kernel: 7, stride: 2, pool: { kernel: 3, stride: 2 } };

/**
 * The 28×28×1 reference layout R (DESIGN §3) every small backbone shares: stem 3×3 32, then three
 * stages of two 3×3 blocks of one kind at strides 1/2/2; only the block kind and widths differ.
 */
function referenceR(kind: BlockKind, widths: [number, number, number], description: string): BackboneRecipe {
  const strides = [1, 2, 2] as const;
  return {
    description,
    input: FASHION_INPUT,
    stem: { filters: 32, kernel: 3, stride: 1 },
    stages: widths.map((width, s) => ({ kind, width, kernels: repeat(3, 2), stride: strides[s] })),
    classes: 10,
  };
}

/** The ImageNet ResNets: stem 7×7/2 + max-pool, four stages of 3×3 blocks at widths 64/128/256/512, strides 1/2/2/2. */
function imagenetResNet(kind: BlockKind, blocksPerStage: [number, number, number, number], description: string): BackboneRecipe {
  const widths = [64, 128, 256, 512];
  return {
    description,
    input: IMAGENET_INPUT,
    stem: IMAGENET_STEM,
    stages: blocksPerStage.map((n, s) => ({ kind, width: widths[s]!, kernels: repeat(3, n), stride: s === 0 ? 1 : 2 })),
    classes: 1000,
  };
}

const RECIPES: Record<string, BackboneRecipe> = {
  'resnet-r': referenceR('basic', [32, 64, 128], 'reference network R (DESIGN §3): 28×28×1, stem 3×3 32, 3 stages × 2 basic blocks, 32/64/128, strides 1/2/2'),
  'bottleneck-r': referenceR(
    'bottleneck',
    [8, 16, 32],
    'ResNet-50-style R: 28×28×1, stem 3×3 32, 3 stages × 2 bottleneck blocks, inner 8/16/32 (outputs 32/64/128)',
  ),
  'plain-r': referenceR('plain', [32, 64, 128], 'AlexNet-style R: 28×28×1, stem 3×3 32, 3 stages × 2 plain convs (no shortcuts), 32/64/128, strides 1/2/2'),
  resnet18: imagenetResNet('basic', [2, 2, 2, 2], "the paper's ResNet-18: 224×224×3, stem 7×7/2 64 + max-pool 3/2, 4 stages × 2 basic blocks, 64/128/256/512"),
  resnet34: imagenetResNet('basic', [3, 4, 6, 3], 'ResNet-34: 224×224×3, stem 7×7/2 64 + max-pool, basic-block stages 3/4/6/3, 64/128/256/512'),
  resnet50: imagenetResNet('bottleneck', [3, 4, 6, 3], 'ResNet-50: 224×224×3, stem 7×7/2 64 + max-pool, bottleneck stages 3/4/6/3, inner 64/128/256/512'),
  alexnet: {
    // AlexNet's conv1..conv5 widths and kernels; its 2nd and 3rd max-pools become a stride-2 conv and
    // the global average pool, and its two 4096-wide FC layers are dropped (head = one FC).
    description: 'AlexNet-style plain net: 224×224×3, stem 11×11/4 64 + max-pool, plain convs 5×5 192, 3×3/2 384, 3×3 256 ×2',
    input: IMAGENET_INPUT,
    stem: { filters: 64, kernel: 11, stride: 4, pool: { kernel: 3, stride: 2 } },
    stages: [
      { kind: 'plain', width: 192, kernels: [5], stride: 1 },
      { kind: 'plain', width: 384, kernels: [3], stride: 2 },
      { kind: 'plain', width: 256, kernels: [3, 3], stride: 1 },
    ],
    classes: 1000,
  },
};

/** Names the registry knows, in a stable order. */
export function listBackbones(): { name: string; description: string }[] {
  return Object.entries(RECIPES).map(([name, r]) => ({ name, description: r.description }));
}

/** Channels scaled by a width multiplier, never below 1. */
export function scaleWidth(width: number, multiplier: number): number {
  return Math.max(1, Math.round(width * multiplier));
}

/** Build a registered backbone by name. */
export function getBackbone(name: string, options: BackboneOptions = {}): Backbone {
  const recipe = RECIPES[name];
  if (recipe === undefined) {
    throw new UsageError(`unknown backbone "${name}" (expected one of: ${Object.keys(RECIPES).join(', ')})`);
  }
  const multiplier = options.widthMultiplier ?? 1;
  if (!(multiplier > 0) || !Number.isFinite(multiplier)) {
    throw new UsageError(`width multiplier must be a positive number, got ${multiplier}`);
  }
  const classes = options.classes ?? recipe.classes;
  if (!Number.isInteger(classes) || classes < 2) throw new UsageError(`classes must be an integer ≥ 2, got ${classes}`);
  const blocks: ArchBlock[] = [];
  recipe.stages.forEach((stage, s) => {
    stage.kernels.forEach((kernel, i) => {
      blocks.push({ kind: stage.kind, stage: s, stride: i === 0 ? stage.stride : 1, kernel, dilation: 1 });
    });
  });
  const stem: ArchStem = { ...recipe.stem, filters: scaleWidth(recipe.stem.filters, multiplier) };
  if (recipe.stem.pool) stem.pool = { ...recipe.stem.pool };
  return {
    name: multiplier === 1 ? name : `${name}@${multiplier}`,
    input: { ...recipe.input },
    stem,
    blocks,
    widths: recipe.stages.map((s) => scaleWidth(s.width, multiplier)),
    head: { classes },
  };
}
