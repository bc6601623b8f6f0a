/**
 * Where the branches of a mixed op create their parameters (supernet.ts): a parameter the block
 * holds already under the same name and shape — another branch's — is handed out again, so the
 * branches share it; one whose shape differs is created under the branch's own name. A plain
 * block's unit is then the basic block's first unit, a skip block's projection the basic block's
 * shortcut, and a 5×5 kernel gets its own conv beside the 3×3 one but shares its BN.
 */
import type * as tf from '../util/tfjs.js';
import type { Initializer, ParameterSink, ParameterStore } from '../nn/parameters.js';

export class SharedParameters implements ParameterSink {
  /** The name each requested parameter is held under. */
  readonly names = new Map<string, string>();

  /** `path`: the block's scope (`blocks.{i}.bases.{k}`); parameters of branch `branch` whose shape no earlier branch has are named `{path}.branch{branch}.*`. */
  constructor(
    private readonly store: ParameterStore,
    private readonly path: string,
    private readonly branch: number,
  ) {}

  add(name: string, shape: number[], init: Initializer, options: { trainable: boolean; decay: boolean }): tf.Variable {
    const rest = name.slice(this.path.length);
    const own = (b: number) => `${this.path}.branch${b}${rest}`;
    // The block's own name first, then what earlier branches named their own variants.
    const names = [name, ...Array.from({ length: this.branch }, (_, b) => own(b))];
    for (const candidate of names) {
      const held = this.store.get(candidate);
      if (held !== undefined && held.variable.shape.length === shape.length && held.variable.shape.every((n, a) => n === shape[a])) {
        this.names.set(name, candidate);
        return held.variable;
      }
    }
    const fresh = this.store.get(name) === undefined ? name : own(this.branch);
    this.names.set(name, fresh);
    return this.store.add(fresh, shape, init, options);
  }
}
