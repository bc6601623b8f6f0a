/**
 * The clip β of k-bit activations (supplement S4.1, DESIGN §3): y is clipped to [0, β] and rounded
 * to 2^k − 1 levels. β is fixed, not learned, and it matters: a PyTorch reference of Group-Net R/2
 * (K=5, 4-bit, 10k Fashion-MNIST images × 5 epochs) reached 85.1% with β = 2 but 75.8% with β = 1.
 * Every model is built with it unless told otherwise (nn's `activationClip`), and a packed model
 * records the β it was trained with; here so that both nn and kernels read the same number.
 */
export const DEFAULT_ACTIVATION_CLIP = 2;
