/**
 * Hand count for the paper's ResNet-18 Group-Net (K=5, one-block groups, soft connections, 224×224×3), by DESIGN §3 layer semantics
 * (`same` padding): 3×3 binary convs per base, summed over the four stages, then ×5 bases.
 */
export const RESNET18_GROUPNET_K5 = {
  binaryMacs:
    5 *
    (4 * (56 * 56 * 64 * 64 * 9) + // stage 1: four 64→64 convs at 56×56
      (28 * 28 * 128 * 64 * 9 + 3 * (28 * 28 * 128 * 128 * 9)) + // stage 2
      (14 * 14 * 256 * 128 * 9 + 3 * (14 * 14 * 256 * 256 * 9)) + // stage 3
      (7 * 7 * 512 * 256 * 9 + 3 * (7 * 7 * 512 * 512 * 9))), // stage 4
  floatMacs:
    112 * 112 * 64 * 3 * 7 * 7 + // stem 7×7/2, 3→64
    5 * (28 * 28 * 128 * 64 + 14 * 14 * 256 * 128 + 7 * 7 * 512 * 256) + // 1×1 down-sampling shortcuts, one per base
    25 * (2 * 56 * 56 * 64 + 2 * 28 * 28 * 128 + 2 * 14 * 14 * 256 + 7 * 7 * 512) + // 5×5 soft mixes after blocks 0..6
    5 * 7 * 7 * 512 + // final aggregation of the 5 bases
    512 * 1000, // classifier
};
