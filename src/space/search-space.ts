/**
 * A search space: a template architecture (backbone + default group structure), the decisions
 * made on it, and the constraints its architectures must meet (DESIGN §4).
 *
 * An architecture is addressed by one choice index per *variable* (a decision at one site),
 * in `variables` order; that is the layout of the supernet's α. `group` decisions have a site
 * at every block that may start a group; a site where no group starts is *inactive* and its
 * index is ignored by `decode`. `encode` writes the canonical vector (an inactive site holds its
 * group's value), so `decode(encode(a))` equals `a` and `enumerate()` lists every architecture once.
 */
import { UsageError } from '../util/errors.js';
import { randomInt, type Rng } from '../util/random.js';
import { VERSION } from '../util/version.js';
import type { Arch } from './arch.js';
import { archProblems } from './arch-validation.js';
import type { AnyDecision, ApplyContext, DecisionScope } from './decision.js';
import type { ChoiceValue } from './relaxation.js';
import type { Constraint } from './constraints.js';
import { cloneDraft, fromDraft, groupContaining, startsGroup, toDraft, type ArchBody, type ArchDraft } from './draft.js';

export interface SearchSpaceOptions {
  name?: string;
  /** The starting architecture; every field no decision writes is kept as is. */
  template: Arch;
  decisions: readonly AnyDecision[];
  constraints?: readonly Constraint[];
}

/** One categorical variable: a decision at one site. */
export interface SpaceVariable {
  /** `decision@site`, e.g. `bases@3`. */
  id: string;
  decision: AnyDecision;
  site: number;
  choices: readonly ChoiceValue[];
}

/** Spaces larger than this are not enumerated (enumerate() would not finish usefully). */
export const ENUMERATE_LIMIT = 1_000_000;

export class SearchSpace {
  readonly name: string;
  readonly template: Arch;
  readonly decisions: readonly AnyDecision[];
  readonly constraints: readonly Constraint[];
  readonly variables: readonly SpaceVariable[];
  private readonly templateDraft: ArchDraft;
  /** Variable indices, boundary decisions first: they decide which group sites are active. */
  private readonly applyOrder: number[];

  constructor(options: SearchSpaceOptions) {
    this.name = options.name ?? 'space';
    this.template = options.template;
    this.decisions = options.decisions;
    this.constraints = options.constraints ?? [];
    this.templateDraft = toDraft(options.template);
    const names = new Set<string>();
    for (const d of this.decisions) {
      if (names.has(d.name)) throw new UsageError(`search space ${this.name}: two decisions are named "${d.name}"`);
      names.add(d.name);
      if (d.choices.length === 0) throw new UsageError(`decision ${d.name}: no choices`);
      if (new Set(d.choices).size !== d.choices.length) throw new UsageError(`decision ${d.name}: choices repeat (${d.choices.join(', ')})`);
    }
    const boundarySites = this.resolveBoundarySites();
    const variables: SpaceVariable[] = [];
    for (const d of this.decisions) {
      for (const site of this.resolveSites(d, boundarySites)) {
        variables.push({ id: `${d.name}@${site}`, decision: d, site, choices: d.choices });
      }
    }
    this.variables = variables;
    const isBoundary = (i: number) => variables[i]!.decision.scope === 'boundary';
    const all = variables.map((_, i) => i);
    this.applyOrder = [...all.filter(isBoundary), ...all.filter((i) => !isBoundary(i))];
    this.checkEveryChoice();
  }

  /** Fail at construction, not mid-search, when a choice cannot give a valid architecture (e.g. dilation on a stride-2 block). */
  private checkEveryChoice(): void {
    this.variables.forEach((v, i) => {
      v.choices.forEach((choice, c) => {
        const indices = this.variables.map(() => 0);
        indices[i] = c;
        const problem = archProblems(this.assemble(indices))[0];
        if (problem) {
          throw new UsageError(
            `decision ${v.decision.name}: choice ${String(choice)} at site ${v.site} gives an invalid architecture: ${problem.path}: ${problem.message}`,
          );
        }
      });
    });
  }

