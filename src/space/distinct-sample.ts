/**
 * Architectures drawn uniformly from a space, each once (canonical form): the samples the
 * benchmarks rank and time.
 */
import { UsageError } from '../util/errors.js';
import { createRng, deriveSeed } from '../util/random.js';
import type { Arch } from './arch.js';
import { canonicalKey } from './canonical-arch.js';
import type { SearchSpace } from './search-space.js';

/** `count` distinct architectures of `space` (canonical form), drawn from `seed`. */
export function sampleDistinctArchs(space: SearchSpace, count: number, seed: number): Arch[] {
  const rng = createRng(deriveSeed(seed, `sample:${space.name}`));
  const seen = new Set<string>();
  const archs: Arch[] = [];
  // A small space runs out: give up after this many draws in a row found nothing new.
  const patience = 1000;
  let draws = 0;
  for (let misses = 0; archs.length < count && misses < patience; draws++) {
    const arch = space.sample(rng);
    const key = canonicalKey(arch);
    if (seen.has(key)) {
      misses++;
      continue;
    }
    misses = 0;
    seen.add(key);
    archs.push(arch);
  }
  if (archs.length < count) throw new UsageError(`search space ${space.name}: only ${archs.length} distinct architectures in ${draws} draws, ${count} asked`);
  return archs;
}
