/**
 * Named architectures, timm-style: a registry of builders, each taking the backbone and width
 * multiplier, so every model of the paper's tables is reachable (and testable) by name.
 * Mapping (supplement S1): Group-Net = one-block groups, soft connections; GBD v1 = one-block
 * groups, aggregate; GBD v2 = two-block groups, aggregate; GBD v3 = one group over all blocks
 * (an ensemble of K binary nets); LBD = per-layer decomposition; fp = the full-precision twin.
 */
import { UsageError } from '../util/errors.js';
import type { ActivationBits, Arch } from './arch.js';
import { getBackbone, type Backbone, type BackboneOptions } from './backbone.js';
import { withLastBlocksBpac } from './base-dilation.js';
import { segmentationBackbone, type SegmentationOptions } from './segmentation-backbone.js';
import { buildArch, groupsOf, type GroupStructure } from './structure.js';

export interface PresetOptions extends BackboneOptions {
  /** Registered backbone name (see `listBackbones()`); default `resnet-r` (network R). */
  backbone?: string;
  /** Build the segmentation twin (FCN head, dilated last blocks; see segmentation-backbone.ts). */
  segmentation?: SegmentationOptions;
  /** BPAC rates of the last two blocks' bases (see `withLastBlocksBpac`); on `fp` the multi-dilation baseline. */
  bpac?: readonly number[];
}

export interface Preset {
  name: string;
  description: string;
  structure(backbone: Backbone): GroupStructure;
}

const oneBlockGroups = (b: Backbone): number[] => groupsOf(1, b.blocks.length);

function groupNet(k: number, bits: ActivationBits): Preset['structure'] {
  return (b) => ({ groupSizes: oneBlockGroups(b), bases: k, bits, connection: 'soft' });
}

const PRESETS: Preset[] = [
  {
    name: 'fp',
    description: 'full-precision twin: float weights and activations, K=1',
    structure: (b) => ({ groupSizes: [b.blocks.length], bases: 1, bits: 32, connection: 'aggregate' }),
  },
  { name: 'groupnet-k1', description: 'Group-Net, K=1 (a plain binarized network)', structure: groupNet(1, 1) },
  { name: 'groupnet-k3', description: 'Group-Net, K=3, one-block groups, soft connections', structure: groupNet(3, 1) },
  { name: 'groupnet-k5', description: 'Group-Net, K=5, one-block groups, soft connections (the paper)', structure: groupNet(5, 1) },
  {
    name: 'gbd-v1-k5',
    description: 'GBD v1: K=5, one block per group, aggregate connections',
    structure: (b) => ({ groupSizes: oneBlockGroups(b), bases: 5, bits: 1, connection: 'aggregate' }),
  },
  {
    name: 'gbd-v2-k5',
    description: 'GBD v2: K=5, two blocks per group, aggregate connections',
    structure: (b) => ({ groupSizes: groupsOf(2, b.blocks.length), bases: 5, bits: 1, connection: 'aggregate' }),
  },
  {
    name: 'gbd-v3-k5',
    description: 'GBD v3: K=5, one group over the whole net (ensemble of binary nets)',
    structure: (b) => ({ groupSizes: [b.blocks.length], bases: 5, bits: 1, connection: 'aggregate' }),
  },
  { name: 'groupnet-k5-a2', description: 'Group-Net, K=5, 2-bit activations', structure: groupNet(5, 2) },
  { name: 'groupnet-k5-a4', description: 'Group-Net, K=5, 4-bit activations', structure: groupNet(5, 4) },
  {
    name: 'lbd-k5',
    description: 'LBD: every binary conv is 5 binary convs on the same input, summed',
    structure: (b) => ({ groupSizes: oneBlockGroups(b), bases: 5, bits: 1, connection: 'aggregate', decomposition: 'layer' }),
  },
];

export function listPresets(): { name: string; description: string }[] {
  return PRESETS.map(({ name, description }) => ({ name, description }));
}

/** Build a preset on a backbone, e.g. `buildPreset('groupnet-k5', { widthMultiplier: 0.5 })` = Group-Net R/2. */
export function buildPreset(name: string, options: PresetOptions = {}): Arch {
  const preset = PRESETS.find((p) => p.name === name);
  if (!preset) throw new UsageError(`unknown preset "${name}" (expected one of: ${PRESETS.map((p) => p.name).join(', ')})`);
  const plain = getBackbone(options.backbone ?? 'resnet-r', options);
  const backbone = options.segmentation ? segmentationBackbone(plain, options.segmentation) : plain;
  const bpac = options.bpac ? `/bpac-${options.bpac.join('-')}` : '';
  const arch = buildArch(backbone, preset.structure(backbone), { name: `${name}/${backbone.name}${bpac}`, source: `preset:${name}` });
  return options.bpac ? withLastBlocksBpac(arch, options.bpac) : arch;
}
