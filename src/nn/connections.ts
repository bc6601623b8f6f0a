import * as tf from '../util/tfjs.js';
import { constant, matrix } from './init.js';
import { mixBases } from './mix-bases.js';
import type { Scope } from './parameters.js';

/** Turns the K outputs of one group's bases into the K' inputs of the next group's bases (DESIGN §3 "Connections"). */
export interface BaseConnector {
  readonly fromBases: number;
  readonly toBases: number;
  combine(outputs: tf.Tensor4D[]): tf.Tensor4D[];
}

/**
 * Group boundary, hard connection: y = Σ_k λ_k · out_k, broadcast to every base of the next group
 * (M = 1·λᵀ). λ [K] is learned, initialised to 1/K (the bases' mean). With K = 1 it is the
 * identity and owns no parameter. Name: `lambda`.
 */
export class AggregateConnector implements BaseConnector {
  readonly lambda: tf.Variable | undefined;

  constructor(
    scope: Scope,
    readonly fromBases: number,
    readonly toBases: number,
  ) {
    this.lambda = fromBases > 1 ? scope.param('lambda', [fromBases], constant(1 / fromBases)) : undefined;
  }

  combine(outputs: tf.Tensor4D[]): tf.Tensor4D[] {
    checkCount(outputs, this.fromBases);
    const y = this.lambda === undefined ? outputs[0]! : mixBases(outputs, tf.reshape(this.lambda, [1, this.fromBases]) as tf.Tensor2D)[0]!;
    return Array.from({ length: this.toBases }, () => y);
  }
}

/**
 * Group-Net's learned soft connection: x_j = Σ_k M[j,k] · out_k with M [K', K] learned.
 * Start: rows sum to 1; for K' = K, M = ½·I + ½/K (each base mostly keeps its own path but
 * already sees the others), otherwise M = 1/K. Between two single bases it is the identity and
 * owns no parameter. Name: `mix`.
 */
export class SoftConnector implements BaseConnector {
  readonly mix: tf.Variable | undefined;

  constructor(
    scope: Scope,
    readonly fromBases: number,
    readonly toBases: number,
  ) {
    if (fromBases === 1 && toBases === 1) {
      this.mix = undefined;
      return;
    }
    const rows = Array.from({ length: toBases }, (_, j) =>
      Array.from({ length: fromBases }, (_, k) => (toBases === fromBases ? (j === k ? 0.5 : 0) + 0.5 / fromBases : 1 / fromBases)),
    );
    this.mix = scope.param('mix', [toBases, fromBases], matrix(rows));
  }

  combine(outputs: tf.Tensor4D[]): tf.Tensor4D[] {
    checkCount(outputs, this.fromBases);
    if (this.mix === undefined) return outputs;
    // Scalar-times-map sums (mixBases), not stack → matMul → unstack: on wasm a [K', K]×[K, N·H·W·C]
    // product and unstacking large maps cost ~10× more.
    return mixBases(outputs, this.mix as tf.Tensor2D);
  }
}

function checkCount(outputs: tf.Tensor4D[], expected: number): void {
  if (outputs.length !== expected) throw new Error(`connector expects ${expected} base outputs, got ${outputs.length}`);
}
