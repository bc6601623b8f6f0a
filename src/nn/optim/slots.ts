import * as tf from '../../util/tfjs.js';
import { UsageError } from '../../util/errors.js';
import type { StateDict } from '../parameters.js';

/** Zero-initialised optimizer slots, one per (parameter, slot name), created up front so saved state always has every entry. */
export class Slots {
  private readonly byName = new Map<string, tf.Variable>();

  constructor(params: { name: string; variable: tf.Variable }[], slotNames: string[]) {
    for (const p of params) {
      for (const s of slotNames) {
        const zeros = tf.zerosLike(p.variable);
        this.byName.set(`${p.name}/${s}`, tf.variable(zeros, false));
        zeros.dispose();
      }
    }
  }

  get(parameter: string, slot: string): tf.Variable {
    const v = this.byName.get(`${parameter}/${slot}`);
    if (v === undefined) throw new Error(`no optimizer slot ${parameter}/${slot}`);
    return v;
  }

  state(): StateDict {
    return Object.fromEntries(this.byName);
  }

  loadState(state: StateDict, source: string): void {
    for (const [name, v] of this.byName) {
      const t = state[name];
      if (t === undefined) throw new UsageError(`${source}: missing optimizer slot ${name}`);
      if (t.shape.join(',') !== v.shape.join(',')) {
        throw new UsageError(`${source}: ${name}: expected shape [${v.shape.join(', ')}], got [${t.shape.join(', ')}]`);
      }
    }
    const extra = Object.keys(state).filter((n) => !this.byName.has(n));
    if (extra.length > 0) throw new UsageError(`${source}: unknown optimizer slots: ${extra.slice(0, 5).join(', ')}`);
    for (const [name, v] of this.byName) v.assign(state[name]!);
  }

  dispose(): void {
    for (const v of this.byName.values()) v.dispose();
    this.byName.clear();
  }
}
