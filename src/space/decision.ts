/**
 * A `Decision` is a named categorical choice the search makes at one or more sites of a network
 * (DESIGN §4). It is plain data plus two small functions (write a choice into a draft, read it
 * back), so the space can decode/encode/enumerate it, `summary` can price it, and the supernet
 * can relax it without this module knowing anything about tensors.
 *
 * How the supernet relaxes a decision is its `relaxation`: data naming a kind whose
 * implementation src/search looks up (the contract, with examples: relaxation.ts).
 */
import type { ArchDraft } from './draft.js';
import type { ChoiceValue, Relaxation } from './relaxation.js';

/**
 * Where a decision applies; a site is an index in its scope:
 * `network`: site 0. `stage`: a stage index. `block`: a block index.
 * `boundary`: boundary i between blocks i and i+1 (decides where groups end).
 * `group`: the group that starts at block `site`; inactive in architectures where no group starts there.
 */
export type DecisionScope = 'network' | 'stage' | 'block' | 'boundary' | 'group';

export interface Decision<C extends ChoiceValue = ChoiceValue> {
  /** Unique within a space; names α in logs and the decision in `groupnas space`. */
  readonly name: string;
  readonly description: string;
  /** Distinct values; the index of a value is what `SearchSpace.decode` receives. */
  readonly choices: readonly C[];
  readonly scope: DecisionScope;
  /** The sites it decides; undefined = every site of the scope (for `group`: every block that may start a group). */
  readonly sites?: readonly number[];
  readonly relaxation: Relaxation;
  /**
   * Write `choice` at `site`. A decision owns the fields it writes: no two decisions of a space
   * may write the same field at the same site (that is what makes `size()` count distinct
   * architectures). `group` decisions write every block of the group `[start, end)` passed in.
   */
  apply(draft: ArchDraft, site: number, choice: C, context: ApplyContext): void;
  /** The choice a draft holds at `site`, or undefined if its value is none of the choices. */
  read(draft: Readonly<ArchDraft>, site: number, context: ApplyContext): C | undefined;
}

export interface ApplyContext {
  /** The space's starting draft (e.g. the reference widths a width ratio scales). */
  template: Readonly<ArchDraft>;
  /** For `group` decisions: the group that starts at the site, `[start, end)`. */
  group: { start: number; end: number };
}

/**
 * Any decision, whatever its choice type. `apply`/`read` are declared as methods, so a
 * `Decision<number>` is usable where this is expected and a list of decisions can mix types.
 */
export type AnyDecision = Decision<ChoiceValue>;
