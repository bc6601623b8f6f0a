/**
 * What the convs of binary units use as weights:
 * - `binary`: α·sign(W) per output channel (DESIGN §3; what the packed engine runs);
 * - `real`: the latent float weights W themselves, inputs still quantized — stage 1 of
 *   Real-to-Binary staged training (Martinez et al. 2020), whose weights then initialise the
 *   fully binary stage 2. Both modes have the same parameters by the same names.
 * Full-precision units (quantizer undefined) and the float stem, shortcuts and head are unaffected.
 */
export type WeightMode = 'binary' | 'real';