  /**
   * The template's draft with variable `variable` set to its choice `choice` and nothing else
   * decided: what that choice writes (the supernet builds a mixed op's branches from these).
   */
  choiceDraft(variable: number, choice: number): ArchDraft {
    const v = this.variables[variable];
    if (v === undefined || !Number.isInteger(choice) || choice < 0 || choice >= v.choices.length) {
      throw new UsageError(`search space ${this.name}: no choice ${choice} of variable ${variable}`);
    }
    const draft = cloneDraft(this.templateDraft);
    this.applyChoice(draft, v, v.choices[choice]!);
    return draft;
  }

  /** `v.decision.apply` with its context; a throwing `apply` is a UsageError naming the decision, site and choice. */
  private applyChoice(draft: ArchDraft, v: SpaceVariable, choice: ChoiceValue): void {
    try {
      v.decision.apply(draft, v.site, choice, this.context(draft, v));
    } catch (e) {
      throw new UsageError(`decision ${v.decision.name}: apply failed for choice ${String(choice)} at site ${v.site}: ${(e as Error).message}`);
    }
  }

  private blockCount(): number {
    return this.templateDraft.blocks.length;
  }

  private scopeSize(scope: DecisionScope): number {
    switch (scope) {
      case 'network':
        return 1;
      case 'stage':
        return this.templateDraft.widths.length;
      case 'block':
      case 'group':
        return this.blockCount();
      case 'boundary':
        return this.blockCount() - 1;
    }
  }

  /** Boundaries some decision writes (each by at most one decision). */
  private resolveBoundarySites(): Set<number> {
    const taken = new Set<number>();
    for (const d of this.decisions) {
      if (d.scope !== 'boundary') continue;
      for (const site of d.sites ?? range(this.scopeSize('boundary'))) {
        if (taken.has(site)) throw new UsageError(`search space ${this.name}: boundary ${site} is decided twice`);
        taken.add(site);
      }
    }
    return taken;
  }

  private resolveSites(d: AnyDecision, boundarySites: Set<number>): number[] {
    const n = this.scopeSize(d.scope);
    // A group can start after a decided boundary or after a boundary the template already cuts.
    const possibleStart = (b: number) => b === 0 || boundarySites.has(b - 1) || this.templateDraft.boundaries[b - 1] !== 'continue';
    const sites = d.sites ? [...d.sites] : range(n).filter((s) => d.scope !== 'group' || possibleStart(s));
    for (const s of sites) {
      if (!Number.isInteger(s) || s < 0 || s >= n) {
        throw new UsageError(`decision ${d.name}: site ${s} is outside its ${d.scope} range 0..${n - 1}`);
      }
      if (d.scope === 'group' && !possibleStart(s)) {
        throw new UsageError(`decision ${d.name}: no group can start at block ${s} (its boundary is fixed to continue)`);
      }
    }
    if (new Set(sites).size !== sites.length) throw new UsageError(`decision ${d.name}: a site is listed twice`);
    return sites;
  }

  private context(draft: ArchDraft, v: SpaceVariable): ApplyContext {
    const n = this.blockCount();
    const group = v.decision.scope === 'group' || v.decision.scope === 'block' ? groupContaining(draft, v.site) : { start: 0, end: n };
    return { template: this.templateDraft, group };
  }

  private isActiveIn(draft: ArchDraft, v: SpaceVariable): boolean {
    return v.decision.scope !== 'group' || startsGroup(draft, v.site);
  }

  private checkIndices(indices: readonly number[]): void {
    if (indices.length !== this.variables.length) {
      throw new UsageError(`search space ${this.name}: ${indices.length} choice indices for ${this.variables.length} variables`);
    }
    indices.forEach((c, i) => {
      const v = this.variables[i]!;
      if (!Number.isInteger(c) || c < 0 || c >= v.choices.length) {
        throw new UsageError(`search space ${this.name}: ${v.id}: choice index ${c} is not in 0..${v.choices.length - 1}`);
      }
    });
  }

