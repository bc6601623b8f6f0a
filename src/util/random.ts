import seedrandom from 'seedrandom';

/** A seeded source of uniform numbers in [0, 1). Every random choice in groupnas draws from one. */
export interface Rng {
  (): number;
}

/** A reproducible generator: the same seed gives the same sequence on every machine. */
export function createRng(seed: number | string): Rng {
  return seedrandom(String(seed));
}

/** Integer in [0, n). */
export function randomInt(rng: Rng, n: number): number {
  return Math.floor(rng() * n);
}

/** In-place Fisher–Yates shuffle. */
export function shuffle<T>(rng: Rng, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = randomInt(rng, i + 1);
    const tmp = items[i]!;
    items[i] = items[j]!;
    items[j] = tmp;
  }
  return items;
}

/** Standard normal sample (Box–Muller). */
export function randomNormal(rng: Rng): number {
  let u = 0;
  while (u === 0) u = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/** Derive an independent integer seed for a named sub-task, so adding a consumer never shifts another's stream. */
export function deriveSeed(seed: number, label: string): number {
  let h = 2166136261 ^ seed;
  for (let i = 0; i < label.length; i++) {
    h = Math.imul(h ^ label.charCodeAt(i), 16777619);
  }
  return h >>> 0;
}
