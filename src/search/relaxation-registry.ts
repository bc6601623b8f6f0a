/**
 * Relaxation hooks by kind: the built-in ones (built-in-relaxations.ts) and any a user registers
 * for a kind of their own. The supernet finds a decision's hook by `decision.relaxation.kind`.
 */
import type { AnyDecision } from '../space/decision.js';
import { UsageError } from '../util/errors.js';
import { BUILT_IN_RELAXATIONS } from './built-in-relaxations.js';
import type { RelaxationHook } from './relaxation-hook.js';

const hooks = new Map<string, RelaxationHook>(BUILT_IN_RELAXATIONS.map((h) => [h.kind, h]));

/** Make a relaxation kind available to the supernet (registering the same hook again is harmless; another hook for a taken kind is refused). */
export function registerRelaxation(hook: RelaxationHook): void {
  const held = hooks.get(hook.kind);
  if (held !== undefined && held !== hook) throw new UsageError(`relaxation kind "${hook.kind}" is registered already`);
  hooks.set(hook.kind, hook);
}

/** The hook that relaxes `decision`; a kind nobody registered is a UsageError naming the decision. */
export function relaxationHookOf(decision: AnyDecision): RelaxationHook {
  const hook = hooks.get(decision.relaxation.kind);
  if (hook === undefined) {
    throw new UsageError(
      `decision ${decision.name}: no relaxation of kind "${decision.relaxation.kind}" is registered (known: ${[...hooks.keys()].join(', ')}); ` +
        'register its hook with registerRelaxation before building the supernet',
    );
  }
  return hook;
}

/** The kinds the supernet can relax now. */
export function relaxationKinds(): string[] {
  return [...hooks.keys()];
}