  private decodeDraft(indices: readonly number[]): ArchDraft {
    this.checkIndices(indices);
    const draft = cloneDraft(this.templateDraft);
    for (const i of this.applyOrder) {
      const v = this.variables[i]!;
      if (!this.isActiveIn(draft, v)) continue;
      this.applyChoice(draft, v, v.choices[indices[i]!]!);
    }
    return draft;
  }

  /** Which variables matter for this choice vector (inactive group sites do not). */
  activeVariables(indices: readonly number[]): boolean[] {
    const draft = this.decodeDraft(indices);
    return this.variables.map((v) => this.isActiveIn(draft, v));
  }

  /** The architecture a choice vector names; throws if the decisions together make an invalid one. */
  decode(indices: readonly number[]): Arch {
    const arch = this.assemble(indices);
    const problem = archProblems(arch)[0];
    if (problem)
      throw new UsageError(`search space ${this.name}: choices ${indices.join('.')} give an invalid architecture: ${problem.path}: ${problem.message}`);
    return arch;
  }

  private assemble(indices: readonly number[]): Arch {
    const body = fromDraft(this.decodeDraft(indices));
    return {
      format: 'groupnas.arch',
      version: 1,
      name: `${this.name}#${indices.join('.')}`,
      ...body,
      provenance: { tool: 'groupnas', toolVersion: VERSION, source: `space:${this.name}` },
    };
  }

  /** The canonical choice vector of `arch`; throws if the space cannot express it. */
  encode(arch: Arch): number[] {
    const label = arch.name ?? 'architecture';
    if (arch.blocks.length !== this.blockCount()) {
      throw new UsageError(`${label}: has ${arch.blocks.length} blocks, search space ${this.name} has ${this.blockCount()}`);
    }
    const draft = toDraft(arch);
    const indices = this.variables.map((v) => {
      const value = v.decision.read(draft, v.site, this.context(draft, v));
      const index = value === undefined ? -1 : v.choices.indexOf(value);
      if (index >= 0) return index;
      if (!this.isActiveIn(draft, v)) return 0;
      throw new UsageError(`${label}: ${v.id} is ${String(value)}, which is not a choice of search space ${this.name} (${v.choices.join(', ')})`);
    });
    const difference = firstDifference(fromDraft(this.decodeDraft(indices)), bodyOf(arch));
    if (difference !== undefined) {
      throw new UsageError(`${label}: ${difference.path} is ${difference.actual}, but search space ${this.name} fixes it to ${difference.expected}`);
    }
    return indices;
  }

  /** Number of distinct architectures (constraints not applied). */
  size(): bigint {
    const n = this.blockCount();
    let others = 1n;
    const perStart: bigint[] = new Array<bigint>(n).fill(1n);
    const keep: bigint[] = this.templateDraft.boundaries.map((b) => (b === 'continue' ? 1n : 0n));
    const cut: bigint[] = keep.map((k) => 1n - k);
    for (const v of this.variables) {
      const count = BigInt(v.choices.length);
      if (v.decision.scope === 'group') perStart[v.site]! *= count;
      else if (v.decision.scope === 'boundary') {
        const continues = BigInt(v.choices.filter((c) => this.boundaryAfter(v, c) === 'continue').length);
        keep[v.site] = continues;
        cut[v.site] = count - continues;
      } else others *= count;
    }
    // ways[s]: distinct settings of blocks s..n-1 given a group starts at s.
    const ways: bigint[] = new Array<bigint>(n + 1).fill(0n);
    ways[n] = 1n;
    for (let s = n - 1; s >= 0; s--) {
      let total = 0n;
      let inside = 1n; // ways for the boundaries s..e-2 to all continue
      for (let e = s + 1; e <= n; e++) {
        total += inside * (e === n ? 1n : cut[e - 1]! * ways[e]!);
        if (e < n) inside *= keep[e - 1]!;
        if (inside === 0n) break;
      }
      ways[s] = perStart[s]! * total;
    }
    return others * ways[0]!;
  }

