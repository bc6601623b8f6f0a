import * as tf from '../util/tfjs.js';
import { UsageError } from '../util/errors.js';
import { createRng, deriveSeed, type Rng } from '../util/random.js';

/** One named tensor of a model: a trainable weight or a buffer (BN running statistics). */
export interface Parameter {
  /** Stable dotted path, e.g. `groups.0.bases.2.blocks.1.unit1.conv.weight`. */
  name: string;
  variable: tf.Variable;
  /** Updated by the optimizer (false for buffers such as BN running statistics). */
  trainable: boolean;
  /** Receives weight decay (conv / dense kernels; not BN affine, biases, λ or mixing matrices). */
  decay: boolean;
}

/** A model's tensors by name, in creation order: the state dict of checkpoints and of export to the packed engine. */
export type StateDict = Record<string, tf.Tensor>;

/** Fills a fresh parameter; `rng` is seeded from (model seed, parameter name), so adding a parameter never shifts another's values. */
export type Initializer = (shape: number[], rng: Rng) => Float32Array;

/**
 * The flat registry of every parameter of one model. Layers create their tensors through a
 * {@link Scope}; the store is what optimizers, checkpoints and exporters see.
 */
export class ParameterStore {
  private readonly byName = new Map<string, Parameter>();

  constructor(readonly seed: number) {}

  add(name: string, shape: number[], init: Initializer, options: { trainable: boolean; decay: boolean }): tf.Variable {
    if (this.byName.has(name)) throw new Error(`parameter '${name}' is defined twice`);
    const values = init(shape, createRng(deriveSeed(this.seed, name)));
    // Engine-level variable names must be globally unique; ours live in `byName`, so tfjs picks its own.
    const initial = tf.tensor(values, shape, 'float32');
    const variable = tf.variable(initial, options.trainable);
    initial.dispose(); // the variable holds its own reference to the data
    this.byName.set(name, { name, variable, trainable: options.trainable, decay: options.decay });
    return variable;
  }

  /** All parameters in creation order (stem → groups → head). */
  list(): Parameter[] {
    return [...this.byName.values()];
  }

  trainable(): Parameter[] {
    return this.list().filter((p) => p.trainable);
  }

  get(name: string): Parameter | undefined {
    return this.byName.get(name);
  }

  /** Live variables by name (not copies: read them, don't dispose them). */
  stateDict(): StateDict {
    const out: StateDict = {};
    for (const p of this.byName.values()) out[p.name] = p.variable;
    return out;
  }

  /** Copy values in; names and shapes must match exactly (missing, extra or reshaped entries are refused). */
  loadStateDict(state: StateDict, source = 'state dict'): void {
    const missing = [...this.byName.keys()].filter((n) => !(n in state));
    if (missing.length > 0) throw new UsageError(`${source}: missing parameters: ${preview(missing)}`);
    const extra = Object.keys(state).filter((n) => !this.byName.has(n));
    if (extra.length > 0) throw new UsageError(`${source}: unknown parameters: ${preview(extra)}`);
    for (const p of this.byName.values()) {
      const t = state[p.name]!;
      if (!shapesEqual(t.shape, p.variable.shape)) {
        throw new UsageError(`${source}: ${p.name}: expected shape [${p.variable.shape.join(', ')}], got [${t.shape.join(', ')}]`);
      }
    }
    for (const p of this.byName.values()) {
      // cast makes a new tensor even for float32 input; tidy frees it once assigned
      tf.tidy(() => p.variable.assign(tf.cast(state[p.name]!, 'float32')));
    }
  }

  dispose(): void {
    for (const p of this.byName.values()) p.variable.dispose();
    this.byName.clear();
  }
}

/** Where a {@link Scope} creates parameters: a ParameterStore, or a store that hands out shared ones. */
export type ParameterSink = Pick<ParameterStore, 'add'>;

/** A path prefix into a {@link ParameterStore}: how a layer names its parameters without knowing where it sits. */
export class Scope {
  constructor(
    readonly store: ParameterSink,
    readonly path: string = '',
  ) {}

  child(name: string | number): Scope {
    return new Scope(this.store, this.path === '' ? String(name) : `${this.path}.${name}`);
  }

  /** A trainable parameter. */
  param(name: string, shape: number[], init: Initializer, decay = false): tf.Variable {
    return this.store.add(this.full(name), shape, init, { trainable: true, decay });
  }

  /** A non-trainable tensor that is part of the state (e.g. BN running statistics). */
  buffer(name: string, shape: number[], init: Initializer): tf.Variable {
    return this.store.add(this.full(name), shape, init, { trainable: false, decay: false });
  }

  private full(name: string): string {
    return this.path === '' ? name : `${this.path}.${name}`;
  }
}

function shapesEqual(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function preview(names: string[]): string {
  return names.length <= 5 ? names.join(', ') : `${names.slice(0, 5).join(', ')} … (${names.length} in all)`;
}