  log10Size(): number {
    const digits = this.size().toString();
    const lead = Math.min(15, digits.length);
    return Math.log10(Number(digits.slice(0, lead))) + (digits.length - lead);
  }

  private boundaryAfter(v: SpaceVariable, choice: ChoiceValue): string {
    const draft = cloneDraft(this.templateDraft);
    this.applyChoice(draft, v, choice);
    return draft.boundaries[v.site]!;
  }

  /** Every choice vector in canonical form, each architecture once. */
  *enumerateIndices(): Generator<number[]> {
    const size = this.size();
    if (size > BigInt(ENUMERATE_LIMIT)) {
      throw new UsageError(`search space ${this.name} has ${size} architectures; enumerate() stops at ${ENUMERATE_LIMIT}`);
    }
    const order = this.applyOrder;
    const boundaryCount = order.filter((i) => this.variables[i]!.decision.scope === 'boundary').length;
    const indices = new Array<number>(this.variables.length).fill(0);
    const self = this;
    function* visit(pos: number, draft: ArchDraft | undefined): Generator<number[]> {
      if (pos === order.length) {
        yield self.encode(self.decode(indices));
        return;
      }
      if (pos === boundaryCount && draft === undefined) {
        yield* visit(pos, self.decodeDraft(indices));
        return;
      }
      const i = order[pos]!;
      const v = self.variables[i]!;
      if (draft !== undefined && !self.isActiveIn(draft, v)) {
        indices[i] = 0;
        yield* visit(pos + 1, draft);
        return;
      }
      for (let c = 0; c < v.choices.length; c++) {
        indices[i] = c;
        yield* visit(pos + 1, draft);
      }
    }
    yield* visit(0, undefined);
  }

  /** Every architecture of a small space (constraints not applied; see `violations`). */
  enumerate(): Arch[] {
    return Array.from(this.enumerateIndices(), (indices) => this.decode(indices));
  }

  /** A canonical choice vector drawn uniformly per variable (as a supernet with uniform α would). */
  sampleIndices(rng: Rng): number[] {
    const raw = this.variables.map((v) => randomInt(rng, v.choices.length));
    return this.encode(this.decode(raw));
  }

  /**
   * A random architecture. With constraints, draws until one satisfies them all, up to `maxTries`
   * (then throws: the budget is likely unreachable in this space).
   */
  sample(rng: Rng, maxTries = 1000): Arch {
    for (let t = 0; t < maxTries; t++) {
      const arch = this.decode(this.sampleIndices(rng));
      if (this.violations(arch).length === 0) return arch;
    }
    throw new UsageError(`search space ${this.name}: no architecture meeting ${this.constraints.map((c) => c.name).join(', ')} in ${maxTries} samples`);
  }

  /** What `arch` violates among the space's constraints. */
  violations(arch: Arch): string[] {
    return this.constraints.map((c) => c.check(arch)).filter((m): m is string => m !== undefined);
  }
}

function range(n: number): number[] {
  return Array.from({ length: Math.max(0, n) }, (_, i) => i);
}

export function bodyOf(arch: Arch): ArchBody {
  return fromDraft(toDraft(arch));
}

/** The first JSON path where two values differ, with both values printed. */
export function firstDifference(expected: unknown, actual: unknown, path = ''): { path: string; expected: string; actual: string } | undefined {
  if (Object.is(expected, actual)) return undefined;
  const bothObjects = typeof expected === 'object' && typeof actual === 'object' && expected !== null && actual !== null;
  if (bothObjects && Array.isArray(expected) === Array.isArray(actual)) {
    const keys = new Set([...Object.keys(expected), ...Object.keys(actual)]);
    for (const key of keys) {
      const sub = Array.isArray(expected) ? `${path}[${key}]` : path ? `${path}.${key}` : key;
      const d = firstDifference((expected as Record<string, unknown>)[key], (actual as Record<string, unknown>)[key], sub);
      if (d) return d;
    }
    return undefined;
  }
  return { path: path || '(root)', expected: JSON.stringify(expected) ?? 'absent', actual: JSON.stringify(actual) ?? 'absent' };
}
